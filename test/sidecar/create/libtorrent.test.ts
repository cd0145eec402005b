import { readFileSync, writeFileSync, openSync, writeSync, closeSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTorrent } from '../../../src/core/create/create.js';
import { toHex } from '../../../src/core/util/hex.js';
import { createTorrentFromPath, fsCreateSource, walkPath } from '../../../sidecar/src/create/index.js';
import { createHasherPool, type HasherPool } from '../../../sidecar/src/hash/worker-pool.js';
import { run, runPython } from '../../helpers/tools.js';
import { writeTree } from './data.js';

const SCRIPT = readFileSync(new URL('./libtorrent.py', import.meta.url), 'utf8');

interface LtReport {
  loaded: { v1: string | null; v2: string | null };
  libtorrent_created?: { v1: string | null; v2: string | null };
  num_pieces: number;
  files: [string, number, boolean][];
  recheck: boolean;
  state: string;
  progress: number;
  num_have: number;
}

/** `ownPieceLength`: let libtorrent create its own torrent of `dataPath` too (negative: v1 only). */
function libtorrentCheck(torrent: Uint8Array, savePath: string, dataPath = '-', ownPieceLength = 0, verify = true): LtReport {
  const file = join(mkdtempSync(join(tmpdir(), 'sluice-lt-')), 'made.torrent');
  writeFileSync(file, torrent);
  return JSON.parse(runPython(SCRIPT, [file, savePath, dataPath, String(ownPieceLength), verify ? 'verify' : 'load'])) as LtReport;
}

const ODD_TREE = {
  'a.bin': 70000,
  'a-b': 10,
  'a/x': 10,
  'b/c.dat': 16384,
  'b/empty': 0,
  'big.dat': 300001,
  'exact': 32768,
  'z': 5,
  'ü.txt': 1234,
  // UTF-8 byte order and UTF-16 order disagree on these two: libtorrent sorts by bytes.
  '\uE000.txt': 100,
  '\u{1F600}.txt': 200,
};

describe('created torrents in libtorrent', () => {
  let pool: HasherPool;
  beforeAll(() => {
    pool = createHasherPool({ workers: 2 });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('v1 single file: same info hash, and libtorrent verifies the data', async () => {
    const root = writeTree({ 'movie.bin': 1_000_003 });
    const path = join(root, 'movie.bin');
    const made = await createTorrentFromPath(path, { pieceLength: 65536 });
    expect(made.infoHashV2).toBeNull();
    const lt = libtorrentCheck(made.torrent, root);
    expect(lt.loaded).toEqual({ v1: toHex(made.infoHash), v2: null });
    expect(lt.num_pieces).toBe(16);
    expect(lt.recheck).toBe(true);
    expect([lt.state, lt.progress, lt.num_have]).toEqual(['seeding', 1, 16]);
  });

  it('v1 multi-file matches mktorrent byte for byte in the info hash, and libtorrent verifies it', async () => {
    // `run` throws when mktorrent is missing (requireTool('mktorrent') probes `mktorrent -v`, which exits 1).
    const root = writeTree({ 'album/01.flac': 123457, 'album/02.flac': 99999, 'album/cover/front.jpg': 4567, 'album/notes.txt': 1 });
    const path = join(root, 'album');
    const made = await createTorrentFromPath(path, { pieceLength: 32768, announce: [['http://127.0.0.1:1/announce']] });
    const out = join(root, 'mk.torrent');
    run('mktorrent', ['-l', '15', '-a', 'http://127.0.0.1:1/announce', '-o', out, path]);
    const mk = libtorrentCheck(readFileSync(out), root, '-', 0, false);
    const ours = libtorrentCheck(made.torrent, root);
    expect(ours.loaded.v1).toBe(toHex(made.infoHash));
    expect(mk.loaded.v1).toBe(toHex(made.infoHash));
    expect(ours.files.map((f) => f[0])).toEqual([
      'album/01.flac',
      'album/02.flac',
      'album/cover/front.jpg',
      'album/notes.txt',
    ]);
    expect([ours.state, ours.progress]).toEqual(['seeding', 1]);
  });

  it('hybrid multi-file with odd sizes and an empty file: both hashes equal libtorrent\'s own, and the data verifies', async () => {
    const root = writeTree(Object.fromEntries(Object.entries(ODD_TREE).map(([p, n]) => [`odd/${p}`, n])));
    const path = join(root, 'odd');
    const walked = await walkPath(path);
    const source = fsCreateSource(walked.absolutePaths);
    // One piece per batch on the worker pool: batching and shared memory both take part.
    const made = await createTorrent(
      { name: walked.name, files: walked.files, singleFile: false, pieceLength: 32768, hybrid: true },
      source,
      pool.hasher,
      { allocate: pool.allocate, batchBytes: 32768, inFlight: 3 },
    );
    await source.close();
    const lt = libtorrentCheck(made.torrent, root, path, 32768);
    expect(lt.loaded).toEqual({ v1: toHex(made.infoHash), v2: toHex(made.infoHashV2!) });
    expect(lt.libtorrent_created).toEqual(lt.loaded);
    expect(lt.files.filter((f) => !f[2]).map((f) => f[0])).toEqual([
      'odd/a/x', 'odd/a-b', 'odd/a.bin', 'odd/b/c.dat', 'odd/b/empty', 'odd/big.dat', 'odd/exact', 'odd/z', 'odd/ü.txt', 'odd/\uE000.txt', 'odd/\u{1F600}.txt',
    ]);
    expect(lt.recheck).toBe(true);
    expect([lt.state, lt.progress, lt.num_have]).toEqual(['seeding', 1, lt.num_pieces]);
    expect(made.magnet).toBe(
      `magnet:?xt=urn:btih:${toHex(made.infoHash)}&xt=urn:btmh:1220${toHex(made.infoHashV2!)}&dn=odd`,
    );
  });

  it('hybrid single file and a larger piece length also match libtorrent', async () => {
    const root = writeTree({ 'clip.webm': 5_000_001 });
    const path = join(root, 'clip.webm');
    const made = await createTorrentFromPath(path, { hybrid: true, pieceLength: 1 << 20, workers: 0 });
    const lt = libtorrentCheck(made.torrent, root, path, 1 << 20);
    expect(lt.loaded).toEqual({ v1: toHex(made.infoHash), v2: toHex(made.infoHashV2!) });
    expect(lt.libtorrent_created).toEqual(lt.loaded);
    expect([lt.state, lt.progress, lt.num_have]).toEqual(['seeding', 1, 5]);
  });

  it('libtorrent rejects data that does not match (the check is real)', async () => {
    const root = writeTree({ 'data/one.bin': 100000, 'data/two.bin': 50000 });
    const made = await createTorrentFromPath(join(root, 'data'), { hybrid: true, pieceLength: 16384 });
    const fd = openSync(join(root, 'data/two.bin'), 'r+');
    writeSync(fd, new Uint8Array([0xff, 0x00, 0xff]), 0, 3, 20000);
    closeSync(fd);
    const lt = libtorrentCheck(made.torrent, root);
    expect(lt.recheck).toBe(true);
    expect(lt.progress).toBeLessThan(1);
    expect(lt.num_have).toBe(lt.num_pieces - 1);
  });
});
