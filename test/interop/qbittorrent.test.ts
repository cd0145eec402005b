import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sluice } from '../helpers/cli.js';
import { startQBittorrent, type QBittorrent } from '../helpers/qbittorrent.js';
import { cleanTemps, hashTree, killChildren, tempDir, writeFolder } from './fixture.js';
import { describe as explain, sluiceDownload, sluiceSeed } from './sluice-run.js';

const running: QBittorrent[] = [];
afterEach(async () => {
  await killChildren();
  for (const q of running.splice(0)) await q.close();
  cleanTemps();
});

async function qbittorrent(): Promise<QBittorrent> {
  const q = await startQBittorrent();
  running.push(q);
  return q;
}

function sluiceCreate(folder: string, out: string): string {
  const r = sluice(['create', folder, '-o', out, '--piece-length', '65536', '--json']);
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { infoHash: string }).infoHash;
}

describe('sluice ↔ qBittorrent 4.5 (qbittorrent-nox, TCP on 127.0.0.1)', () => {
  it('qBittorrent downloads a multi-file torrent from sluice seed', async () => {
    const src = tempDir('src');
    const album = writeFolder(src, 'album');
    const torrent = join(tempDir('t'), 'album.torrent');
    const infoHash = sluiceCreate(album, torrent);
    const seeder = await sluiceSeed(torrent, ['--data', src]);

    const q = await qbittorrent();
    const out = tempDir('out');
    await q.add(torrent, out);
    // qBittorrent answers "Ok." before the torrent is listed, and libtorrent drops a peer given while it
    // still checks its (empty) files: name the peer again until the download has started.
    let asked = 0;
    await expect
      .poll(
        async () => {
          const info = await q.info(infoHash);
          if (info && info.progress === 0 && asked++ % 8 === 0) await q.addPeer(infoHash, `127.0.0.1:${seeder.port}`);
          return info?.progress;
        },
        { timeout: 40_000, interval: 250 },
      )
      .toBe(1);
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
  });

  it('sluice downloads from qBittorrent seeding a torrent it was given, byte-identical', async () => {
    const src = tempDir('src');
    const album = writeFolder(src, 'album');
    const torrent = join(tempDir('t'), 'album.torrent');
    const infoHash = sluiceCreate(album, torrent);
    const q = await qbittorrent();
    await q.add(torrent, src, { skipChecking: true });
    await expect.poll(async () => (await q.info(infoHash))?.progress, { timeout: 10_000, interval: 100 }).toBe(1);

    const out = tempDir('out');
    const d = await sluiceDownload(torrent, out, [`127.0.0.1:${q.peerPort}`]);
    expect(d.code, explain(d)).toBe(0);
    expect(d.lines.at(-1)).toMatchObject({ infoHash, state: 'done', progress: 1 });
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
  });
});
