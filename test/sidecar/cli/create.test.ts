import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMetainfo } from '../../../src/core/metainfo/index.js';
import { toHex } from '../../../src/core/util/hex.js';
import { nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';
import { sluice } from '../../helpers/cli.js';
import { runPython } from '../../helpers/tools.js';

function content(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

// The same checker the creation tests use: loads the torrent, force_recheck over the data, reports.
const LIBTORRENT_CHECK = readFileSync(join(import.meta.dirname, '..', 'create', 'libtorrent.py'), 'utf8');

interface LibtorrentReport {
  loaded: { v1: string | null; v2: string | null };
  num_pieces: number;
  state: string;
  progress: number;
  num_have: number;
}

/** libtorrent's view of a torrent file, after it rechecked the data under `savePath`. */
function libtorrentVerify(torrentPath: string, savePath: string): LibtorrentReport {
  return JSON.parse(runPython(LIBTORRENT_CHECK, [torrentPath, savePath, '-', '0', 'verify'])) as LibtorrentReport;
}

describe('sluice create', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-create-'));
  const album = join(dir, 'album');
  mkdirSync(join(album, 'sub'), { recursive: true });
  writeFileSync(join(album, 'a.bin'), content(70_000, 1));
  writeFileSync(join(album, 'sub', 'b.bin'), content(20_001, 2));
  writeFileSync(join(album, 'empty.txt'), '');

  it('writes a v1 torrent, prints its magnet and hash; libtorrent reads the same hash and verifies the data', async () => {
    const out = join(dir, 'album.torrent');
    const r = sluice(['create', album, '-o', out, '--announce', 'udp://127.0.0.1:6970/announce', '--webseed', 'http://127.0.0.1:8000/', '--comment', 'hello', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout);
    const m = await parseMetainfo(new Uint8Array(readFileSync(out)), nodeHasher);
    expect(printed.infoHash).toBe(toHex(m.infoHash!));
    expect(printed.infoHashV2).toBeNull();
    expect(printed.magnet).toContain(`xt=urn:btih:${printed.infoHash}`);
    expect(m.version).toBe('v1');
    expect(m.createdBy).toBe('Sluice/0.1.0');
    expect(m.comment).toBe('hello');
    expect(m.announce).toEqual([['udp://127.0.0.1:6970/announce']]);
    expect(m.urlList).toEqual(['http://127.0.0.1:8000/']);
    expect(m.files.map((f) => [f.path.join('/'), f.length])).toEqual([
      ['a.bin', 70_000],
      ['empty.txt', 0],
      ['sub/b.bin', 20_001],
    ]);
    const lt = libtorrentVerify(out, dir);
    expect(lt.loaded.v1).toBe(printed.infoHash);
    expect([lt.state, lt.progress, lt.num_have]).toEqual(['seeding', 1, lt.num_pieces]);
  });

  it('writes a hybrid torrent with --hybrid whose two hashes libtorrent agrees with, and verifies the data', () => {
    const out = join(dir, 'album-hybrid.torrent');
    const r = sluice(['create', album, '-o', out, '--hybrid', '--private', '--piece-length', '16K', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout);
    expect(printed.infoHashV2).toMatch(/^[0-9a-f]{64}$/);
    const lt = libtorrentVerify(out, dir);
    expect([lt.loaded.v1, lt.loaded.v2]).toEqual([printed.infoHash, printed.infoHashV2]);
    expect([lt.state, lt.progress, lt.num_have]).toEqual(['seeding', 1, lt.num_pieces]);
  });

  it('prints the torrent path, hash and magnet for a person', () => {
    const r = sluice(['create', join(album, 'a.bin')], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Wrote .*a\.bin\.torrent\nInfo hash: {4}[0-9a-f]{40}\nMagnet: {7}magnet:\?xt=urn:btih:[0-9a-f]{40}&dn=a\.bin/);
    expect(existsSync(join(dir, 'a.bin.torrent'))).toBe(true);
  });

  it('refuses to overwrite an existing file unless --force', () => {
    const out = join(dir, 'taken.torrent');
    writeFileSync(out, 'precious');
    const r = sluice(['create', album, '-o', out]);
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd()).toBe(`sluice: '${out}' already exists (use --force to overwrite it)`);
    expect(readFileSync(out, 'utf8')).toBe('precious');
    expect(sluice(['create', album, '-o', out, '--force']).status).toBe(0);
  });

  const mistakes: [string, string[], string][] = [
    ['a piece length that is not a power of two', ['--piece-length', '100000'], 'sluice: --piece-length must be a power of two from 16K to 16M, got 100000'],
    ['a piece length that is not a number', ['--piece-length', 'big'], "sluice: --piece-length must be a number of bytes such as 262144 or 256K, got 'big'"],
    ['an announce that is not a URL', ['--announce', 'nope'], "sluice: --announce 'nope' is not a URL"],
    ['a web seed that is not HTTP', ['--webseed', 'udp://x:1/'], "sluice: --webseed 'udp://x:1/' must use http, https"],
  ];
  for (const [what, extra, line] of mistakes) {
    it(`rejects ${what} with one line and status 2`, () => {
      const r = sluice(['create', album, '-o', join(dir, 'never.torrent'), ...extra]);
      expect(r.status).toBe(2);
      expect(r.stderr.trimEnd()).toBe(line);
      expect(existsSync(join(dir, 'never.torrent'))).toBe(false);
    });
  }

  it('rejects a path that does not exist with one line and status 2', () => {
    const r = sluice(['create', join(dir, 'missing'), '-o', join(dir, 'never.torrent')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^sluice: .*missing/);
  });
});
