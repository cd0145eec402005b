import { createStore, del, get, promisifyRequest, set, type UseStore } from 'idb-keyval';
import type { SessionSettings } from '../../core/api/types.js';
import type { ResumeStore } from '../../core/engine/context.js';
import type { TorrentListStore, TorrentRecord } from '../../core/persist/torrent-list.js';

export type { TorrentRecord };

const DATABASE = 'sluice-engine';
const STORE = 'state';

/** Keys in the one object store: `['torrent', infoHash]`, `['resume', infoHash]`, `['settings']`. */
const TORRENT = 'torrent';
const RESUME = 'resume';
const SETTINGS = 'settings';

/**
 * The engine's saved state in IndexedDB (idb-keyval, one object store, array keys): the torrent
 * list with each torrent's metainfo, the core's resume data (encoded by `encodeResume`, so the core
 * decides what is trusted), and the session settings. Pieces themselves live in OPFS or the
 * IndexedDB piece store; this database holds only what tells the engine what to do with them.
 */
export class EngineState implements TorrentListStore {
  private readonly db: UseStore;

  constructor(databaseName = DATABASE) {
    this.db = createStore(databaseName, STORE);
  }

  async torrents(): Promise<TorrentRecord[]> {
    const records = await this.db('readonly', (store) => promisifyRequest(store.getAll(IDBKeyRange.bound([TORRENT], [TORRENT, []])) as IDBRequest<TorrentRecord[]>));
    return records.sort((a, b) => a.addedAt - b.addedAt);
  }

  async torrent(infoHash: string): Promise<TorrentRecord | null> {
    return (await get<TorrentRecord>([TORRENT, infoHash], this.db)) ?? null;
  }

  putTorrent(record: TorrentRecord): Promise<void> {
    return set([TORRENT, record.infoHash], record, this.db);
  }

  /** Forgets the torrent; its resume data goes too when its data was deleted (else it spares a recheck if it is added again). */
  async removeTorrent(infoHash: string, withResume: boolean): Promise<void> {
    await this.db('readwrite', (store) => {
      store.delete([TORRENT, infoHash]);
      if (withResume) store.delete([RESUME, infoHash]);
      return promisifyRequest(store.transaction);
    });
  }

  async settings(): Promise<Partial<SessionSettings>> {
    return (await get<Partial<SessionSettings>>([SETTINGS], this.db)) ?? {};
  }

  saveSettings(settings: Partial<SessionSettings>): Promise<void> {
    return set([SETTINGS], settings, this.db);
  }

  /** The core's ResumeStore: each torrent's encoded resume data under `['resume', infoHash]`. */
  get resume(): ResumeStore {
    return {
      load: async (key) => (await get<Uint8Array>([RESUME, key], this.db)) ?? null,
      save: (key, data) => set([RESUME, key], data, this.db),
      remove: (key) => del([RESUME, key], this.db),
    };
  }
}
