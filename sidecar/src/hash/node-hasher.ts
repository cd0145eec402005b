import { createHash, hash } from 'node:crypto';
import type { HashAlgorithm, Hasher } from '../../../src/core/ports/hasher.js';

const DIGEST_SIZE: Record<HashAlgorithm, number> = { sha1: 20, sha256: 32 };

/** One-shot `crypto.hash` skips the Hash object, which matters for 16 KiB BEP 52 leaves. */
function digestInto(algorithm: HashAlgorithm, data: Uint8Array, out: Uint8Array, at: number): void {
  out.set(typeof hash === 'function' ? hash(algorithm, data, 'buffer') : createHash(algorithm).update(data).digest(), at);
}

export function digestSync(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(DIGEST_SIZE[algorithm]);
  digestInto(algorithm, data, out, 0);
  return out;
}

export function digestBlocksSync(algorithm: HashAlgorithm, data: Uint8Array, blockSize: number): Uint8Array {
  const count = Math.ceil(data.length / blockSize);
  const size = DIGEST_SIZE[algorithm];
  const out = new Uint8Array(count * size);
  for (let i = 0; i < count; i++) {
    digestInto(algorithm, data.subarray(i * blockSize, Math.min(data.length, (i + 1) * blockSize)), out, i * size);
  }
  return out;
}

/** The Hasher port on Node's crypto (OpenSSL, with SHA extensions where the CPU has them), on the calling thread. */
export const nodeHasher: Hasher = {
  async digest(algorithm, data) {
    return digestSync(algorithm, data);
  },
  async digestBlocks(algorithm, data, blockSize) {
    return digestBlocksSync(algorithm, data, blockSize);
  },
};
