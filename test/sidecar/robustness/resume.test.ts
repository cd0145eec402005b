import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeResume } from '../../../src/core/resume/index.js';
import { Bitfield } from '../../../src/core/util/bitfield.js';
import { sluiceLong } from '../../helpers/cli.js';
import type { TestTorrent } from '../../helpers/engine.js';
import { RawSeeder } from '../../helpers/raw-peer.js';
import { sameBytes, singleFileTorrent, until } from './harness.js';

// 48 pieces of 64 KiB; the seeder sends 384 KiB/s at first, so a run takes seconds, not a blink.
const PIECE = 65536;
const LENGTH = 48 * PIECE;
const SLOW = 384 * 1024;

interface StatusLine {
  state: string;
  progress: number;
  downloaded: number;
  verifiedBytes?: number;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ t: TestTorrent; seeder: RawSeeder; dir: string; args: string[]; resumePath: string }> {
  const t = await singleFileTorrent(LENGTH, PIECE);
  const seeder = await RawSeeder.start({ metainfo: t.metainfo, space: t.space, bytesPerSecond: SLOW });
  cleanups.push(() => seeder.close());
  const dir = mkdtempSync(join(tmpdir(), 'sluice-resume-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'data.torrent'), t.bytes);
  const args = ['download', join(dir, 'data.torrent'), '--out', join(dir, 'out'), '--state', join(dir, 'state'), '--no-dht', '--json', '--peer', seeder.address];
  const resumePath = join(dir, 'state', 'resume', `${Buffer.from(t.metainfo.infoHash!).toString('hex')}.resume`);
  return { t, seeder, dir, args, resumePath };
}

function start(args: string[]) {
  const run = sluiceLong(args);
  cleanups.push(() => void run.child.kill('SIGKILL'));
  return run;
}

function lines(stdout: string): StatusLine[] {
  return stdout
    .trim()
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as StatusLine);
}

/** The pieces a resume file claims, or an empty list while there is none. */
function claimed(resumePath: string, pieceCount: number): number[] {
  if (!existsSync(resumePath)) return [];
  const data = decodeResume(new Uint8Array(readFileSync(resumePath)));
  return [...Bitfield.fromWire(data.have, pieceCount).indices()];
}

/** Runs the same command again at full speed and checks it fetches only what the resume data did not claim. */
async function finishAfterRestart(t: TestTorrent, seeder: RawSeeder, args: string[], dir: string, had: readonly number[]): Promise<StatusLine[]> {
  seeder.bytesPerSecond = 0;
  const requestsBefore = seeder.requests.length;
  const second = start(args);
  const code = await second.exited;
  expect(second.stderr()).toBe('');
  expect(code).toBe(0);
  const out = lines(second.stdout());
  expect(out.at(-1)).toMatchObject({ state: 'done', progress: 1 });
  // The first line comes after the check: every claimed piece is already counted.
  expect(out[0]!.verifiedBytes).toBeGreaterThanOrEqual(had.length * PIECE);
  const asked = new Set(seeder.requests.slice(requestsBefore).map((r) => r.index));
  for (const piece of had) expect(asked.has(piece), `piece ${piece} asked for again`).toBe(false);
  expect(out.at(-1)!.downloaded).toBeLessThanOrEqual(LENGTH - had.length * PIECE);
  expect(sameBytes(new Uint8Array(readFileSync(join(dir, 'out', 'data.bin'))), t.files[0]!)).toBe(true);
  return out;
}

describe('sluice download resumes', () => {
  it('after SIGKILL, from the resume data saved while downloading', async () => {
    const { t, seeder, dir, args, resumePath } = await setup();
    const first = start(args);
    // Resume data that claims verified pieces appears while the download runs, long before the end.
    await until(() => claimed(resumePath, t.metainfo.pieceCount).length > 0, 'resume data claiming a verified piece', 20_000);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(first.child.signalCode).toBe('SIGKILL');
    const had = claimed(resumePath, t.metainfo.pieceCount);
    expect(had.length).toBeGreaterThan(0);
    expect(had.length).toBeLessThan(t.metainfo.pieceCount);
    await finishAfterRestart(t, seeder, args, dir, had);
  });

  it('after SIGINT, which saves resume data and exits with code 0', async () => {
    const { t, seeder, dir, args, resumePath } = await setup();
    const first = start(args);
    await until(() => lines(first.stdout()).some((l) => l.progress > 0), 'progress in the status lines', 20_000);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.stderr()).toBe('');
    const seen = Math.max(...lines(first.stdout()).map((l) => l.verifiedBytes ?? 0));
    const had = claimed(resumePath, t.metainfo.pieceCount);
    // Saved at shutdown: at least everything the last status line reported as verified.
    expect(had.length * PIECE).toBeGreaterThanOrEqual(seen);
    expect(had.length).toBeLessThan(t.metainfo.pieceCount);
    const out = await finishAfterRestart(t, seeder, args, dir, had);
    expect(out[0]!.progress).toBeGreaterThan(0);
  });
});
