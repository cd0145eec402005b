import { createStore, del, get, promisifyRequest, set, type UseStore } from 'idb-keyval';
import type { SessionSettings } from '../../core/api/types.js';
import type { ResumeStore } from '../../core/engine/context.js';

/**
 * One torrent of the engine's list, as it is kept between page loads. Everything else about it is
 * either in its resume data (verified pieces, file priorities, file states, location) or on disk.
 */
export interface TorrentRecord {
  /** The session's key: lower-case hex v1 hash (a v2-only torrent: the truncated v2 hash). */
  readonly infoHash: string;
  /** When it was first added (ms since the epoch): the list is restored in this order. */
  readonly addedAt: number;
  /** Its magnet with every tracker it announces to: how it is added again while its metadata is unknown. */
  readonly magnet: string;
  /** The exact bytes of its info dictionary, once known (the hashes are of these bytes). */
  readonly info: Uint8Array | null;
  /** BEP 52 piece layers by pieces root (hex), for v2 and hybrid torrents. */
  readonly pieceLayers: readonly (readonly [string, Uint8Array])[];
  /** Every tracker it announces to, and its web seeds. */
  readonly trackers: readonly string[];
  readonly urlList: readonly string[];
  /** Paused by the person (a reload keeps it paused). */
  readonly paused: boolean;
  /** Its own rate limits in bytes per second (0: none), when the person set them. */
  readonly rateLimits?: { readonly download: number; readonly upload: number };
}

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
export class EngineState {
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
