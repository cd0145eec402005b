import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SLUICE_BIN } from '../../helpers/cli.js';
import { RawSeeder } from '../../helpers/raw-peer.js';
import { singleFileTorrent } from './harness.js';

// A real full disk: `sluice download` writes into a 1 MiB tmpfs mounted in a mount namespace of its own
// (unshare -m, as root), so nothing outside the test sees it. The script then grows the tmpfs and runs
// the same download again; it prints markers between the steps and waits for "go" on stdin.
const PIECE = 65536;
const LENGTH = 64 * PIECE;

const SCRIPT = String.raw`
out="$1"; state="$2"; shift 2
mount -t tmpfs -o size=1m tmpfs "$out" || { echo "mount-failed"; exit 97; }
"$@" 2>"$state.err1"; echo "first-exit $?"
read go
mount -o remount,size=16m "$out"
"$@" 2>"$state.err2"; echo "second-exit $?"
sha256sum "$out/data.bin"
`;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a disk that fills up', () => {
  it('stops the download with one clear line, keeps every verified piece, and the next run fetches only the rest', async () => {
    const t = await singleFileTorrent(LENGTH, PIECE);
    const seeder = await RawSeeder.start({ metainfo: t.metainfo, space: t.space });
    cleanups.push(() => seeder.close());
    const dir = mkdtempSync(join(tmpdir(), 'sluice-diskfull-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'data.torrent'), t.bytes);
    const out = join(dir, 'out');
    mkdirSync(out);
    const state = join(dir, 'state');
    const download = [process.execPath, SLUICE_BIN, 'download', join(dir, 'data.torrent'), '--out', out, '--state', state, '--no-dht', '--no-webrtc', '--json', '--peer', seeder.address];
    const child = spawn('unshare', ['-m', '--', 'sh', '-c', SCRIPT, 'sh', out, state, ...download], { stdio: ['pipe', 'pipe', 'pipe'] });
    cleanups.push(() => void child.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    let requestsAtFirstExit = -1;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (requestsAtFirstExit === -1 && /^first-exit \d+$/m.test(stdout)) {
        requestsAtFirstExit = seeder.requests.length;
        child.stdin.write('go\n');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(stderr, 'unshare/mount (needs root)').toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    const firstExit = lines.findIndex((l) => l.startsWith('first-exit'));
    const secondExit = lines.findIndex((l) => l.startsWith('second-exit'));

    // The first run: stops with status 1 and one line naming the full disk; its last status says error.
    expect(lines[firstExit]).toBe('first-exit 1');
    expect(readFileSync(`${state}.err1`, 'utf8')).toMatch(/^sluice: disk full while writing piece \d+\n$/);
    const firstStatus = lines.slice(0, firstExit).map((l) => JSON.parse(l) as { state: string; verifiedBytes: number });
    expect(firstStatus.at(-1)!.state).toBe('error');
    const kept = firstStatus.at(-1)!.verifiedBytes;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(LENGTH);

    // The second run, with room: starts from what was verified, asks only for the rest, ends byte-identical.
    expect(lines[secondExit]).toBe('second-exit 0');
    expect(readFileSync(`${state}.err2`, 'utf8')).toBe('');
    const second = lines.slice(firstExit + 1, secondExit).map((l) => JSON.parse(l) as { state: string; downloaded: number; verifiedBytes: number });
    expect(second[0]!.verifiedBytes).toBeGreaterThanOrEqual(kept);
    expect(second.at(-1)).toMatchObject({ state: 'done' });
    expect(second.at(-1)!.downloaded).toBeLessThanOrEqual(LENGTH - kept);
    const askedAgain = seeder.requests.slice(requestsAtFirstExit).reduce((n, r) => n + r.length, 0);
    expect(askedAgain).toBeLessThanOrEqual(LENGTH - kept);
    expect(lines[secondExit + 1]).toBe(`${createHash('sha256').update(t.files[0]!).digest('hex')}  ${out}/data.bin`);
  });
});
