import { describe, expect, it } from 'vitest';
import type { TorrentListStore, TorrentRecord } from '../../src/core/persist/torrent-list.js';

/** A fresh, empty place, and a way to open a second store on the same place (as the next run does). */
export interface TorrentListPlace {
  readonly store: TorrentListStore;
  reopen(): TorrentListStore;
}

function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed + (i >>> 8) * 7) & 0xff;
  return out;
}

function record(n: number, changes: Partial<TorrentRecord> = {}): TorrentRecord {
  const infoHash = n.toString(16).padStart(40, '0');
  return {
    infoHash,
    addedAt: 1_700_000_000_000 + n,
    magnet: `magnet:?xt=urn:btih:${infoHash}&dn=t${n}&tr=udp%3A%2F%2F127.0.0.1%3A6969`,
    info: bytes(300 + n, n),
    pieceLayers: [['ab'.repeat(32), bytes(64, n + 1)]],
    trackers: ['udp://127.0.0.1:6969', 'ws://127.0.0.1:8000/announce'],
    urlList: ['http://127.0.0.1:8080/files/'],
    paused: false,
    ...changes,
  };
}

/** Where two byte arrays first differ (-1: equal); deep equality over MiBs takes expect() too long. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** Compared field by field, bytes as plain arrays, so a Buffer and a Uint8Array of the same bytes are equal. */
function plain(r: TorrentRecord): unknown {
  return { ...r, info: r.info ? Array.from(r.info) : null, pieceLayers: r.pieceLayers.map(([root, layer]) => [root, Array.from(layer)]) };
}

/** The torrent list port's contract (src/core/persist/torrent-list.ts), run against every implementation. */
export function torrentListContract(name: string, makePlace: () => Promise<TorrentListPlace>): void {
  describe(`torrent list contract: ${name}`, () => {
    it('starts empty: no torrents, no settings', async () => {
      const { store } = await makePlace();
      expect(await store.torrents()).toEqual([]);
      expect(await store.settings()).toEqual({});
    });

    it('gives back every field of a record exactly, in this run and the next', async () => {
      const place = await makePlace();
      const full = record(1, { paused: true, rateLimits: { download: 1000, upload: 2000 } });
      const magnetOnly = record(2, { info: null, pieceLayers: [], urlList: [], trackers: [] });
      await place.store.putTorrent(full);
      await place.store.putTorrent(magnetOnly);
      for (const store of [place.store, place.reopen()]) {
        const got = await store.torrents();
        expect(got.map(plain)).toEqual([plain(full), plain(magnetOnly)]);
        expect(got[0]!.info).toBeInstanceOf(Uint8Array);
        expect('rateLimits' in got[1]!).toBe(false);
      }
    });

    it('keeps an info dictionary of 4 MiB byte for byte', async () => {
      const place = await makePlace();
      const big = record(3, { info: bytes(4 * 1024 * 1024, 9) });
      await place.store.putTorrent(big);
      const [got] = await place.reopen().torrents();
      expect(got!.info!.length).toBe(big.info!.length);
      expect(firstDifference(got!.info!, big.info!)).toBe(-1);
    });

    it('lists the torrents in the order they were first added, whatever the order of the writes', async () => {
      const place = await makePlace();
      for (const n of [5, 1, 9, 3]) await place.store.putTorrent(record(n));
      expect((await place.reopen().torrents()).map((r) => r.addedAt - 1_700_000_000_000)).toEqual([1, 3, 5, 9]);
    });

    it('replaces the record of the same torrent, keeping one', async () => {
      const place = await makePlace();
      await place.store.putTorrent(record(4));
      await place.store.putTorrent(record(4, { paused: true, trackers: ['http://127.0.0.1:1/announce'] }));
      const got = await place.reopen().torrents();
      expect(got).toHaveLength(1);
      expect(got[0]!.paused).toBe(true);
      expect(got[0]!.trackers).toEqual(['http://127.0.0.1:1/announce']);
    });

    it('forgets a removed torrent, with or without its resume data; removing an unknown one does nothing', async () => {
      const place = await makePlace();
      for (const n of [1, 2, 3]) await place.store.putTorrent(record(n));
      await place.store.removeTorrent(record(2).infoHash, false);
      await place.store.removeTorrent(record(3).infoHash, true);
      await place.store.removeTorrent(record(7).infoHash, true);
      expect((await place.reopen().torrents()).map((r) => r.infoHash)).toEqual([record(1).infoHash]);
    });

    it('keeps the settings saved last', async () => {
      const place = await makePlace();
      await place.store.saveSettings({ downloadRateLimit: 1000 });
      await place.store.saveSettings({ downloadRateLimit: 5000, uploadRateLimit: 700 });
      expect(await place.reopen().settings()).toEqual({ downloadRateLimit: 5000, uploadRateLimit: 700 });
      expect(await place.reopen().torrents()).toEqual([]);
    });
  });
}
