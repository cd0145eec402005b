import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sluice } from '../helpers/cli.js';
import { startWebTorrent, stopAllWebTorrent, type WebTorrentLine } from '../helpers/webtorrent.js';
import { cleanTemps, hashTree, killChildren, tempDir, writeFolder } from './fixture.js';
import { describe as explain, sluiceDownload, sluiceSeed } from './sluice-run.js';

afterEach(async () => {
  await stopAllWebTorrent();
  await killChildren();
  cleanTemps();
});

const isDone = (l: WebTorrentLine) => l.type === 'done';

describe('sluice ↔ webtorrent 3 over TCP (127.0.0.1, plaintext)', () => {
  it('downloads a folder seeded by webtorrent, from its .torrent', async () => {
    const src = tempDir('src');
    const album = writeFolder(src, 'album');
    const torrent = join(tempDir('t'), 'album.torrent');
    const wt = await startWebTorrent({ seed: album, torrentOut: torrent });
    const ready = await wt.waitFor((l): l is Extract<WebTorrentLine, { type: 'ready' }> => l.type === 'ready');
    expect(ready.name).toBe('album');

    const out = tempDir('out');
    const d = await sluiceDownload(torrent, out, [`127.0.0.1:${wt.port}`]);
    expect(d.code, explain(d)).toBe(0);
    expect(d.lines.at(-1)).toMatchObject({ infoHash: ready.infoHash, state: 'done', progress: 1 });
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
  });

  it('downloads by magnet from a webtorrent seeder, fetching the metadata from it (ut_metadata)', async () => {
    const src = tempDir('src');
    const album = writeFolder(src, 'album');
    const wt = await startWebTorrent({ seed: album });
    const ready = await wt.waitFor((l): l is Extract<WebTorrentLine, { type: 'ready' }> => l.type === 'ready');

    const out = tempDir('out');
    const d = await sluiceDownload(`magnet:?xt=urn:btih:${ready.infoHash}&x.pe=127.0.0.1:${wt.port}`, out, []);
    expect(d.code, explain(d)).toBe(0);
    expect(d.lines.at(-1)).toMatchObject({ infoHash: ready.infoHash, name: 'album', state: 'done', progress: 1 });
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
  });

  it('webtorrent downloads a folder from `sluice seed` by its magnet (sluice serves the metadata)', async () => {
    const src = tempDir('src');
    const album = writeFolder(src, 'album');
    const seed = await sluiceSeed(album);

    const out = tempDir('out');
    const wt = await startWebTorrent({ magnet: seed.magnet, out, peers: [`127.0.0.1:${seed.port}`] });
    const ready = await wt.waitFor((l) => l.type === 'ready');
    expect(ready).toMatchObject({ infoHash: seed.infoHash, name: 'album' });
    await wt.waitFor(isDone);
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
  });

  it('webtorrent downloads a .torrent from `sluice seed`', async () => {
    const src = tempDir('src');
    const album = writeFolder(src, 'album');
    const torrent = join(tempDir('t'), 'album.torrent');
    const made = sluice(['create', album, '-o', torrent, '--piece-length', '32768', '--json']);
    expect(made.status, made.stderr).toBe(0);
    const seed = await sluiceSeed(torrent, ['--data', src]);

    const out = tempDir('out');
    const wt = await startWebTorrent({ torrent, out, peers: [`127.0.0.1:${seed.port}`] });
    await wt.waitFor(isDone);
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
  });

  it("downloads from a webtorrent seeder left at its default secure: 1 (it accepts plaintext incoming)", async () => {
    const src = tempDir('src');
    const album = writeFolder(src, 'album');
    const torrent = join(tempDir('t'), 'album.torrent');
    const wt = await startWebTorrent({ seed: album, torrentOut: torrent, secure: 1 });
    await wt.waitFor((l) => l.type === 'ready');

    const out = tempDir('out');
    const d = await sluiceDownload(torrent, out, [`127.0.0.1:${wt.port}`]);
    expect(d.code, explain(d)).toBe(0);
    expect(d.lines.at(-1)).toMatchObject({ state: 'done', progress: 1 });
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
  });
});
