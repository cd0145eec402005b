import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { torrentListFiles } from '../../../sidecar/src/engine/torrent-list-files.js';
import { torrentListContract } from '../../contracts/torrent-list.contract.js';
import { cleanTemps, tempDir } from '../../interop/fixture.js';

afterAll(() => cleanTemps());

torrentListContract('files under --state', async () => {
  const dir = tempDir('torrent-list');
  const fail = (line: string) => {
    throw new Error(`unexpected warning: ${line}`);
  };
  return { store: torrentListFiles(dir, fail), reopen: () => torrentListFiles(dir, fail) };
});

const HASH = 'ab'.repeat(20);
const GOOD = {
  infoHash: HASH,
  addedAt: 1,
  magnet: `magnet:?xt=urn:btih:${HASH}`,
  info: null,
  pieceLayers: [],
  trackers: [],
  urlList: [],
  paused: true,
};

describe('torrent list files', () => {
  it('reports a corrupt, foreign, misnamed or mislabelled file in one line each and still lists the good one', async () => {
    const dir = tempDir('torrent-list-bad');
    const torrents = join(dir, 'torrents');
    mkdirSync(torrents, { recursive: true });
    await torrentListFiles(dir, () => {}).putTorrent(GOOD);
    writeFileSync(join(torrents, `${'01'.repeat(20)}.json`), '{"format":"sluice-torrent-rec'); // cut short by a crash of another program
    writeFileSync(join(torrents, `${'02'.repeat(20)}.json`), JSON.stringify({ hello: 'world' }));
    writeFileSync(join(torrents, `${'03'.repeat(20)}.json`), JSON.stringify({ ...GOOD, infoHash: HASH.replace('a', 'c') }));
    writeFileSync(join(torrents, `${'04'.repeat(20)}.json`), JSON.stringify({ ...GOOD, format: 'sluice-torrent-record', version: 2, infoHash: '04'.repeat(20) }));
    writeFileSync(join(torrents, 'notes.json'), '{}');
    writeFileSync(join(dir, 'settings.json'), '[1,2');
    const warnings: string[] = [];
    const store = torrentListFiles(dir, (line) => warnings.push(line));
    expect((await store.torrents()).map((r) => [r.infoHash, r.paused])).toEqual([[HASH, true]]);
    expect(await store.settings()).toEqual({});
    expect(warnings.sort()).toEqual([
      `ignoring ${join(dir, 'settings.json')}: not a JSON object`,
      `ignoring ${join(torrents, `${'01'.repeat(20)}.json`)}: not JSON`,
      `ignoring ${join(torrents, `${'02'.repeat(20)}.json`)}: not a sluice-torrent-record file`,
      `ignoring ${join(torrents, `${'03'.repeat(20)}.json`)}: not a sluice-torrent-record file`,
      `ignoring ${join(torrents, `${'04'.repeat(20)}.json`)}: sluice-torrent-record version 2, not 1`,
      `ignoring ${join(torrents, 'notes.json')}: its name is not an info hash`,
    ].sort());
  });

  it('replaces a record by rename, leaving no temporary file, and removes the resume file with the record when asked', async () => {
    const dir = tempDir('torrent-list-atomic');
    const store = torrentListFiles(dir, () => {});
    await store.putTorrent(GOOD);
    await store.putTorrent({ ...GOOD, paused: false });
    expect(readdirSync(join(dir, 'torrents'))).toEqual([`${HASH}.json`]);
    expect(JSON.parse(readFileSync(join(dir, 'torrents', `${HASH}.json`), 'utf8')).paused).toBe(false);
    mkdirSync(join(dir, 'resume'));
    writeFileSync(join(dir, 'resume', `${HASH}.resume`), 'x');
    await store.removeTorrent(HASH, false);
    expect(readdirSync(join(dir, 'resume'))).toEqual([`${HASH}.resume`]);
    await store.putTorrent(GOOD);
    await store.removeTorrent(HASH, true);
    expect(readdirSync(join(dir, 'resume'))).toEqual([]);
    expect(readdirSync(join(dir, 'torrents'))).toEqual([]);
  });
});
