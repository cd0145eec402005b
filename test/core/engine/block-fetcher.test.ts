import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../src/core/engine/token-bucket.js';
import { Bitfield } from '../../../src/core/util/bitfield.js';
import type { BlockRequestMessage } from '../../../src/core/wire/index.js';
import { fetcherRig } from './fetcher-rig.js';
import { ScriptedLink } from './scripted-link.js';

const BLOCK = 16 * 1024;
const PIECES = 4;
/** Two blocks per piece. */
const PIECE_LENGTH = 2 * BLOCK;

type Request = BlockRequestMessage;

/** A fetcher over a real picker, availability ledger, buffers and smart ban; the test plays the peers. */
function harness(options: { rate?: number; cap?: number } = {}) {
  const bucket = new TokenBucket(options.rate ?? 0, 0, options.rate ?? 0);
  const completed: number[] = [];
  const { picker, availability, links, buffers, fetcher } = fetcherRig({
    pieces: PIECES,
    pieceLength: PIECE_LENGTH,
    ...(options.cap !== undefined ? { bufferBytes: options.cap } : {}),
    buckets: [bucket],
    pieceComplete: (index) => completed.push(index),
  });
  /** A peer with `pieces` that unchoked us (or not), and that we are interested in. */
  const peer = (address: string, pieces: number[], unchoked = true) => {
    const s = new ScriptedLink({ address, pieceCount: PIECES, pieceSize: () => PIECE_LENGTH });
    links.set(address, s.link);
    for (const e of s.feed({ type: 'bitfield', bits: Bitfield.fromIndices(PIECES, pieces).toWire() })) {
      if (e.type === 'bitfield') availability.bitfield(s.link, e.bitfield);
    }
    // What the peer-event handler does with an unchoke: the pipeline may fill again.
    if (unchoked) {
      s.feed({ type: 'unchoke' });
      s.link.pipeline.onUnchoked(0);
    }
    s.link.conn.interested();
    s.sent();
    return s;
  };
  const requests = (s: ScriptedLink) => s.sent().filter((m): m is Request => m.type === 'request') as Request[];
  return { picker, buffers, bucket, fetcher, completed, peer, requests };
}

describe('BlockFetcher', () => {
  it('asks a peer only for pieces it has, as many blocks as its pipeline wants', () => {
    const h = harness();
    const s = h.peer('10.0.0.1:1', [1, 3]);
    h.fetcher.fill(s.link);
    const asked = h.requests(s);
    expect(new Set(asked.map((r) => r.index))).toEqual(new Set([1, 3]));
    expect(asked).toHaveLength(4);
    expect(asked.every((r) => r.length === BLOCK)).toBe(true);
  });

  it('asks nothing of a peer it is not interested in, nor of a choking peer that allowed nothing', () => {
    const h = harness();
    const choking = h.peer('10.0.0.1:1', [0, 1, 2, 3], false);
    h.fetcher.fill(choking.link);
    expect(h.requests(choking)).toEqual([]);
    const uninterested = h.peer('10.0.0.2:1', [0, 1, 2, 3]);
    uninterested.link.conn.notInterested();
    uninterested.sent();
    h.fetcher.fill(uninterested.link);
    expect(h.requests(uninterested)).toEqual([]);
  });

  it('while choked, asks only for the allowed-fast pieces the peer has (BEP 6)', () => {
    const h = harness();
    const s = h.peer('10.0.0.1:1', [0, 2, 3], false);
    s.link.allowedFast.add(1).add(2);
    h.fetcher.fill(s.link);
    expect(new Set(h.requests(s).map((r) => r.index))).toEqual(new Set([2]));
  });

  it('asks for no more than the rate limit allows now', () => {
    const h = harness({ rate: 3 * BLOCK });
    const s = h.peer('10.0.0.1:1', [0, 1, 2, 3]);
    h.fetcher.fill(s.link);
    expect(h.requests(s)).toHaveLength(3);
    expect(h.bucket.available(0)).toBe(0);
  });

  it('asks for nothing once the buffers hold the cap', () => {
    const h = harness({ cap: PIECE_LENGTH });
    h.buffers.put(0, PIECE_LENGTH, 0, new Uint8Array(BLOCK));
    const s = h.peer('10.0.0.1:1', [1, 2, 3]);
    h.fetcher.fill(s.link);
    expect(h.requests(s)).toEqual([]);
  });

  it('buffers the blocks that arrive, counts them, and hands a piece on once its last block is in', () => {
    const h = harness();
    const s = h.peer('10.0.0.1:1', [2]);
    h.fetcher.fill(s.link);
    const [first, second] = h.requests(s);
    expect([first!.index, second!.index]).toEqual([2, 2]);
    h.fetcher.onBlock(s.link, 2, first!.begin, new Uint8Array(BLOCK).fill(1), 0);
    expect(h.completed).toEqual([]);
    h.fetcher.onBlock(s.link, 2, second!.begin, new Uint8Array(BLOCK).fill(2), 0);
    expect(h.completed).toEqual([2]);
    expect(h.fetcher.downloaded).toBe(2 * BLOCK);
    const piece = h.buffers.take(2)!;
    expect(piece.subarray(first!.begin, first!.begin + BLOCK).every((b) => b === 1)).toBe(true);
    expect(piece.subarray(second!.begin, second!.begin + BLOCK).every((b) => b === 2)).toBe(true);
  });

  it('a block nobody asked for is counted as downloaded but never buffered', () => {
    const h = harness();
    const s = h.peer('10.0.0.1:1', [0, 1, 2, 3]);
    h.fetcher.onBlock(s.link, 1, 0, new Uint8Array(BLOCK), 0);
    expect(h.fetcher.downloaded).toBe(BLOCK);
    expect(h.buffers.size).toBe(0);
    expect(h.completed).toEqual([]);
  });

  it('in endgame, a block that arrives cancels the same request at the other peer', () => {
    const h = harness();
    const a = h.peer('10.0.0.1:1', [0]);
    const b = h.peer('10.0.0.2:1', [0]);
    h.fetcher.fill(a.link);
    const fromA = h.requests(a);
    expect(fromA).toHaveLength(2);
    // Every block of the only piece is asked for: the next peer gets duplicates (endgame).
    h.fetcher.fill(b.link);
    const fromB = h.requests(b);
    expect(fromB.length).toBeGreaterThan(0);
    const dup = fromB[0]!;
    h.fetcher.onBlock(a.link, dup.index, dup.begin, new Uint8Array(BLOCK), 0);
    expect(b.sent()).toContainEqual({ type: 'cancel', index: dup.index, begin: dup.begin, length: dup.length });
  });
});
