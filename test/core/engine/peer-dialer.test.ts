import { describe, expect, it } from 'vitest';
import type { SessionSettings } from '../../../src/core/api/types.js';
import type { PeerDiscovery } from '../../../src/core/engine/context.js';
import { PeerBook } from '../../../src/core/engine/peer-book.js';
import { PeerDialer } from '../../../src/core/engine/peer-dialer.js';
import { DEFAULT_SETTINGS } from '../../../src/core/engine/session.js';
import type { Transport } from '../../../src/core/ports/transport.js';
import { TransportError } from '../../../src/core/transport/errors.js';
import { memoryTransportPair } from '../../../src/core/transport/memory.js';
import { deferred } from '../../../src/core/util/deferred.js';

type Deferred<T> = ReturnType<typeof deferred<T>>;

const INFO_HASH = new Uint8Array(20).fill(7);

/** A discovery source that records its calls and lets the test report peers through the callback it was given. */
function source(kind: 'dht' | 'lsd', intervalMs: number) {
  const lookups: number[] = [];
  const announces: number[] = [];
  const callbacks: ((address: string) => void)[] = [];
  let clock = 0;
  const discovery: PeerDiscovery = {
    source: kind,
    intervalMs,
    lookup: (hash, found) => {
      expect(hash).toBe(INFO_HASH);
      lookups.push(clock);
      callbacks.push(found);
    },
    announce: (hash, port) => {
      expect(hash).toBe(INFO_HASH);
      announces.push(port);
    },
  };
  return { discovery, lookups, announces, callbacks, at: (t: number) => (clock = t) };
}

/** A torrent around a dialer: a real peer book, dials the test settles by hand, adopted transports recorded. */
function harness(options: { settings?: Partial<SessionSettings>; budget?: number; discovery?: PeerDiscovery[] } = {}) {
  const book = new PeerBook({ retryBaseMs: 1000 });
  const settings = { ...DEFAULT_SETTINGS, listenPort: 6881, ...options.settings };
  const dials = new Map<string, Deferred<Transport>>();
  const connected = new Set<string>();
  const adopted: string[] = [];
  let wakes = 0;
  let active = true;
  let now = 0;
  const dialer = new PeerDialer({
    infoHash: INFO_HASH,
    book,
    ctx: {
      discovery: options.discovery ?? [],
      settings: () => settings,
      dial: (address) => {
        if (address.startsWith('unreachable')) return null;
        const d = deferred<Transport>();
        dials.set(address, d);
        return d.promise;
      },
      connectionBudget: () => options.budget ?? 1000,
      wake: () => wakes++,
    },
    active: () => active,
    now: () => now,
    connections: () => connected.size,
    isConnected: (address) => connected.has(address),
    adopt: (_transport, address) => {
      adopted.push(address);
      connected.add(address);
    },
  });
  return {
    book, dialer, dials, connected, adopted,
    wakes: () => wakes,
    setActive: (on: boolean) => (active = on),
    setNow: (t: number) => (now = t),
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('PeerDialer', () => {
  it('asks each source again only once its own interval has passed, announcing the listen port each time', () => {
    const dht = source('dht', 15 * 60_000);
    const lsd = source('lsd', 5 * 60_000);
    const h = harness({ discovery: [dht.discovery, lsd.discovery] });
    for (const t of [0, 1000, 5 * 60_000 - 1, 5 * 60_000, 10 * 60_000, 15 * 60_000]) {
      dht.at(t);
      lsd.at(t);
      h.dialer.discover(t);
    }
    expect(dht.lookups).toEqual([0, 15 * 60_000]);
    expect(lsd.lookups).toEqual([0, 5 * 60_000, 10 * 60_000, 15 * 60_000]);
    expect(dht.announces).toEqual([6881, 6881]);
    // One callback per source for the torrent's life.
    expect(new Set(lsd.callbacks).size).toBe(1);
  });

  it('puts what a source finds in the book (new addresses wake the torrent), and ignores it once inactive', () => {
    const dht = source('dht', 1000);
    const h = harness({ discovery: [dht.discovery] });
    h.dialer.discover(0);
    const found = dht.callbacks[0]!;
    found('10.0.0.1:6881');
    found('10.0.0.1:6881');
    expect(h.wakes()).toBe(1);
    h.setActive(false);
    found('10.0.0.2:6881');
    expect(h.wakes()).toBe(1);
    expect(h.book.addresses()).toEqual(['10.0.0.1:6881']);
  });

  it('dials within the torrent limit, counting dials in flight, at most 8 per call', () => {
    const h = harness({ settings: { maxConnectionsPerTorrent: 12 } });
    for (let i = 0; i < 20; i++) h.book.add(`10.0.0.${i}:1`, 'tracker', 0);
    h.connected.add('10.9.9.9:1');
    h.dialer.dialMore(0);
    expect(h.dials.size).toBe(8);
    expect(h.dialer.pendingDials).toBe(8);
    h.dialer.dialMore(0);
    // 12 allowed: 1 connected + 8 in flight leaves 3.
    expect(h.dials.size).toBe(11);
    expect(h.dialer.room()).toBe(0);
    h.dialer.dialMore(0);
    expect(h.dials.size).toBe(11);
  });

  it('dials within the session budget too', () => {
    const h = harness({ budget: 2 });
    for (let i = 0; i < 5; i++) h.book.add(`10.0.0.${i}:1`, 'tracker', 0);
    h.dialer.dialMore(0);
    expect(h.dials.size).toBe(2);
    h.dialer.dialMore(0);
    expect(h.dials.size).toBe(2);
  });

  it('hands a connected dial to the torrent, and backs off an address whose dial failed or had no transport', async () => {
    const h = harness();
    h.book.add('10.0.0.1:1', 'tracker', 0);
    h.book.add('10.0.0.2:1', 'tracker', 0);
    h.book.add('unreachable:1', 'tracker', 0);
    h.dialer.dialMore(0);
    const [a] = memoryTransportPair();
    h.dials.get('10.0.0.1:1')!.resolve(a);
    h.dials.get('10.0.0.2:1')!.reject(new TransportError('transport/refused', 'connection refused'));
    await settle();
    expect(h.adopted).toEqual(['10.0.0.1:1']);
    expect(h.dialer.pendingDials).toBe(0);
    // Failed ones wait for their back-off before they are dialled again.
    h.dials.clear();
    h.dialer.dialMore(1);
    expect([...h.dials.keys()]).toEqual([]);
    h.setNow(5000);
    h.dialer.dialMore(5000);
    expect([...h.dials.keys()]).toEqual(['10.0.0.2:1']);
  });

  it('closes a connection that is no longer wanted: the torrent went inactive, or the peer got through first', async () => {
    const h = harness();
    h.book.add('10.0.0.1:1', 'tracker', 0);
    h.book.add('10.0.0.2:1', 'tracker', 0);
    h.dialer.dialMore(0);
    const closed: string[] = [];
    const watch = (t: Transport, name: string) => t.attach({ data: () => {}, drain: () => {}, close: () => closed.push(name) });
    const [a, aFar] = memoryTransportPair();
    const [b, bFar] = memoryTransportPair();
    watch(aFar, 'a');
    watch(bFar, 'b');
    h.connected.add('10.0.0.1:1');
    h.dials.get('10.0.0.1:1')!.resolve(a);
    await settle();
    h.setActive(false);
    h.dials.get('10.0.0.2:1')!.resolve(b);
    await settle();
    await settle();
    expect(h.adopted).toEqual([]);
    expect(closed.sort()).toEqual(['a', 'b']);
    expect(h.dialer.pendingDials).toBe(0);
  });
});
