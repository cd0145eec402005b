import type { HashAlgorithm, Hasher } from '../../core/ports/hasher.js';

const NAMES: Record<HashAlgorithm, string> = { sha1: 'SHA-1', sha256: 'SHA-256' };

/**
 * The Hasher port on WebCrypto, for the worker until the browser storage work brings its own
 * (src/browser/hash/). Callers hash whole pieces, which is what WebCrypto's per-call cost wants.
 */
export const webCryptoHasher: Hasher = {
  async digest(algorithm, data) {
    return new Uint8Array(await crypto.subtle.digest(NAMES[algorithm], bufferSource(data)));
  },
  async digestBlocks(algorithm, data, blockSize) {
    const count = Math.ceil(data.length / blockSize);
    const size = algorithm === 'sha1' ? 20 : 32;
    const out = new Uint8Array(count * size);
    const digests = await Promise.all(
      Array.from({ length: count }, (_, i) => crypto.subtle.digest(NAMES[algorithm], bufferSource(data.subarray(i * blockSize, (i + 1) * blockSize)))),
    );
    digests.forEach((d, i) => out.set(new Uint8Array(d), i * size));
    return out;
  },
};

/** WebCrypto takes no view of a SharedArrayBuffer. */
function bufferSource(data: Uint8Array): Uint8Array<ArrayBuffer> {
  return data.buffer instanceof ArrayBuffer ? (data as Uint8Array<ArrayBuffer>) : data.slice();
}
