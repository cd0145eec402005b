import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/api/types.js';
import { SluiceError } from '../../../src/core/errors.js';
import { toHex } from '../../../src/core/util/hex.js';
import { makeTorrent, recordingStorage, seededStorage, SimNet } from '../../helpers/engine.js';

const FILES = [
  { path: ['a.bin'], length: 100_000 },
  { path: ['b.bin'], length: 70_000 },
  { path: ['c.bin'], length: 90_000 },
];

describe('file priorities chosen once a magnet\'s metadata is known', () => {
  it('are asked for once, with the metadata, before the store opens, and only the chosen file is fetched', async () => {
    const t = await makeTorrent(FILES, { pieceLength: 16384 });
    const net = new SimNet();
    await net.session('seeder', { storage: seededStorage(t) }).addTorrent({ torrent: t.bytes });
    const store = recordingStorage();
    const leecher = net.session('leecher', { storage: store });
    const asked: string[][] = [];
    const magnet = `magnet:?xt=urn:btih:${toHex(t.metainfo.infoHash!)}&x.pe=seeder:1`;
    const downloading = await leecher.addTorrent({ magnet }, {
      filePrioritiesFor: (meta) => {
        asked.push(meta.files.map((f) => f.path.join('/')));
        // The store is not open yet: nothing can have been written for files about to be left out.
        expect(store.stores).toHaveLength(0);
        return meta.files.map((f) => (f.path.join('/') === 'b.bin' ? 4 : 0));
      },
    });
    await net.run(() => downloading.status().state === 'seeding');
    expect(asked).toEqual([['a.bin', 'b.bin', 'c.bin']]);
    expect(downloading.files().map((f) => [f.path, f.priority, f.progress])).toEqual([
      ['a.bin', 0, expect.any(Number)],
      ['b.bin', 4, 1],
      ['c.bin', 0, expect.any(Number)],
    ]);
    expect(downloading.status()).toMatchObject({ progress: 1, wantedBytes: 70_000 });
  });

  it('fail the torrent with the error the chooser throws, before anything is stored', async () => {
    const t = await makeTorrent(FILES, { pieceLength: 16384 });
    const net = new SimNet();
    await net.session('seeder', { storage: seededStorage(t) }).addTorrent({ torrent: t.bytes });
    const store = recordingStorage();
    const leecher = net.session('leecher', { storage: store });
    const alerts: Alert[] = [];
    leecher.on((a) => alerts.push(a));
    const magnet = `magnet:?xt=urn:btih:${toHex(t.metainfo.infoHash!)}&x.pe=seeder:1`;
    const downloading = await leecher.addTorrent({ magnet }, {
      filePrioritiesFor: () => {
        throw new SluiceError('cli/usage', 'no such file');
      },
    });
    await net.run(() => downloading.status().state === 'error');
    expect(downloading.status().error).toEqual({ code: 'cli/usage', message: 'no such file' });
    expect(alerts.find((a) => a.type === 'torrent-error')).toMatchObject({ code: 'cli/usage', message: 'no such file' });
    expect(store.stores).toHaveLength(0);
  });
});
