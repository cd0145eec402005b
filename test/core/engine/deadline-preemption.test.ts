import { describe, expect, it } from 'vitest';
import { AvailabilityLedger } from '../../../src/core/engine/availability-ledger.js';
import { BlockFetcher } from '../../../src/core/engine/block-fetcher.js';
import type { PeerLink } from '../../../src/core/engine/peer-link.js';
import { PieceBuffers } from '../../../src/core/engine/piece-buffers.js';
import { SmartBan } from '../../../src/core/engine/smart-ban.js';
import { TokenBucket } from '../../../src/core/engine/token-bucket.js';
import { PiecePicker } from '../../../src/core/picker/piece-picker.js';
import { Bitfield } from '../../../src/core/util/bitfield.js';
import { nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';
import { ScriptedLink } from './scripted-link.js';

const BLOCK = 16 * 1024;
const PIECES = 40;
/** Four blocks per piece: 160 blocks in all. */
const PIECE_LENGTH = 4 * BLOCK;
/** The fake peer sends one block per step: 16 KiB every 80 ms, about 200 KB/s. */
const STEP_MS = 80;

interface Queued {
  readonly index: number;
  readonly begin: number;
}

/**
 * A real BlockFetcher (real picker, pipelines, connections) on a fake clock, against fake peers that
 * answer requests in the order they came and drop the ones we cancel, as a rate-limited seeder does.
 */
function swarm() {
  let now = 1000;
  const picker = new PiecePicker({ pieceCount: PIECES, pieceLength: () => PIECE_LENGTH, random: () => 0.5, have: new Bitfield(PIECES) });
  const availability = new AvailabilityLedger<PeerLink>(picker);
  const links = new Map<string, PeerLink>();
  const buffers = new PieceBuffers(64 << 20);
  const completed: number[] = [];
  const fetcher = new BlockFetcher({
    now: () => now,
    active: () => true,
    removed: () => false,
    picker: () => picker,
    peerPieces: (link) => availability.pieces(link),
    links,
    buffers,
    maxBufferedBytes: 64 << 20,
    buckets: [new TokenBucket(0, 0, 0)],
    smartBan: new SmartBan(nodeHasher),
    pieceComplete: (index) => {
      completed.push(index);
      buffers.take(index);
      picker.pieceVerified(index);
    },
    wake: () => {},
  });
  const peers = new Map<ScriptedLink, { queue: Queued[]; cancels: number; requests: Queued[] }>();
  const peer = (address: string, initialDepth: number) => {
    const s = new ScriptedLink({ address, pieceCount: PIECES, pieceSize: () => PIECE_LENGTH, pipeline: { initialDepth, maxDepth: 250 } });
    links.set(address, s.link);
    for (const e of s.feed({ type: 'have-all' })) if (e.type === 'have-all') availability.haveAll(s.link);
    s.feed({ type: 'unchoke' });
    s.link.pipeline.onUnchoked(now);
    s.link.conn.interested();
    s.sent();
    peers.set(s, { queue: [], cancels: 0, requests: [] });
    return s;
  };
  /** Moves what the link wrote into its peer's queue. */
  const deliver = (s: ScriptedLink) => {
    const p = peers.get(s)!;
    for (const m of s.sent()) {
      if (m.type === 'request') {
        p.queue.push({ index: m.index, begin: m.begin });
        p.requests.push({ index: m.index, begin: m.begin });
      } else if (m.type === 'cancel') {
        const i = p.queue.findIndex((q) => q.index === m.index && q.begin === m.begin);
        expect(i, `cancel of ${m.index}:${m.begin} that is not queued`).not.toBe(-1);
        p.queue.splice(i, 1);
        p.cancels++;
      }
    }
  };
  /** The peer sends the block at the head of its queue; we take it and refill. Returns it. */
  const serve = (s: ScriptedLink): Queued | undefined => {
    now += STEP_MS;
    const q = peers.get(s)!.queue.shift();
    if (q) fetcher.onBlock(s.link, q.index, q.begin, new Uint8Array(BLOCK), now);
    fetcher.fill(s.link);
    deliver(s);
    return q;
  };
  return { picker, fetcher, completed, peer, peers, deliver, serve, now: () => now };
}

describe('DeadlinePreemption', () => {
  it('a deadline set behind 100 queued ordinary requests is served next: the ordinary ones ahead are cancelled and asked for again later', () => {
    const h = swarm();
    const s = h.peer('10.0.0.1:1', 100);
    h.fetcher.fill(s.link);
    h.deliver(s);
    const state = h.peers.get(s)!;
    expect(state.queue).toHaveLength(100);
    // A piece none of the queued requests is for (the picker picks at random among equals).
    const last = [...Array(PIECES).keys()].reverse().find((p) => !state.queue.some((q) => q.index === p))!;

    h.picker.setDeadline(last, h.now() + 500);
    h.fetcher.fill(s.link);
    h.deliver(s);
    // Everything but the two oldest requests (already being sent) made way: 98 cancels.
    expect(state.cancels).toBe(98);
    expect(h.fetcher.preemption.cancelled).toBe(98);
    const firstDeadline = state.queue.findIndex((q) => q.index === last);
    expect(firstDeadline).toBe(2);
    expect(state.queue.slice(2, 6).map((q) => q.index)).toEqual([last, last, last, last]);

    // Count the ordinary blocks that arrive before the deadline piece is whole.
    let ordinaryBefore = 0;
    while (!h.completed.includes(last)) {
      const q = h.serve(s)!;
      if (q.index !== last) ordinaryBefore++;
    }
    expect(ordinaryBefore).toBe(2);

    // The rest of the torrent still comes, every block once: the cancelled ones were asked for again.
    for (let i = 0; i < 1000 && h.completed.length < PIECES; i++) h.serve(s);
    expect(new Set(h.completed).size).toBe(PIECES);
    expect(h.picker.isComplete()).toBe(true);
    // No request leaks: nothing outstanding anywhere, and every block asked for is answered or cancelled.
    expect(state.queue).toEqual([]);
    expect(s.link.pipeline.outstanding).toBe(0);
    expect(h.picker.outstandingCount(s.link.address)).toBe(0);
    expect(state.requests.length - state.cancels).toBe(PIECES * 4);
    expect(h.fetcher.downloaded).toBe(PIECES * PIECE_LENGTH);
  });

  it('asks the fastest unchoked peer for a deadline piece, past its pipeline depth', () => {
    const h = swarm();
    const slow = h.peer('10.0.0.1:1', 30);
    const fast = h.peer('10.0.0.2:1', 30);
    h.fetcher.fill(slow.link);
    h.fetcher.fill(fast.link);
    h.deliver(slow);
    h.deliver(fast);
    // The fast peer sends three blocks for each one of the slow peer.
    for (let i = 0; i < 8; i++) {
      h.serve(slow);
      for (let k = 0; k < 3; k++) h.serve(fast);
    }
    const queued = h.peers.get(fast)!.queue.length;
    expect(queued).toBeGreaterThan(20);
    const free = [...Array(PIECES).keys()].find((p) => h.picker.requestersOf(p, 0).length === 0 && !h.completed.includes(p))!;
    h.picker.setDeadline(free, h.now() + 5000);
    h.fetcher.fill(slow.link);
    h.deliver(slow);
    h.deliver(fast);
    expect(h.peers.get(fast)!.queue.filter((q) => q.index === free)).toHaveLength(4);
    expect(h.peers.get(slow)!.queue.filter((q) => q.index === free)).toHaveLength(0);
  });

  it('a deadline the queue ahead of it meets anyway cancels nothing', () => {
    const h = swarm();
    const s = h.peer('10.0.0.1:1', 8);
    h.fetcher.fill(s.link);
    h.deliver(s);
    for (let i = 0; i < 40; i++) h.serve(s);
    const state = h.peers.get(s)!;
    const before = state.queue.length;
    expect(before).toBeGreaterThan(4);
    // The queue drains in well under a minute at this peer's rate.
    const free = [...Array(PIECES).keys()].find((p) => h.picker.requestersOf(p, 0).length === 0 && !h.completed.includes(p))!;
    h.picker.setDeadline(free, h.now() + 60_000);
    h.fetcher.fill(s.link);
    h.deliver(s);
    expect(state.cancels).toBe(0);
    expect(state.queue.slice(before).map((q) => q.index)).toEqual([free, free, free, free]);
  });

  it('without deadlines the pipeline is left alone', () => {
    const h = swarm();
    const s = h.peer('10.0.0.1:1', 100);
    h.fetcher.fill(s.link);
    h.deliver(s);
    for (let i = 0; i < 50; i++) h.serve(s);
    expect(h.peers.get(s)!.cancels).toBe(0);
    expect(h.fetcher.preemption.requested).toBe(0);
  });
});
