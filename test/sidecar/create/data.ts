import { createCipheriv, createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Deterministic bytes that differ for every (seed, offset): AES-128-CTR keystream keyed by the seed. */
export function pseudoRandomBytes(length: number, seed: string): Uint8Array {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, new Uint8Array(16));
  return new Uint8Array(Buffer.concat([cipher.update(new Uint8Array(length)), cipher.final()]));
}

/** Writes files (path parts → length) under a fresh temporary folder; returns the folder. */
export function writeTree(files: Readonly<Record<string, number>>, prefix = 'sluice-create-'): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  for (const [path, length] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, pseudoRandomBytes(length, path));
  }
  return root;
}
