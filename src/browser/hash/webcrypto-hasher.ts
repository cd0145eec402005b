import type { HashAlgorithm, Hasher } from '../../core/ports/hasher.js';

const WEBCRYPTO_NAME: Record<HashAlgorithm, string> = { sha1: 'SHA-1', sha256: 'SHA-256' };
const DIGEST_SIZE: Record<HashAlgorithm, number> = { sha1: 20, sha256: 32 };

/**
 * WebCrypto digests need a buffer they may read while the caller goes on: a view over a
 * SharedArrayBuffer is refused, and a view over a buffer that is later reused would hash the new
 * bytes. Only such views are copied; an ordinary Uint8Array is passed as is.
 */
function digestible(data: Uint8Array): Uint8Array<ArrayBuffer> {
  return data.buffer instanceof ArrayBuffer ? (data as Uint8Array<ArrayBuffer>) : new Uint8Array(data);
}

/**
 * The Hasher port on WebCrypto (`crypto.subtle`), for the engine's dedicated worker. Callers hash
 * whole pieces: each `subtle.digest` call has a fixed cost (a trip to the browser's crypto thread),
 * which is why the port never asks for one 16 KiB block at a time except through `digestBlocks`, where
 * all of a batch's digests are started together.
 */
export const webCryptoHasher: Hasher = {
  async digest(algorithm, data) {
    return new Uint8Array(await crypto.subtle.digest(WEBCRYPTO_NAME[algorithm], digestible(data)));
  },
  async digestBlocks(algorithm, data, blockSize) {
    if (!Number.isSafeInteger(blockSize) || blockSize < 1) throw new RangeError(`block size ${blockSize} is not a positive integer`);
    const bytes = digestible(data);
    const name = WEBCRYPTO_NAME[algorithm];
    const size = DIGEST_SIZE[algorithm];
    const count = Math.ceil(bytes.length / blockSize);
    const digests = await Promise.all(
      Array.from({ length: count }, (_, i) => crypto.subtle.digest(name, bytes.subarray(i * blockSize, Math.min(bytes.length, (i + 1) * blockSize)))),
    );
    const out = new Uint8Array(count * size);
    digests.forEach((d, i) => out.set(new Uint8Array(d), i * size));
    return out;
  },
};
