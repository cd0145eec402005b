import { createHash } from 'node:crypto';
import type { HashAlgorithm, Hasher } from '../../../src/core/ports/hasher.js';

function digestSync(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array {
  const out = createHash(algorithm).update(data).digest();
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** The Hasher port on Node's crypto (OpenSSL, with SHA extensions where the CPU has them). */
export const nodeHasher: Hasher = {
  async digest(algorithm, data) {
    return digestSync(algorithm, data);
  },
  async digestBlocks(algorithm, data, blockSize) {
    const count = Math.ceil(data.length / blockSize);
    const size = algorithm === 'sha1' ? 20 : 32;
    const out = new Uint8Array(count * size);
    for (let i = 0; i < count; i++) {
      out.set(digestSync(algorithm, data.subarray(i * blockSize, Math.min(data.length, (i + 1) * blockSize))), i * size);
    }
    return out;
  },
};
