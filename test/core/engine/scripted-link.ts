import type { SluiceError } from '../../../src/core/errors.js';
import { DEFAULT_LOCAL_EXTENSIONS } from '../../../src/core/extensions/names.js';
import { PeerLink } from '../../../src/core/engine/peer-link.js';
import { makePeerId } from '../../../src/core/peer-id.js';
import type { PeerEvent } from '../../../src/core/peer/events.js';
import { PeerConnection } from '../../../src/core/peer/peer-connection.js';
import { RequestPipeline } from '../../../src/core/pipeline/request-pipeline.js';
import type { Transport } from '../../../src/core/ports/transport.js';
import { concatBytes } from '../../../src/core/util/bytes.js';
import { createReserved, encodeHandshake, encodeMessage, WireDecoder, type WireMessage } from '../../../src/core/wire/index.js';

export const LINK_INFO_HASH = Uint8Array.from({ length: 20 }, (_, i) => 0x30 + i);
export const LOCAL_PEER_ID = makePeerId(new Uint8Array(12).fill(1));

export interface ScriptedLinkOptions {
  readonly address?: string;
  readonly pieceCount: number;
  readonly pieceSize: (index: number) => number;
  /** We dialled the peer (default true). */
  readonly outgoing?: boolean;
  /** The remote peer's id (default: derived from the address). */
  readonly peerId?: Uint8Array;
  /** The remote peer speaks the fast extension (default true). */
  readonly fast?: boolean;
  readonly now?: number;
}

/**
 * A real PeerLink (real PeerConnection and RequestPipeline) to a scripted remote peer, for driving one engine
 * unit without a Session: `feed` delivers wire messages from the peer and returns the events the link's
 * connection made of them; `sent` returns the messages the link wrote since the last call.
 */
export class ScriptedLink {
  readonly link: PeerLink;
  readonly remotePeerId: Uint8Array;
  /** The event the link's connection made of the peer's handshake (the unit under test has not seen it). */
  readonly handshake: Extract<PeerEvent, { type: 'handshake' }>;
  closedWith: SluiceError | undefined | null = null;
  private readonly written: Uint8Array[] = [];
  private readonly decoder = new WireDecoder();
  private now: number;

  constructor(options: ScriptedLinkOptions) {
    const address = options.address ?? '10.0.0.1:6881';
    this.now = options.now ?? 0;
    this.remotePeerId = options.peerId ?? makePeerId(new TextEncoder().encode(address.padEnd(12, '.')).subarray(0, 12));
    const written = this.written;
    const transport: Transport = {
      kind: 'tcp',
      remoteAddress: address,
      outgoing: options.outgoing ?? true,
      attach: () => {},
      write: (data) => {
        written.push(data.slice());
        return true;
      },
      close: () => {},
    };
    const conn = new PeerConnection({
      infoHash: LINK_INFO_HASH,
      localPeerId: LOCAL_PEER_ID,
      outgoing: transport.outgoing,
      localExtensions: DEFAULT_LOCAL_EXTENSIONS,
      fast: true,
      pieceCount: options.pieceCount,
      pieceSize: options.pieceSize,
      clientName: 'Sluice test',
      now: this.now,
    });
    this.link = new PeerLink(
      transport,
      conn,
      new RequestPipeline(),
      {
        now: () => this.now,
        onPeerEvents: () => {},
        onPeerDrain: () => {},
        onPeerClosed: (_link, error) => {
          this.closedWith = error;
        },
      },
      this.now,
      address,
    );
    const reserved = createReserved({ extended: true, fast: options.fast ?? true });
    const events = conn.receive(encodeHandshake({ reserved, infoHash: LINK_INFO_HASH, peerId: this.remotePeerId }), this.now);
    const first = events[0];
    if (first?.type !== 'handshake') throw new Error(`no handshake event: ${events.map((e) => e.type).join()}`);
    this.handshake = first;
    this.link.flush();
    this.sent();
  }


  /** Wire messages from the peer, as its connection turns them into events. */
  feed(...messages: WireMessage[]): PeerEvent[] {
    return this.link.conn.receive(concatBytes(messages.map(encodeMessage)), this.now);
  }

  /** What the link wrote since the last call (keep-alives left out). */
  sent(): WireMessage[] {
    this.link.flush();
    const chunk = concatBytes(this.written.splice(0));
    const messages = chunk.length > 0 ? this.decoder.push(chunk) : [];
    return messages.filter((m) => m.type !== 'keep-alive' && m.type !== 'handshake');
  }

  /** The messages of `sent()` reduced to their types (and index where they carry one), for toEqual. */
  sentSummary(): string[] {
    return this.sent().map((m) => ('index' in m ? `${m.type} ${m.index}` : m.type));
  }
}
