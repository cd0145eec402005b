// Shared helpers for benchmarks that need a big file: made once in bench/.work/ (gitignored), its
// SHA-1 cached next to it, and the page cache put in a known state before each timed run.
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WORK = join(ROOT, 'bench', '.work');
export const MIB = 1 << 20;

/** A random file of `size` bytes at bench/.work/<name>, made once. */
export function ensureRandomFile(name, size) {
  const path = join(WORK, name);
  if (existsSync(path) && statSync(path).size === size) return path;
  mkdirSync(WORK, { recursive: true });
  console.log(`making bench/.work/${name} (once)…`);
  const chunk = new Uint8Array(Math.min(size, 16 * MIB));
  const fd = openSync(path, 'w');
  for (let done = 0; done < size; done += chunk.length) writeSync(fd, randomFillSync(chunk), 0, Math.min(chunk.length, size - done));
  closeSync(fd);
  return path;
}

/** SHA-1 of a whole file, streamed in 16 MiB reads. */
export function sha1File(path) {
  const h = createHash('sha1');
  const buf = Buffer.allocUnsafe(16 * MIB);
  const fd = openSync(path, 'r');
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/** The SHA-1 of a file made by ensureRandomFile, cached beside it (keyed by size and mtime). */
export function cachedSha1(path) {
  const s = statSync(path);
  const stamp = `${s.size}:${Math.trunc(s.mtimeMs)}`;
  const cache = `${path}.sha1`;
  if (existsSync(cache)) {
    const [hex, at] = readFileSync(cache, 'utf8').trim().split(' ');
    if (at === stamp) return hex;
  }
  const hex = sha1File(path);
  writeFileSync(cache, `${hex} ${stamp}\n`);
  return hex;
}

/** Reads a file fully so the next reader finds it in the page cache. */
export function warm(path) {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(16 * MIB);
  while (readSync(fd, buf, 0, buf.length, null) > 0);
  closeSync(fd);
}

/**
 * Flushes dirty pages and drops the page cache (needs root), so one run's written output does not
 * sit in memory or write back during the next. Returns false when the kernel refused.
 */
export function dropCaches() {
  spawnSync('sync');
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3\n');
    return true;
  } catch {
    return false;
  }
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
