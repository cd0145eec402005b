import type { Hasher } from '../../ports/hasher.js';

/** What the metadata must hash to: a v1 info hash (SHA-1), a v2 one (SHA-256, full or truncated to 20), or both. */
export interface ExpectedInfoHash {
  readonly v1?: Uint8Array | null;
  /** 32 bytes, or the 20-byte truncation used in handshakes and `urn:btmh` trackers. */
  readonly v2?: Uint8Array | null;
}

function startsWith(digest: Uint8Array, expected: Uint8Array): boolean {
  if (expected.length === 0 || expected.length > digest.length) return false;
  for (let i = 0; i < expected.length; i++) if (digest[i] !== expected[i]) return false;
  return true;
}

/**
 * Whether `infoBytes` is the info dictionary the magnet names. Every hash given must match (a hybrid magnet
 * names both); with none given nothing can be trusted, so the answer is false.
 */
export async function verifyMetadata(hasher: Hasher, infoBytes: Uint8Array, expected: ExpectedInfoHash): Promise<boolean> {
  const { v1, v2 } = expected;
  if (!v1 && !v2) return false;
  if (v1) {
    if (v1.length !== 20) return false;
    if (!startsWith(await hasher.digest('sha1', infoBytes), v1)) return false;
  }
  if (v2) {
    if (v2.length !== 20 && v2.length !== 32) return false;
    if (!startsWith(await hasher.digest('sha256', infoBytes), v2)) return false;
  }
  return true;
}
