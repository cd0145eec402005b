import { describe, expect, it } from 'vitest';
import { PiecePicker, type PieceSet } from '../../../src/core/picker/index.js';
import { Bitfield } from '../../../src/core/util/bitfield.js';
import { seededRandom } from './prng.js';

/** Counts how often the picker looks at a peer's pieces: the cost of a pick, without a clock. */
class CountingSet implements PieceSet {
  lookups = 0;
  constructor(private readonly inner: Bitfield) {}
  get length(): number {
    return this.inner.length;
  }
  get(piece: number): boolean {
    this.lookups++;
    return this.inner.get(piece);
  }
  count(): number {
    return this.inner.count();
  }
  nextSet(from: number): number {
    this.lookups++;
    return this.inner.nextSet(from);
  }
}

describe('PiecePicker at scale (100k pieces, 50 peers)', () => {
  it('picks the rarest piece each peer has while looking at few pieces per pick', () => {
    const n = 100_000;
    const random = seededRandom(42);
    const picker = new PiecePicker({ pieceCount: n, pieceLength: () => 16 * 1024, random });
    const peers: { id: string; set: CountingSet; bits: Bitfield }[] = [];
    for (let k = 0; k < 50; k++) {
      const bits = new Bitfield(n);
      const density = 0.3 + 0.6 * random();
      for (let i = 0; i < n; i++) if (random() < density) bits.set(i);
      picker.peerBitfield(bits);
      peers.push({ id: `p${k}`, set: new CountingSet(bits), bits });
    }
    const requested = new Uint8Array(n);
    let picks = 0;
    let lookups = 0;
    for (let round = 0; round < 40; round++) {
      for (const peer of peers) {
        const before = peer.set.lookups;
        const got = picker.pick({ id: peer.id, has: peer.set }, 1, 0);
        lookups += peer.set.lookups - before;
        picks++;
        expect(got).toHaveLength(1);
        const piece = got[0]!.piece;
        expect(peer.bits.get(piece)).toBe(true);
        expect(requested[piece]).toBe(0);
        if (round % 20 === 0) {
          // Brute force: nothing this peer has and nobody requested yet is rarer.
          let rarest = Infinity;
          for (let i = 0; i < n; i++) {
            if (requested[i] === 0 && peer.bits.get(i)) rarest = Math.min(rarest, picker.availability(i));
          }
          expect(picker.availability(piece)).toBe(rarest);
        }
        requested[piece] = 1;
      }
    }
    // A full scan would be ~100k lookups per pick; rarest-first buckets need a handful.
    expect(lookups / picks).toBeLessThan(8);
  });

  it('serves a seed in O(1) lookups and a sparse peer from its own pieces', () => {
    const n = 100_000;
    const picker = new PiecePicker({ pieceCount: n, pieceLength: () => 16 * 1024, random: seededRandom(9) });
    picker.peerHaveAll();
    const sparseBits = Bitfield.fromIndices(n, [5, 50_000, 99_999]);
    picker.peerBitfield(sparseBits);
    const sparse = new CountingSet(sparseBits);
    const got = picker.pick({ id: 's', has: sparse }, 3, 0).map((r) => r.piece);
    expect(got.sort((a, b) => a - b)).toEqual([5, 50_000, 99_999]);
    // Walking its set bits (a few calls per set bit), not probing 100k pieces.
    expect(sparse.lookups).toBeLessThan(10);
    for (let k = 0; k < 1000; k++) expect(picker.pick({ id: 'seed', has: 'all' }, 4, 0)).toHaveLength(4);
    expect(picker.openPieceCount()).toBe(4003);
  });
});
