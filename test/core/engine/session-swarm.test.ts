import { describe, expect, it } from 'vitest';
import { pieceSize } from '../../../src/core/metainfo/layout.js';
import { toHex } from '../../../src/core/util/hex.js';
import { makeTorrent, pieceOf, recordingStorage, seededStorage, SimNet, type TestTorrent } from '../../helpers/engine.js';

const FILES = [
  { path: ['a.bin'], length: 100_000 },
  { path: ['empty.txt'], length: 0 },
  { path: ['sub', 'b.bin'], length: 250_001 },
  { path: ['c.bin'], length: 17 },
];

async function expectAllPieces(t: TestTorrent, store: { readPiece(i: number): Promise<Uint8Array | null> }): Promise<void> {
  for (let i = 0; i < t.metainfo.pieceCount; i++) {
    const got = await store.readPiece(i);
    expect(got, `piece ${i}`).not.toBeNull();
    expect(got!.length).toBe(pieceSize(t.metainfo, i));
    expect(Buffer.from(got!).equals(Buffer.from(pieceOf(t, i))), `piece ${i} bytes`).toBe(true);
  }
}

describe('two sessions in memory', () => {
  for (const hybrid of [false, true]) {
    it(`a leecher downloads every byte of a ${hybrid ? 'hybrid' : 'v1'} torrent from a seeder`, async () => {
      const t = await makeTorrent(FILES, { pieceLength: 16384, hybrid });
      const net = new SimNet();
      const seeder = net.session('seeder', { storage: seededStorage(t) });
      const store = recordingStorage();
      const leecher = net.session('leecher', { storage: store });
      const seeding = await seeder.addTorrent({ torrent: t.bytes });
      expect(seeding.status().state).toBe('seeding');
      const downloading = await leecher.addTorrent({ torrent: t.bytes }, { peers: ['seeder:1'] });
      await net.run(() => downloading.status().state === 'seeding');
      const status = downloading.status();
      expect(status.progress).toBe(1);
      expect(status.verifiedBytes).toBe(t.metainfo.pieceSpaceLength);
      await expectAllPieces(t, store.stores[0]!);
      expect(seeding.status().uploaded).toBeGreaterThanOrEqual(t.metainfo.length);
    });
  }

  it('a magnet fetches the metadata from the seeder (ut_metadata), then the data', async () => {
    const t = await makeTorrent(FILES, { pieceLength: 32768 });
    const net = new SimNet();
    const seeder = net.session('seeder', { storage: seededStorage(t) });
    const store = recordingStorage();
    const leecher = net.session('leecher', { storage: store });
    await seeder.addTorrent({ torrent: t.bytes });
    const magnet = `magnet:?xt=urn:btih:${toHex(t.metainfo.infoHash!)}&dn=test&x.pe=seeder:1`;
    const downloading = await leecher.addTorrent({ magnet });
    expect(downloading.status()).toMatchObject({ state: 'metadata', progress: 0, eta: null });
    await net.run(() => downloading.status().state === 'seeding');
    expect(downloading.metainfo?.infoBytes).toEqual(t.metainfo.infoBytes);
    await expectAllPieces(t, store.stores[0]!);
  });

  it('bans a peer that sends bad data and completes from a good one', async () => {
    const t = await makeTorrent(FILES, { pieceLength: 16384 });
    const net = new SimNet();
    const bad = net.session('bad', { storage: seededStorage(t, { corrupt: true }) });
    const good = net.session('good', { storage: seededStorage(t) });
    const store = recordingStorage();
    const leecher = net.session('leecher', { storage: store });
    await bad.addTorrent({ torrent: t.bytes });
    await good.addTorrent({ torrent: t.bytes });
    const banned: string[] = [];
    leecher.on((a) => {
      if (a.type === 'peer-banned') banned.push(a.address);
    });
    const downloading = await leecher.addTorrent({ torrent: t.bytes }, { peers: ['bad:1'] });
    // Let the bad peer be the only source for a while, then offer the good one.
    await net.run(() => banned.length > 0, { maxSteps: 2000 });
    downloading.addPeers(['good:1'], 'manual');
    await net.run(() => downloading.status().state === 'seeding');
    expect(banned).toEqual(['bad:1']);
    await expectAllPieces(t, store.stores[0]!);
  });

  it('smart ban: when a liar and an honest peer share pieces, only the liar is banned', async () => {
    // Which pieces end up shared depends on the order the simulated seeders' reads complete; at this size the
    // seeded swarm shares pieces whether blocks are read one by one or in runs (UploadQueue).
    const t = await makeTorrent([{ path: ['big.bin'], length: 1_200_000 }], { pieceLength: 131072 });
    const net = new SimNet();
    const bad = net.session('bad', { storage: seededStorage(t, { corrupt: true }) });
    const good = net.session('good', { storage: seededStorage(t) });
    await bad.addTorrent({ torrent: t.bytes });
    await good.addTorrent({ torrent: t.bytes });
    const store = recordingStorage();
    const leecher = net.session('leecher', { storage: store });
    const banned: string[] = [];
    let sharedFailures = 0;
    leecher.on((a) => {
      if (a.type === 'peer-banned') banned.push(a.address);
      if (a.type === 'piece-failed' && a.peers.length > 1) sharedFailures++;
    });
    const downloading = await leecher.addTorrent({ torrent: t.bytes }, { peers: ['bad:1', 'good:1'] });
    await net.run(() => downloading.status().state === 'seeding');
    expect(sharedFailures).toBeGreaterThan(0);
    expect(banned).toEqual(['bad:1']);
    await expectAllPieces(t, store.stores[0]!);
  });

  it('three leechers and one seeder all finish, and leechers trade pieces among themselves', async () => {
    const t = await makeTorrent([{ path: ['big.bin'], length: 1_000_000 }], { pieceLength: 16384 });
    const net = new SimNet();
    // A slow seeder: the leechers can only finish quickly by trading with each other.
    const seeder = net.session('seeder', { storage: seededStorage(t), settings: { uploadRateLimit: 200_000 } });
    const seeding = await seeder.addTorrent({ torrent: t.bytes });
    const names = ['l1', 'l2', 'l3'];
    const stores = names.map(() => recordingStorage());
    const torrents = await Promise.all(
      names.map(async (n, i) => net.session(n, { storage: stores[i]! }).addTorrent({ torrent: t.bytes }, { peers: ['seeder:1', ...names.filter((m) => m !== n).map((m) => `${m}:1`)] })),
    );
    await net.run(() => torrents.every((x) => x.status().state === 'seeding'));
    for (const s of stores) await expectAllPieces(t, s.stores[0]!);
    const fromLeechers = torrents.reduce((sum, x) => sum + x.status().uploaded, 0);
    expect(fromLeechers).toBeGreaterThan(0);
    // Three full copies arrived, but the seeder sent far less than three copies.
    expect(seeding.status().uploaded).toBeLessThan(3 * t.metainfo.length);
    expect(seeding.status().uploaded + fromLeechers).toBeGreaterThanOrEqual(3 * t.metainfo.length);
  });
});
