import { createCipheriv, createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { ChildProcess } from 'node:child_process';

/**
 * A few MiB in several files and folders, sizes that straddle piece boundaries, plus an empty file:
 * enough to exercise multi-file layout, padding and the last short piece without slowing a test.
 */
export const ALBUM: Readonly<Record<string, number>> = {
  'cover.jpg': 1_048_576 + 4_099,
  'disc 1/01 intro.flac': 1_500_001,
  'disc 1/02 theme.flac': 65_536,
  'disc 2/03 reprise.flac': 777_777,
  'notes/readme.txt': 1_234,
  'notes/empty.txt': 0,
};

/** Deterministic bytes that differ for every (seed, offset): AES-128-CTR keystream keyed by the seed. */
function bytesFor(seed: string, length: number): Uint8Array {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, new Uint8Array(16));
  return new Uint8Array(Buffer.concat([cipher.update(new Uint8Array(length)), cipher.final()]));
}

const temps: string[] = [];

/** A fresh temporary folder, removed by `cleanTemps()`. */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `sluice-interop-${label}-`));
  temps.push(dir);
  return dir;
}

export function cleanTemps(): void {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes `files` under `<parent>/<name>/`; returns that folder's path. */
export function writeFolder(parent: string, name: string, files: Readonly<Record<string, number>> = ALBUM, seed = name): string {
  const root = join(parent, name);
  for (const [path, length] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, bytesFor(`${seed}/${path}`, length));
  }
  return root;
}

/** Every regular file under `root` (relative path with '/') → sha256 hex, sorted by path. */
export function hashTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out[relative(root, full).split('\\').join('/')] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(root);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Parses sluice's JSON lines (skipping anything else it printed). */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    out.push(JSON.parse(line) as Record<string, unknown>);
  }
  return out;
}

const children = new Set<ChildProcess>();

/** Remembers a child so `killChildren()` ends it if the test fails before it exits on its own. */
export function track<T extends ChildProcess>(child: T): T {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export async function killChildren(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 3000).unref();
        }),
    ),
  );
  children.clear();
}
