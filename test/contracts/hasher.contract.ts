import { describe, expect, it } from 'vitest';
import type { Hasher } from '../../src/core/ports/hasher.js';

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

/** FIPS 180 examples, and a million 'a's (one call, as a 1 MiB piece is hashed). */
const VECTORS = [
  { input: '', sha1: 'da39a3ee5e6b4b0d3255bfef95601890afd80709', sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
  { input: 'abc', sha1: 'a9993e364706816aba3e25717850c26c9cd0d89d', sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
  { input: 'a'.repeat(1_000_000), sha1: '34aa973cd4c4daa4f61eeb2bdbad27316534016f', sha256: 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0' },
] as const;

/** Bytes that differ at every offset, so a block hashed at the wrong place shows. */
function patterned(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + (i >>> 8) * 7) & 0xff;
  return out;
}

/** The hashing port's contract (src/core/ports/hasher.ts), run against every implementation. */
export function hasherContract(name: string, makeHasher: () => Hasher): void {
  describe(`hasher contract: ${name}`, () => {
    for (const v of VECTORS) {
      it(`hashes ${v.input.length} bytes with SHA-1 and SHA-256`, async () => {
        const hasher = makeHasher();
        expect(hex(await hasher.digest('sha1', ascii(v.input)))).toBe(v.sha1);
        expect(hex(await hasher.digest('sha256', ascii(v.input)))).toBe(v.sha256);
      });
    }

    it('hashes a view into a larger buffer by its own bytes only', async () => {
      const hasher = makeHasher();
      const buffer = ascii('xxabcxx');
      expect(hex(await hasher.digest('sha1', buffer.subarray(2, 5)))).toBe(VECTORS[1].sha1);
    });

    it('hashes each block of a batch, the last one short, in order', async () => {
      const hasher = makeHasher();
      const data = patterned(16384 * 3 + 100);
      const blocks = await hasher.digestBlocks('sha256', data, 16384);
      expect(blocks.length).toBe(4 * 32);
      for (let i = 0; i < 4; i++) {
        const one = await hasher.digest('sha256', data.subarray(i * 16384, Math.min(data.length, (i + 1) * 16384)));
        expect(hex(blocks.subarray(i * 32, (i + 1) * 32)), `block ${i}`).toBe(hex(one));
      }
      expect(hex((await hasher.digestBlocks('sha1', ascii('abc'), 16384)))).toBe(VECTORS[1].sha1);
      expect((await hasher.digestBlocks('sha256', new Uint8Array(0), 16384)).length).toBe(0);
    });

    it('hashes concurrent pieces independently', async () => {
      const hasher = makeHasher();
      const pieces = Array.from({ length: 8 }, (_, i) => patterned(65536 + i));
      const together = await Promise.all(pieces.map((p) => hasher.digest('sha1', p)));
      for (let i = 0; i < pieces.length; i++) expect(hex(together[i]!)).toBe(hex(await hasher.digest('sha1', pieces[i]!)));
      expect(new Set(together.map(hex)).size).toBe(pieces.length);
    });
  });
}
