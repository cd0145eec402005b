import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../../src/core/errors.js';
import { nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';
import { createHasherPool, INLINE_BELOW } from '../../../sidecar/src/hash/worker-pool.js';
import { pseudoRandomBytes } from './data.js';

// The pool lives in sidecar/src/hash; creation is what drives it, so its tests sit with creation's.
describe('hasher worker pool', () => {
  it('hashes shared and plain buffers, many calls in flight, exactly as the in-thread hasher', async () => {
    const pool = createHasherPool({ workers: 2 });
    try {
      const data = pseudoRandomBytes(3 * 1024 * 1024 + 5, 'pool');
      const shared = pool.allocate(data.length);
      shared.set(data);
      expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
      const jobs = [];
      for (const input of [shared, data]) {
        jobs.push(
          pool.hasher.digestBlocks('sha1', input, 1 << 20),
          pool.hasher.digestBlocks('sha256', input, 16384),
          pool.hasher.digest('sha256', input),
          pool.hasher.digest('sha1', input.subarray(0, INLINE_BELOW - 1)),
        );
      }
      const expected = await Promise.all([
        nodeHasher.digestBlocks('sha1', data, 1 << 20),
        nodeHasher.digestBlocks('sha256', data, 16384),
        nodeHasher.digest('sha256', data),
        nodeHasher.digest('sha1', data.subarray(0, INLINE_BELOW - 1)),
      ]);
      expect(await Promise.all(jobs)).toEqual([...expected, ...expected]);
      // The caller's plain buffer is still its own (copied, not transferred away).
      expect(data.length).toBe(3 * 1024 * 1024 + 5);
    } finally {
      await pool.close();
    }
  });

  it('gives the same digests when the calling thread helps', async () => {
    const pool = createHasherPool({ workers: 1, callerHelps: 'when-busy' });
    try {
      const data = pseudoRandomBytes(2 * 1024 * 1024, 'helps');
      const results = await Promise.all(Array.from({ length: 6 }, () => pool.hasher.digestBlocks('sha1', data, 262144)));
      const expected = await nodeHasher.digestBlocks('sha1', data, 262144);
      for (const r of results) expect(r).toEqual(expected);
    } finally {
      await pool.close();
    }
  });

  it('fails calls made after close with a typed error', async () => {
    const pool = createHasherPool({ workers: 1 });
    await pool.close();
    const err = await pool.hasher.digest('sha1', new Uint8Array(INLINE_BELOW)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SluiceError);
    expect([(err as SluiceError).code, (err as SluiceError).message]).toEqual(['hash/pool-closed', 'the hash worker pool is closed']);
  });
});
