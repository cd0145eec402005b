import { DEFAULT_LOCAL_EXTENSIONS } from '../../../src/core/extensions/names.js';
import { makePeerId } from '../../../src/core/peer-id.js';
import { PeerConnection } from '../../../src/core/peer/peer-connection.js';
import type { PeerEvent } from '../../../src/core/peer/events.js';
import type { PeerConnectionOptions } from '../../../src/core/peer/options.js';
import { concatBytes } from '../../../src/core/util/bytes.js';

export const INFO_HASH = Uint8Array.from({ length: 20 }, (_, i) => 0xa0 + i);

export function peerId(seed: number): Uint8Array {
  return makePeerId(Uint8Array.from({ length: 12 }, (_, i) => (seed * 31 + i * 7) & 0xff));
}

/** Options for one side; every test starts from these and overrides what it is about. */
export function options(overrides: Partial<PeerConnectionOptions> = {}, seed = 1): PeerConnectionOptions {
  return {
    infoHash: INFO_HASH,
    localPeerId: peerId(seed),
    outgoing: seed === 1,
    localExtensions: DEFAULT_LOCAL_EXTENSIONS,
    fast: true,
    pieceCount: 10,
    pieceSize: (index) => (index === 9 ? 5000 : 32 * 1024),
    metadataSize: 12345,
    clientName: 'Sluice 0.1.0',
    now: 0,
    ...overrides,
  };
}

/** Cuts one side's outgoing bytes into the chunks the other side receives. */
export type Splitter = (bytes: Uint8Array) => Uint8Array[];

/** Chunks of the given sizes, cycling; the bytes are copied so views into them are independent of the sender. */
export function splitBySizes(sizes: readonly number[]): Splitter {
  return (bytes) => {
    const out: Uint8Array[] = [];
    let i = 0;
    for (let at = 0; at < bytes.length; i++) {
      const size = sizes.length === 0 ? bytes.length : Math.max(1, sizes[i % sizes.length]!);
      out.push(bytes.slice(at, at + size));
      at += size;
    }
    return out;
  };
}

const whole: Splitter = (bytes) => (bytes.length === 0 ? [] : [bytes.slice()]);

/**
 * Two PeerConnections back to back: what one queues is fed to the other's receive(), cut by a splitter, until
 * neither has anything left to send. Events are collected per side.
 */
export class ConnectionPair {
  readonly a: PeerConnection;
  readonly b: PeerConnection;
  readonly eventsA: PeerEvent[] = [];
  readonly eventsB: PeerEvent[] = [];
  now = 0;

  constructor(
    a: Partial<PeerConnectionOptions> = {},
    b: Partial<PeerConnectionOptions> = {},
    private readonly split: Splitter = whole,
  ) {
    this.a = new PeerConnection(options(a, 1));
    this.b = new PeerConnection(options(b, 2));
  }

  /** Delivers queued bytes both ways until both sides are quiet; returns the events of this call, per side. */
  flush(): { a: PeerEvent[]; b: PeerEvent[] } {
    const fresh = { a: [] as PeerEvent[], b: [] as PeerEvent[] };
    for (let rounds = 0; rounds < 100; rounds++) {
      const fromA = concatBytes(this.a.takeOutgoing());
      const fromB = concatBytes(this.b.takeOutgoing());
      if (fromA.length === 0 && fromB.length === 0) break;
      for (const chunk of this.split(fromA)) fresh.b.push(...this.b.receive(chunk, this.now));
      for (const chunk of this.split(fromB)) fresh.a.push(...this.a.receive(chunk, this.now));
    }
    this.eventsA.push(...fresh.a);
    this.eventsB.push(...fresh.b);
    return fresh;
  }

  /** Exchanges handshakes (and extended handshakes); returns the events each side saw. */
  open(): { a: PeerEvent[]; b: PeerEvent[] } {
    return this.flush();
  }
}

/** The events without keep-alives, as plain data for toEqual. */
export function types(events: readonly PeerEvent[]): string[] {
  return events.map((e) => e.type);
}
