import { describe, expect, it } from 'vitest';
import type { StorageFactory } from '../../../src/core/ports/storage.js';
import { StorageError } from '../../../src/core/storage/errors.js';
import { memoryStorage } from '../../../src/core/storage/memory-store.js';
import { makeTorrent, seededStorage, SimNet } from '../../helpers/engine.js';

/** A store whose disk fills up after `disk.room` pieces (a test may make more room). */
function fillingStorage(disk: { room: number }): StorageFactory {
  return {
    async open(layout, options) {
      const store = await memoryStorage.open(layout, options);
      let written = 0;
      return Object.assign(Object.create(Object.getPrototypeOf(store)), store, {
        writePiece: async (index: number, data: Uint8Array) => {
          if (written >= disk.room) throw new StorageError('storage/disk-full', 'no space left on the disk holding the download');
          written++;
          return store.writePiece(index, data);
        },
        read: store.read.bind(store),
        readPiece: store.readPiece.bind(store),
        fileStates: store.fileStates.bind(store),
        setFileWanted: store.setFileWanted.bind(store),
        flush: store.flush.bind(store),
        close: store.close.bind(store),
        deleteData: store.deleteData.bind(store),
      });
    },
  };
}

describe('a full disk', () => {
  it('stops the torrent with a clear error and keeps what was verified', async () => {
    const t = await makeTorrent([{ path: ['a.bin'], length: 400_000 }], { pieceLength: 16384 });
    const net = new SimNet();
    await net.session('seeder', { storage: seededStorage(t) }).addTorrent({ torrent: t.bytes });
    const disk = { room: 5 };
    const leecher = net.session('leecher', { storage: fillingStorage(disk) });
    const alerts: string[] = [];
    leecher.on((a) => void (a.type === 'torrent-error' && alerts.push(a.message)));
    const torrent = await leecher.addTorrent({ torrent: t.bytes }, { peers: ['seeder:1'] });
    await net.run(() => torrent.status().state === 'error');
    // Several writes were in flight when the disk filled; the torrent says why once.
    await net.run(() => false, { maxSteps: 50 }).catch(() => {});
    expect(alerts).toEqual(['no space left on the disk holding the download']);
    const status = torrent.status();
    expect(status.error).toEqual({ code: 'storage/disk-full', message: 'no space left on the disk holding the download' });
    expect(status.verifiedBytes).toBe(5 * 16384);
    expect(status.peers).toBe(0);

    // Room is made; Resume (with no Pause before it) goes on from what was verified.
    disk.room = Infinity;
    torrent.resume();
    expect(torrent.status().state).toBe('downloading');
    expect(torrent.status().error).toBeNull();
    await net.run(() => torrent.status().state === 'seeding');
    expect(torrent.status().verifiedBytes).toBe(400_000);
  });
});
