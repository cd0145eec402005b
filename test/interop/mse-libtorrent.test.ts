import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sluice } from '../helpers/cli.js';
import { startLibtorrent, stopAllLibtorrent, type LibtorrentLine } from '../helpers/libtorrent.js';
import { requireTool } from '../helpers/tools.js';
import { cleanTemps, hashTree, killChildren, tempDir, writeFolder } from './fixture.js';
import { describe as explain, sluiceDownload, sluiceSeed } from './sluice-run.js';

const isSeeding = (l: LibtorrentLine) => l.type === 'status' && l.seeding && l.progress === 1;

/** libtorrent's peer log (verbose mode), one message per line. */
const peerLog = (lines: readonly LibtorrentLine[]) =>
  lines.map((l) => (l.type === 'log' && l.alert === 'peer_log_alert' ? l.message : '')).filter((m) => m !== '').join('\n');

afterEach(async () => {
  await stopAllLibtorrent();
  await killChildren();
  cleanTemps();
});

function sluiceCreate(folder: string, out: string): string {
  const r = sluice(['create', folder, '-o', out, '--piece-length', '32768', '--json']);
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { infoHash: string }).infoHash;
}

// libtorrent set to pe_forced both ways with RC4 only refuses any plaintext connection, so a
// finished transfer is one that ran through Sluice's MSE handshake and RC4 stream.
describe('sluice ↔ libtorrent 2.0 with encryption forced (MSE/PE, RC4 only)', () => {
  it('libtorrent downloads from `sluice seed`: it dials with MSE, sluice answers as the responder', async () => {
    requireTool('libtorrent');
    const src = tempDir('src');
    const album = writeFolder(src, 'album');
    const torrent = join(tempDir('t'), 'album.torrent');
    sluiceCreate(album, torrent);
    const seed = await sluiceSeed(torrent, ['--data', src]);

    const out = tempDir('out');
    const lt = await startLibtorrent({ torrent, savePath: out, peers: [seed.port], forceRc4: true, verbose: true });
    await lt.waitFor(isSeeding);
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
    // Sluice, the responder, selected RC4 in step 4.
    expect(peerLog(lt.lines)).toContain('ENCRYPTION [ crypto select : [ rc4 ] ]');
  });

  it('libtorrent fetches the metadata too (magnet) over the encrypted stream', async () => {
    requireTool('libtorrent');
    const src = tempDir('src');
    const album = writeFolder(src, 'album');
    const seed = await sluiceSeed(album);

    const out = tempDir('out');
    const lt = await startLibtorrent({ magnet: seed.magnet, savePath: out, peers: [seed.port], forceRc4: true });
    await lt.waitFor((l) => l.type === 'metadata');
    await lt.waitFor(isSeeding);
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
  });

  it('`sluice download` from a libtorrent seeder: refused in plaintext, sluice redials with MSE', async () => {
    requireTool('libtorrent');
    const src = tempDir('src');
    const album = writeFolder(src, 'album');
    const torrent = join(tempDir('t'), 'album.torrent');
    const infoHash = sluiceCreate(album, torrent);
    const seeder = await startLibtorrent({ torrent, savePath: src, seedMode: true, forceRc4: true, verbose: true });

    const out = tempDir('out');
    const d = await sluiceDownload(torrent, out, [`127.0.0.1:${seeder.port}`]);
    expect(d.code, explain(d)).toBe(0);
    expect(d.lines.at(-1), `${explain(d)}\nlibtorrent's peer log (end):\n${peerLog(seeder.lines).split('\n').slice(-40).join('\n')}`).toMatchObject({ infoHash, state: 'done', progress: 1 });
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
    await seeder.waitFor((l) => l.type === 'status' && l.uploaded > 0);
    const log = peerLog(seeder.lines);
    // The plaintext attempt was refused, then Sluice's MSE retry carried its handshake as the IA.
    expect(log).toContain('incoming regular connections disabled');
    expect(log).toContain('ENCRYPTION [ crypto provide : [ plaintext rc4 ] ]');
    expect(log).toContain('ENCRYPTION [ len(IA) : 68 ]');
    expect(log).toContain('ENCRYPTION [  crypto select: rc4 ]');
  });
});
