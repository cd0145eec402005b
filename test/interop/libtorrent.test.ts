import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sluice } from '../helpers/cli.js';
import { libtorrentCreate, startLibtorrent, stopAllLibtorrent, type LibtorrentLine } from '../helpers/libtorrent.js';
import { requireTool } from '../helpers/tools.js';
import { cleanTemps, hashTree, killChildren, tempDir, writeFolder } from './fixture.js';
import { describe as explain, sluiceDownload, sluiceSeed } from './sluice-run.js';

const isSeeding = (l: LibtorrentLine) => l.type === 'status' && l.seeding && l.progress === 1;

afterEach(async () => {
  await stopAllLibtorrent();
  await killChildren();
  cleanTemps();
});

/** `sluice create` of a folder; returns the .torrent path and the info hash it printed. */
function sluiceCreate(folder: string, out: string, extra: readonly string[] = []): { infoHash: string; infoHashV2?: string } {
  const r = sluice(['create', folder, '-o', out, '--json', ...extra]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { infoHash: string; infoHashV2?: string };
}

describe('sluice ↔ libtorrent 2.0 (TCP on 127.0.0.1)', () => {
  it('downloads a libtorrent-made multi-file torrent from a libtorrent seeder', async () => {
    requireTool('libtorrent');
    const src = tempDir('src');
    const album = writeFolder(src, 'album');
    const torrent = join(tempDir('t'), 'album.torrent');
    const made = libtorrentCreate(album, torrent, { v1Only: true, pieceLength: 65536 });
    expect(made.v1).toMatch(/^[0-9a-f]{40}$/);
    const seeder = await startLibtorrent({ torrent, savePath: src, seedMode: true });

    const out = tempDir('out');
    const d = await sluiceDownload(torrent, out, [`127.0.0.1:${seeder.port}`]);
    expect(d.code, explain(d)).toBe(0);
    expect(d.lines.at(-1)).toMatchObject({ infoHash: made.v1, state: 'done', progress: 1 });
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
    // libtorrent really sent the bytes (it counts payload it uploaded).
    await seeder.waitFor((l) => l.type === 'status' && l.uploaded > 0);
  });

  it('downloads by magnet with x.pe, fetching the metadata from libtorrent (ut_metadata)', async () => {
    requireTool('libtorrent');
    const src = tempDir('src');
    const album = writeFolder(src, 'album');
    const torrent = join(tempDir('t'), 'album.torrent');
    const made = sluiceCreate(album, torrent);
    const seeder = await startLibtorrent({ torrent, savePath: src, seedMode: true });

    const out = tempDir('out');
    const magnet = `magnet:?xt=urn:btih:${made.infoHash}&dn=album&x.pe=127.0.0.1:${seeder.port}`;
    const d = await sluiceDownload(magnet, out, []);
    expect(d.code, explain(d)).toBe(0);
    expect(d.lines.at(-1)).toMatchObject({ infoHash: made.infoHash, name: 'album', state: 'done', progress: 1 });
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
  });

  it('libtorrent downloads a folder from `sluice seed` by its magnet (sluice serves the metadata)', async () => {
    requireTool('libtorrent');
    const src = tempDir('src');
    const album = writeFolder(src, 'album');
    const seed = await sluiceSeed(album);
    expect(seed.magnet).toContain(seed.infoHash);

    const out = tempDir('out');
    const lt = await startLibtorrent({ magnet: seed.magnet, savePath: out, peers: [seed.port] });
    await lt.waitFor((l) => l.type === 'metadata');
    await lt.waitFor(isSeeding);
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
  });

  it('libtorrent downloads a .torrent from `sluice seed` with plaintext-only connections too', async () => {
    requireTool('libtorrent');
    const src = tempDir('src');
    const album = writeFolder(src, 'album');
    const torrent = join(tempDir('t'), 'album.torrent');
    sluiceCreate(album, torrent, ['--piece-length', '32768']);
    const seed = await sluiceSeed(torrent, ['--data', src]);

    const out = tempDir('out');
    const lt = await startLibtorrent({ torrent, savePath: out, peers: [seed.port], plaintext: true });
    await lt.waitFor(isSeeding);
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
  });

  it('`sluice seed --peer` dials a libtorrent leecher that knows nothing of it, and serves it the torrent', async () => {
    requireTool('libtorrent');
    const src = tempDir('src');
    const album = writeFolder(src, 'album');
    const torrent = join(tempDir('t'), 'album.torrent');
    sluiceCreate(album, torrent);
    const out = tempDir('out');
    // libtorrent is given no peer: the only way the two meet is Sluice dialling it.
    const lt = await startLibtorrent({ torrent, savePath: out });
    await sluiceSeed(torrent, ['--data', src, '--peer', `127.0.0.1:${lt.port}`]);
    await lt.waitFor(isSeeding);
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
  });

  it('hybrid (v1+v2) torrent: sluice downloads it from a libtorrent seeder', async () => {
    requireTool('libtorrent');
    const src = tempDir('src');
    const album = writeFolder(src, 'album');
    const torrent = join(tempDir('t'), 'album.torrent');
    const made = sluiceCreate(album, torrent, ['--hybrid']);
    const seeder = await startLibtorrent({ torrent, savePath: src, seedMode: true });
    const added = await seeder.waitFor((l) => l.type === 'added');
    expect(added).toMatchObject({ v1: made.infoHash, v2: made.infoHashV2 });

    const out = tempDir('out');
    const d = await sluiceDownload(torrent, out, [`127.0.0.1:${seeder.port}`]);
    expect(d.code, explain(d)).toBe(0);
    expect(d.lines.at(-1)).toMatchObject({ state: 'done', progress: 1 });
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
  });

  it('hybrid (v1+v2) torrent: libtorrent downloads it from `sluice seed`', async () => {
    requireTool('libtorrent');
    const src = tempDir('src');
    const album = writeFolder(src, 'album');
    const torrent = join(tempDir('t'), 'album.torrent');
    sluiceCreate(album, torrent, ['--hybrid']);
    const seed = await sluiceSeed(torrent, ['--data', src]);

    const out = tempDir('out');
    const lt = await startLibtorrent({ torrent, savePath: out, peers: [seed.port] });
    await lt.waitFor(isSeeding);
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
  });

  it('hybrid: libtorrent joins by a v2-only magnet (btmh) and dials sluice with the truncated v2 hash', async () => {
    requireTool('libtorrent');
    const src = tempDir('src');
    const album = writeFolder(src, 'album');
    const torrent = join(tempDir('t'), 'album.torrent');
    const made = sluiceCreate(album, torrent, ['--hybrid']);
    const seed = await sluiceSeed(torrent, ['--data', src]);

    const out = tempDir('out');
    const lt = await startLibtorrent({ magnet: `magnet:?xt=urn:btmh:1220${made.infoHashV2}&dn=album`, savePath: out, peers: [seed.port] });
    expect(await lt.waitFor((l) => l.type === 'added')).toMatchObject({ v1: null, v2: made.infoHashV2 });
    await lt.waitFor((l) => l.type === 'metadata');
    await lt.waitFor(isSeeding);
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
  });

  it('hybrid: sluice downloads by a v2-only magnet (btmh) from libtorrent', async () => {
    requireTool('libtorrent');
    const src = tempDir('src');
    const album = writeFolder(src, 'album');
    const torrent = join(tempDir('t'), 'album.torrent');
    const made = sluiceCreate(album, torrent, ['--hybrid']);
    const seeder = await startLibtorrent({ torrent, savePath: src, seedMode: true });

    const out = tempDir('out');
    const d = await sluiceDownload(`magnet:?xt=urn:btmh:1220${made.infoHashV2}`, out, [`127.0.0.1:${seeder.port}`]);
    expect(d.code, explain(d)).toBe(0);
    expect(d.lines.at(-1)).toMatchObject({ name: 'album', state: 'done', progress: 1 });
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
  });
});
