/**
 * The hashing port. The sidecar implements it with Node's `crypto`; the browser with WebCrypto.
 *
 * Callers hash whole pieces (or whole BEP 52 leaf batches), never one 16 KiB block per call:
 * WebCrypto has a fixed cost per call that makes small digests about 4x slower.
 */
export type HashAlgorithm = 'sha1' | 'sha256';

export interface Hasher {
  digest(algorithm: HashAlgorithm, data: Uint8Array): Promise<Uint8Array>;
  /**
   * SHA-256 of each consecutive `blockSize` slice of `data` (the last may be shorter), concatenated.
   * BEP 52 leaves are 16 KiB blocks; batching lets an implementation avoid a round trip per block.
   */
  digestBlocks(algorithm: HashAlgorithm, data: Uint8Array, blockSize: number): Promise<Uint8Array>;
}
