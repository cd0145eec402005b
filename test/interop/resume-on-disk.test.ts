// Data on disk outranks resume data (issue 12, part 1): a download killed with SIGKILL at any moment
// keeps every verified piece it wrote, and resume data saved for one data folder is never used for
// another. Through the real CLI, with libtorrent as the seeder counting the bytes it uploads.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMetainfo } from '../../src/core/metainfo/index.js';
import type { Metainfo } from '../../src/core/metainfo/model.js';
import { nodeHasher } from '../../sidecar/src/hash/node-hasher.js';
import { sluice, sluiceLong } from '../helpers/cli.js';
import { startLibtorrent, stopAllLibtorrent, type LibtorrentLine, type LibtorrentPeer } from '../helpers/libtorrent.js';
import { requireTool } from '../helpers/tools.js';
import { cleanTemps, hashTree, jsonLines, killChildren, tempDir, track, writeFolder } from './fixture.js';

const PIECE = 65536;

afterEach(async () => {
  await stopAllLibtorrent();
  await killChildren();
  cleanTemps();
});

interface Fixture {
  readonly src: string;
  readonly torrent: string;
  readonly meta: Metainfo;
}

/** The fixture album (about 3.4 MiB in 53 pieces of 64 KiB, v1) made by `sluice create`. */
async function album(): Promise<Fixture> {
  const src = tempDir('src');
  const folder = writeFolder(src, 'album');
  const torrent = join(tempDir('t'), 'album.torrent');
  const made = sluice(['create', folder, '-o', torrent, '--piece-length', String(PIECE)]);
  expect(made.status, made.stderr).toBe(0);
  return { src, torrent, meta: await parseMetainfo(new Uint8Array(readFileSync(torrent)), nodeHasher) };
}

/** Pieces whose bytes under `dataDir` match the torrent's hashes, hashed here, independently of Sluice. */
function piecesOnDisk(meta: Metainfo, dataDir: string): number[] {
  const space = new Uint8Array(meta.pieceSpaceLength);
  for (const file of meta.files) {
    if (file.padding || file.length === 0) continue;
    const path = join(dataDir, meta.name, ...file.path);
    if (!existsSync(path)) continue;
    space.set(new Uint8Array(readFileSync(path)).subarray(0, file.length), file.offset);
  }
  const good: number[] = [];
  for (let i = 0; i < meta.pieceCount; i++) {
    const piece = space.subarray(i * meta.pieceLength, Math.min((i + 1) * meta.pieceLength, meta.pieceSpaceLength));
    const digest = createHash('sha1').update(piece).digest();
    if (digest.equals(meta.pieceHashes!.subarray(i * 20, i * 20 + 20))) good.push(i);
  }
  return good;
}

function missingBytes(meta: Metainfo, have: readonly number[]): number {
  let bytes = meta.length;
  for (const i of have) bytes -= Math.min(meta.pieceLength, meta.pieceSpaceLength - i * meta.pieceLength);
  return bytes;
}

/** A libtorrent seeder of the album, started fresh for one run so its upload count is that run's alone. */
function seeder(f: Fixture): Promise<LibtorrentPeer> {
  return startLibtorrent({ torrent: f.torrent, savePath: f.src, seedMode: true });
}

/** What libtorrent says it uploaded, from a status line printed after `since` lines (after the downloader exited). */
async function uploadedAfter(peer: LibtorrentPeer, since: number): Promise<number> {
  const line = (await peer.waitFor((l) => l.type === 'status' && peer.lines.indexOf(l) >= since, 10_000)) as Extract<LibtorrentLine, { type: 'status' }>;
  return line.uploaded;
}

function download(f: Fixture, out: string, state: string, peer: LibtorrentPeer, extra: readonly string[] = []) {
  const run = sluiceLong(['download', f.torrent, '--out', out, '--state', state, '--no-dht', '--no-webrtc', '--json', '--port', '0', '--peer', `127.0.0.1:${peer.port}`, ...extra]);
  track(run.child);
  run.firstLine.catch(() => undefined);
  return run;
}

