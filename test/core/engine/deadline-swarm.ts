import { expect } from 'vitest';
import { TokenBucket } from '../../../src/core/engine/token-bucket.js';
import { fetcherRig } from './fetcher-rig.js';
import { ScriptedLink } from './scripted-link.js';

export const BLOCK = 16 * 1024;
/** Four blocks per piece. */
export const PIECE_LENGTH = 4 * BLOCK;
/** The fake peer sends one block per step: 16 KiB every 80 ms, about 200 KB/s. */
export const STEP_MS = 80;

export interface Queued {
  readonly index: number;
  readonly begin: number;
}

/**
 * What a fake peer does with a CANCEL: `drops` the request silently (a peer without the fast extension),
 * `rejects` it (drops it and answers REJECT, as Sluice and libtorrent do under the fast extension), or
 * `ignores` it and sends the block anyway (webtorrent, which writes every request into its stream as it arrives).
 */
export type CancelBehaviour = 'drops' | 'rejects' | 'ignores';

export interface FakePeer {
  readonly queue: Queued[];
  readonly requests: Queued[];
  cancels: number;
  readonly behaviour: CancelBehaviour;
}

/**
 * A real BlockFetcher (real picker, pipelines, connections) on a fake clock, against fake peers that
 * answer requests in the order they came, as a rate-limited seeder does.
 */
export function deadlineSwarm(pieces = 40) {
  let now = 1000;
  const completed: number[] = [];
  const { picker, availability, links, buffers, fetcher } = fetcherRig({
    pieces,
    pieceLength: PIECE_LENGTH,
    now: () => now,
    bufferBytes: 64 << 20,
    buckets: [new TokenBucket(0, 0, 0)],
    pieceComplete: (index) => {
      completed.push(index);
      buffers.take(index);
      picker.pieceVerified(index);
    },
  });
  const peers = new Map<ScriptedLink, FakePeer>();
  const rejects = new Map<ScriptedLink, Queued[]>();
  const peer = (address: string, initialDepth: number, behaviour: CancelBehaviour = 'drops') => {
    const s = new ScriptedLink({ address, pieceCount: pieces, pieceSize: () => PIECE_LENGTH, pipeline: { initialDepth, maxDepth: 250 } });
    links.set(address, s.link);
    for (const e of s.feed({ type: 'have-all' })) if (e.type === 'have-all') availability.haveAll(s.link);
    s.feed({ type: 'unchoke' });
    s.link.pipeline.onUnchoked(now);
    s.link.conn.interested();
    s.sent();
    peers.set(s, { queue: [], cancels: 0, requests: [], behaviour });
    rejects.set(s, []);
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
        p.cancels++;
        if (p.behaviour === 'ignores') continue;
        const i = p.queue.findIndex((q) => q.index === m.index && q.begin === m.begin);
        expect(i, `cancel of ${m.index}:${m.begin} that is not queued`).not.toBe(-1);
        p.queue.splice(i, 1);
        if (p.behaviour === 'rejects') rejects.get(s)!.push({ index: m.index, begin: m.begin });
      }
    }
  };
  /** The peer sends its REJECTs, then the block at the head of its queue; we take them and refill. Returns the block. */
  const serve = (s: ScriptedLink): Queued | undefined => {
    now += STEP_MS;
    for (const r of rejects.get(s)!.splice(0)) {
      if (s.link.pipeline.onRejected(r.index, r.begin, now)) picker.requestRejected(s.link.address, r.index, r.begin);
    }
    const q = peers.get(s)!.queue.shift();
    if (q) fetcher.onBlock(s.link, q.index, q.begin, new Uint8Array(BLOCK), now);
    fetcher.fill(s.link);
    deliver(s);
    return q;
  };
  /** Serves until `piece` is verified; returns the blocks of other pieces that came first. */
  const serveUntil = (s: ScriptedLink, piece: number, limit = 2000): Queued[] => {
    const others: Queued[] = [];
    for (let i = 0; i < limit && !completed.includes(piece); i++) {
      const q = serve(s);
      if (q && q.index !== piece) others.push(q);
    }
    expect(completed, `piece ${piece} never completed`).toContain(piece);
    return others;
  };
  /** A piece nobody was asked for and we do not have. */
  const freshPiece = (from = 0): number => [...Array(pieces).keys()].find((p) => p >= from && picker.requestersOf(p, 0).length === 0 && !completed.includes(p))!;
  return { picker, fetcher, completed, peer, peers, deliver, serve, serveUntil, freshPiece, now: () => now };
}
