import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sluice } from '../../helpers/cli.js';
import { cleanTemps, hashTree, killChildren, tempDir, writeFolder } from '../../interop/fixture.js';
import { describe as explain, sluiceDownload, sluiceSeed } from '../../interop/sluice-run.js';

// The album (test/interop/fixture.ts) as `sluice info` numbers its files, in the torrent's order:
// 1 cover.jpg, 2 disc 1/01 intro.flac, 3 disc 1/02 theme.flac, 4 disc 2/03 reprise.flac, 5 notes/empty.txt, 6 notes/readme.txt.
afterEach(async () => {
  await killChildren();
  cleanTemps();
});

async function seededAlbum(): Promise<{ album: string; torrent: string; seeder: Awaited<ReturnType<typeof sluiceSeed>> }> {
  const src = tempDir('src');
  const album = writeFolder(src, 'album');
  const torrent = join(tempDir('t'), 'album.torrent');
  const made = sluice(['create', album, '-o', torrent, '--piece-length', '65536', '--json']);
  expect(made.status, made.stderr).toBe(0);
  const seeder = await sluiceSeed(torrent, ['--data', src, '--no-webrtc']);
  return { album, torrent, seeder };
}

function only(tree: Record<string, string>, paths: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).filter(([p]) => paths.includes(p)));
}

describe('download --select: only the chosen files', () => {
  it('numbers files in sluice info as --select takes them', async () => {
    const { torrent } = await seededAlbum();
    const lines = sluice(['info', torrent]).stdout.split('\n');
    const files = lines.slice(lines.indexOf('Files:') + 1).filter((l) => l.length > 0);
    expect(files.map((l) => l.trim().split(/\s+/)[0])).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(files[2]).toMatch(/ disc 1\/02 theme\.flac$/);
  });

  it('from a .torrent: writes the selected files byte-identical and never creates the others', async () => {
    const { album, torrent, seeder } = await seededAlbum();
    const out = tempDir('out');
    const d = await sluiceDownload(torrent, out, [`127.0.0.1:${seeder.port}`], 40_000, ['--select', '2,4-4', '--no-webrtc']);
    expect(d.code, explain(d)).toBe(0);
    expect(d.lines.at(-1)).toMatchObject({ state: 'done', progress: 1 });
    const chosen = ['disc 1/01 intro.flac', 'disc 2/03 reprise.flac'];
    expect(only(hashTree(join(out, 'album')), chosen)).toEqual(only(hashTree(album), chosen));
    for (const left of ['cover.jpg', 'disc 1/02 theme.flac', 'notes/readme.txt', 'notes/empty.txt']) expect(existsSync(join(out, 'album', left)), left).toBe(false);
  });

  it('from a magnet: applies the selection once the metadata arrives', async () => {
    const { album, seeder } = await seededAlbum();
    const out = tempDir('out');
    const magnet = `${seeder.magnet}&x.pe=127.0.0.1:${seeder.port}`;
    const d = await sluiceDownload(magnet, out, [], 40_000, ['--select', '3', '--no-webrtc']);
    expect(d.code, explain(d)).toBe(0);
    expect(d.lines.at(-1)).toMatchObject({ state: 'done', progress: 1 });
    expect(hashTree(join(out, 'album'))).toEqual(only(hashTree(album), ['disc 1/02 theme.flac']));
  });

  it('a magnet whose torrent has fewer files than named stops with one line and status 2, having fetched no file', async () => {
    const { seeder } = await seededAlbum();
    const out = tempDir('out');
    const d = await sluiceDownload(`${seeder.magnet}&x.pe=127.0.0.1:${seeder.port}`, out, [], 40_000, ['--select', '1,9', '--no-webrtc']);
    expect(d.code).toBe(2);
    expect(d.stderr).toBe('sluice: --select names file 9, but album has 6 files (see sluice info)\n');
    expect(existsSync(join(out, 'album'))).toBe(false);
  });

  it('refuses a selection that is not file numbers, or names files a .torrent does not have', async () => {
    const { torrent } = await seededAlbum();
    expect(sluice(['download', torrent, '--select', '0', '--state', tempDir('state')])).toMatchObject({
      status: 2,
      stderr: "sluice: --select '0' must list file numbers such as 1,3-5 (the numbers sluice info prints)\n",
    });
    expect(sluice(['download', torrent, '--select', '2-7', '--state', tempDir('state')])).toMatchObject({
      status: 2,
      stderr: 'sluice: --select names file 7, but album has 6 files (see sluice info)\n',
    });
  });
});