/** Resolves with the first JSON status line (not an `event` line of the alert log) that satisfies `match`. */
async function statusLine(run: ReturnType<typeof sluiceLong>, match: (l: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>> {
  const started = Date.now();
  for (;;) {
    const hit = jsonLines(run.stdout()).find((l) => !('event' in l) && match(l));
    if (hit) return hit;
    if (run.child.exitCode !== null) throw new Error(`sluice exited before ${what}: ${run.stdout().slice(-600)} ${run.stderr()}`);
    if (Date.now() - started > 60_000) throw new Error(`no status line with ${what}: ${run.stdout().slice(-600)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs a download until a status line shows at least `fraction` done, then kills it with SIGKILL. */
async function killAt(f: Fixture, out: string, state: string, fraction: number): Promise<{ first: Record<string, unknown>; onDisk: number[] }> {
  const peer = await seeder(f);
  // Limited so that each status line (one a second) moves about 15%: the kill lands on progress, not on a clock.
  const run = download(f, out, state, peer, ['--download-limit', '512K']);
  const first = await statusLine(run, () => true, 'any progress');
  const at = await statusLine(run, (l) => (l['progress'] as number) >= fraction, `progress ≥ ${fraction}`);
  run.child.kill('SIGKILL');
  await run.exited;
  expect(run.child.signalCode).toBe('SIGKILL');
  await peer.close();
  const onDisk = piecesOnDisk(f.meta, out);
  expect(onDisk.length, `status said ${String(at['progress'])}`).toBeGreaterThan(0);
  expect(onDisk.length).toBeLessThan(f.meta.pieceCount);
  return { first, onDisk };
}

describe('data on disk outranks resume data (real CLI, libtorrent seeder)', () => {
  it('a download SIGKILLed again and again (~15% with its resume data lost, ~35%, ~60%) keeps what it wrote, and fetches only what is missing', async () => {
    requireTool('libtorrent');
    const f = await album();
    const out = tempDir('out');
    const state = tempDir('state');
    const resumeFile = join(state, 'resume', `${Buffer.from(f.meta.infoHash!).toString('hex')}.resume`);

    let onDisk: number[] = [];
    for (const [fraction, dropResume] of [[0.15, true], [0.35, false], [0.6, false]] as const) {
      const killed = await killAt(f, out, state, fraction);
      // Every run counts, before its first status line, every piece the last one left on disk.
      expect(killed.first['verifiedBytes'], `run killed at ${fraction}`).toBeGreaterThanOrEqual(f.meta.length - missingBytes(f.meta, onDisk));
      onDisk = killed.onDisk;
      // As a kill before the first save would leave it: no resume data at all.
      if (dropResume) rmSync(resumeFile);
    }

    const peer = await seeder(f);
    const last = download(f, out, state, peer);
    expect(await last.exited, last.stderr()).toBe(0);
    const lines = jsonLines(last.stdout());
    expect(lines[0]!['verifiedBytes']).toBeGreaterThanOrEqual(f.meta.length - missingBytes(f.meta, onDisk));
    expect(lines.at(-1)).toMatchObject({ state: 'done', progress: 1 });
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(join(f.src, 'album')));
    // One connection: at most what was missing plus one piece in flight.
    const uploaded = await uploadedAfter(peer, peer.lines.length);
    expect(uploaded).toBeGreaterThan(0);
    expect(uploaded).toBeLessThanOrEqual(missingBytes(f.meta, onDisk) + PIECE);
  });

  it('seed --data OTHER_DIR with complete data seeds at once, though resume data for the info hash exists for another folder', async () => {
    requireTool('libtorrent');
    const f = await album();
    const state = tempDir('state');
    // A download into one folder, stopped cleanly part way (resume data claims what it got), then removed.
    const first = tempDir('first');
    const peer = await seeder(f);
    const run = download(f, first, state, peer, ['--download-limit', '512K']);
    await statusLine(run, (l) => (l['progress'] as number) >= 0.2, 'progress ≥ 0.2');
    run.child.kill('SIGINT');
    expect(await run.exited, run.stderr()).toBe(0);
    await peer.close();
    expect(existsSync(join(state, 'resume', `${Buffer.from(f.meta.infoHash!).toString('hex')}.resume`))).toBe(true);
    rmSync(first, { recursive: true, force: true });

    // The complete data, elsewhere.
    const other = tempDir('other');
    writeFolder(other, 'album');
    const seed = sluiceLong(['seed', f.torrent, '--data', other, '--state', state, '--no-dht', '--no-webrtc', '--json', '--port', '0']);
    track(seed.child);
    const hello = JSON.parse(await seed.firstLine) as { port: number };
    const status = await statusLine(seed, (l) => 'state' in l, 'a status line');
    expect(status).toMatchObject({ state: 'seeding', progress: 1 });

    // And it serves it: libtorrent downloads the album from it.
    const leecher = tempDir('leecher');
    const lt = await startLibtorrent({ torrent: f.torrent, savePath: leecher, peers: [hello.port] });
    await lt.waitFor((l) => l.type === 'status' && l.seeding && l.progress === 1, 30_000);
    expect(hashTree(join(leecher, 'album'))).toEqual(hashTree(join(other, 'album')));
    seed.child.kill('SIGINT');
    await seed.exited;
  });

  it('resume data for another folder never vouches for files there, even with the same sizes and mtimes', async () => {
    requireTool('libtorrent');
    const f = await album();
    const state = tempDir('state');
    // Whole seconds, which every file system and utimes keep exactly.
    const when = 1_700_000_000;
    utimesSync(join(f.src, 'album', 'cover.jpg'), when, when);
    // Seeding from the source folder records resume data claiming every piece, with its files' states.
    const source = sluiceLong(['seed', f.torrent, '--data', f.src, '--state', state, '--no-dht', '--no-webrtc', '--json', '--port', '0']);
    track(source.child);
    expect(await statusLine(source, (l) => 'state' in l, 'a status line')).toMatchObject({ state: 'seeding', progress: 1 });
    source.child.kill('SIGINT');
    expect(await source.exited, source.stderr()).toBe(0);

    // A copy with the same sizes and mtimes, one byte of which differs.
    const other = tempDir('other');
    cpSync(join(f.src, 'album'), join(other, 'album'), { recursive: true, preserveTimestamps: true });
    const cover = join(other, 'album', 'cover.jpg');
    const bytes = readFileSync(cover);
    bytes[100]! ^= 0xff;
    writeFileSync(cover, bytes);
    utimesSync(cover, when, when);
    expect(statSync(cover).mtimeMs).toBe(statSync(join(f.src, 'album', 'cover.jpg')).mtimeMs);

    const seed = sluiceLong(['seed', f.torrent, '--data', other, '--state', state, '--no-dht', '--no-webrtc', '--json', '--port', '0']);
    track(seed.child);
    const status = await statusLine(seed, (l) => 'state' in l, 'a status line');
    // Checked from scratch: every piece but the one holding the changed byte.
    expect(status).toMatchObject({ state: 'downloading', verifiedBytes: f.meta.length - PIECE });
    seed.child.kill('SIGINT');
    await seed.exited;
  });
});
