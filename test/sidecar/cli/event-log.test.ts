import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../../src/core/util/hex.js';
import { sluiceLong } from '../../helpers/cli.js';
import type { TestTorrent } from '../../helpers/engine.js';
import { RawSeeder, type RawSeederOptions } from '../../helpers/raw-peer.js';
import { sameBytes, singleFileTorrent } from '../robustness/harness.js';

// 9 pieces of 64 KiB, the last one short.
const LENGTH = 8 * 65536 + 777;
const PIECE = 65536;
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const STATUS_KEYS = ['infoHash', 'name', 'state', 'progress', 'downloadRate', 'uploadRate', 'peers', 'seeds', 'downloaded', 'uploaded', 'verifiedBytes', 'wantedBytes', 'eta'];
// A HAVE message 6 bytes long (it is 5): a length the engine must not accept, so it drops the peer.
const BAD_HAVE = new Uint8Array([0, 0, 0, 6, 4, 0, 0, 0, 1, 0]);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function seeder(t: TestTorrent, options: Omit<RawSeederOptions, 'metainfo' | 'space'> = {}): Promise<RawSeeder> {
  const s = await RawSeeder.start({ metainfo: t.metainfo, space: t.space, ...options });
  cleanups.push(() => s.close());
  return s;
}

type Line = Record<string, unknown>;

/** `sluice download` of `t` from `peers` with `extra` flags, to the end; what it printed and wrote. */
async function download(t: TestTorrent, peers: readonly RawSeeder[], extra: readonly string[], existingLog = '') {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-event-log-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'data.torrent'), t.bytes);
  if (existingLog) writeFileSync(join(dir, 'events.log'), existingLog);
  const run = sluiceLong(
    ['download', 'data.torrent', '--out', 'out', '--state', 'state', '--no-dht', '--no-lsd', '--no-webrtc', ...peers.flatMap((p) => ['--peer', p.address]), ...extra],
    { cwd: dir },
  );
  cleanups.push(() => void run.child.kill('SIGKILL'));
  const code = await run.exited;
  const lines = run.stdout().trim().split('\n').map((l) => JSON.parse(l) as Line);
  const log = (name: string) => readFileSync(join(dir, name), 'utf8');
  return { code, lines, stderr: run.stderr(), log, file: () => new Uint8Array(readFileSync(join(dir, 'out', 'data.bin'))) };
}

describe('sluice download --json, --log and --verbose: one line per engine event', () => {
  it('shows a peer that connects and is dropped, with its client and the reason, beside unchanged status lines', async () => {
    const t = await singleFileTorrent(LENGTH, PIECE);
    const bad = await seeder(t, { afterAvailability: (c) => c.sendRaw(BAD_HAVE) });
    const good = await seeder(t, { bytesPerSecond: 2 * 1024 * 1024 });
    const d = await download(t, [bad, good], ['--json', '--log', 'events.log']);
    expect(d.stderr).toBe('');
    expect(d.code).toBe(0);
    expect(sameBytes(d.file(), t.files[0]!)).toBe(true);

    const events = d.lines.filter((l) => 'event' in l);
    const status = d.lines.filter((l) => !('event' in l));
    // The status lines are what they were: the same keys, and the last line says done.
    for (const s of status.slice(0, -1)) expect(Object.keys(s)).toEqual(STATUS_KEYS);
    expect(d.lines.at(-1)).toMatchObject({ state: 'done', progress: 1 });
    expect(d.lines[0]).not.toHaveProperty('event');

    const hash = toHex(t.metainfo.infoHash!);
    for (const e of events) {
      expect(e.time).toMatch(ISO_TIME);
      expect(e).toMatchObject({ infoHash: hash, name: 'data.bin' });
    }
    const connected = events.find((e) => e.event === 'peer-connected' && e.peer === bad.address);
    expect(connected).toMatchObject({ event: 'peer-connected', peer: bad.address, client: expect.any(String) });
    const dropped = events.find((e) => e.event === 'peer-disconnected' && e.peer === bad.address);
    expect(dropped).toEqual({
      event: 'peer-disconnected',
      time: expect.stringMatching(ISO_TIME),
      infoHash: hash,
      name: 'data.bin',
      peer: bad.address,
      client: connected!.client,
      reason: 'have message has length 6, expected 5',
    });
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['torrent-added', 'peer-connected', 'peer-disconnected', 'torrent-finished']));

    // --log FILE: the same events, in the same order, as text lines; then those of the shutdown, which
    // the JSON stream leaves out so that its last line stays the final status.
    const text = d.log('events.log').trimEnd().split('\n');
    expect(text.length).toBeGreaterThanOrEqual(events.length);
    expect(events.at(-1)).toMatchObject({ event: 'torrent-finished' });
    events.forEach((e, i) => expect(text[i]!.startsWith(`${e.time} ${e.event} data.bin [${hash.slice(0, 8)}]`), text[i]).toBe(true));
    const i = events.indexOf(dropped!);
    expect(text[i]).toBe(`${dropped!.time} peer-disconnected data.bin [${hash.slice(0, 8)}] ${bad.address} (${connected!.client}): have message has length 6, expected 5`);
  });

  it('--verbose prints the same lines as --log, on stderr, and --log appends to what the file held', async () => {
    const t = await singleFileTorrent(LENGTH, PIECE);
    const bad = await seeder(t, { afterAvailability: (c) => c.sendRaw(BAD_HAVE) });
    const good = await seeder(t, { bytesPerSecond: 2 * 1024 * 1024 });
    const d = await download(t, [bad, good], ['--verbose', '--log', 'events.log'], 'an earlier run\n');
    expect(d.code).toBe(0);
    expect(d.log('events.log')).toBe(`an earlier run\n${d.stderr}`);
    const logged = d.stderr;
    expect(logged).toMatch(new RegExp(` peer-disconnected data\\.bin \\[\\w{8}\\] ${bad.address.replace(/\./g, '\\.')} \\(.*\\): have message has length 6, expected 5\\n`));
  });
});
