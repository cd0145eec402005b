import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RarityBuckets } from '../../../src/core/picker/rarity-buckets.js';
import { seededRandom } from './prng.js';

type Op = { kind: 'insert' | 'remove' | 'promote' | 'demote'; piece: number; bucket: number };

/** Reads the buckets back as (piece, slot) and checks the order is sorted by bucket and positions agree. */
function check(b: RarityBuckets, positions: Int32Array, model: Map<number, number>): void {
  expect(b.size).toBe(model.size);
  let lastBucket = 0;
  const seen = new Set<number>();
  for (let slot = 0; slot < b.size; slot++) {
    const piece = b.at(slot);
    expect(positions[piece]).toBe(slot);
    const bucket = model.get(piece);
    expect(bucket).toBeDefined();
    expect(bucket!).toBeGreaterThanOrEqual(lastBucket);
    lastBucket = bucket!;
    seen.add(piece);
    // The bucket's bounds contain the slot.
    expect(slot).toBeGreaterThanOrEqual(b.start(bucket!));
    expect(slot).toBeLessThan(b.start(bucket! + 1));
  }
  expect(seen.size).toBe(model.size);
  for (let p = 0; p < positions.length; p++) if (!model.has(p)) expect(positions[p]).toBe(-1);
}

describe('RarityBuckets', () => {
  it('stays sorted by bucket with consistent positions under any sequence of moves', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.tuple(fc.nat(3), fc.nat(19), fc.nat(6)), { maxLength: 200 }),
        (seed, raw) => {
          const positions = new Int32Array(20).fill(-1);
          const b = new RarityBuckets(positions, seededRandom(seed));
          const model = new Map<number, number>();
          for (const [k, piece, bucket] of raw) {
            const op: Op = { kind: (['insert', 'remove', 'promote', 'demote'] as const)[k]!, piece, bucket };
            const current = model.get(op.piece);
            if (op.kind === 'insert' && current === undefined) {
              b.insert(op.piece, op.bucket);
              model.set(op.piece, op.bucket);
            } else if (op.kind === 'remove' && current !== undefined) {
              b.remove(op.piece, current);
              model.delete(op.piece);
            } else if (op.kind === 'promote' && current !== undefined) {
              b.promote(op.piece, current);
              model.set(op.piece, current + 1);
            } else if (op.kind === 'demote' && current !== undefined && current > 0) {
              b.demote(op.piece, current);
              model.set(op.piece, current - 1);
            }
            check(b, positions, model);
          }
          const pieces = [...model.keys()];
          positions.fill(-1);
          b.rebuild(pieces, (p) => model.get(p)!);
          check(b, positions, model);
        },
      ),
    );
  });

  it('places a piece joining a bucket at a uniformly random slot', () => {
    // Insert 4 pieces into one bucket many times; each should come first about a quarter of the time.
    const firsts = new Map<number, number>();
    const random = seededRandom(7);
    for (let run = 0; run < 4000; run++) {
      const positions = new Int32Array(4).fill(-1);
      const b = new RarityBuckets(positions, random);
      for (let p = 0; p < 4; p++) b.insert(p, 2);
      firsts.set(b.at(0), (firsts.get(b.at(0)) ?? 0) + 1);
    }
    for (let p = 0; p < 4; p++) {
      expect(firsts.get(p)!).toBeGreaterThan(850);
      expect(firsts.get(p)!).toBeLessThan(1150);
    }
  });
});
