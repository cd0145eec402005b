import type { SessionSettings } from '../api/types.js';
import type { AddTorrentOptions, Session, TorrentSource } from '../engine/session.js';
import type { Torrent } from '../engine/torrent.js';
import { parseInfoDictionary } from '../metainfo/index.js';
import type { Metainfo } from '../metainfo/model.js';
import type { Hasher } from '../ports/hasher.js';
import type { TorrentListStore, TorrentRecord } from './torrent-list.js';
import { SluiceError } from '../errors.js';
import { toHex } from '../util/hex.js';

export class PersistError extends SluiceError<'persist/foreign-record'> {}

/** Bytes per second; 0 = no limit of its own. */
export interface TorrentRateLimits {
  readonly download: number;
  readonly upload: number;
}

export interface PersistedTorrentsOptions {
  /** Where the list lives; null keeps it in memory only (tests). */
  readonly store: TorrentListStore | null;
  readonly hasher: Hasher;
  /** A torrent's magnet with every tracker it announces to. */
  readonly magnetOf: (torrent: Torrent) => string;
  /** Runs `task` in `ms`; returns a cancel. */
  readonly after: (ms: number, task: () => void) => () => void;
  /** Wall-clock milliseconds since the epoch (a record's `addedAt`). */
  readonly now: () => number;
}

/** Changes that do not come from a command (metadata arrived) are saved together, at most this late. */
const COALESCE_MS = 1000;

/** A torrent that failed to come back, in words for the page. */
export interface RestoreFailure {
  readonly infoHash: string;
  readonly message: string;
}

/**
 * The engine's torrent list as it outlives the page or the process: which torrents, how to add each
 * again (its exact info bytes once known, else its magnet), its trackers and web seeds, and whether
 * the person paused it. Pieces, priorities and file states are the core's resume data, and what is
 * on disk outranks both: a restored torrent is checked by the core as any start is. The browser's
 * worker and `sluice serve` keep it, each over its own TorrentListStore.
 */
export class PersistedTorrents {
  private readonly records = new Map<string, TorrentRecord>();
  /** Torrents whose record changed on its own, saved together at the next flush. */
  private readonly dirty = new Map<string, Torrent>();
  private flushTimer: (() => void) | null = null;
  private writing: Promise<void> = Promise.resolve();
  private readonly state: TorrentListStore | null;

  constructor(private readonly options: PersistedTorrentsOptions) {
    this.state = options.store;
  }

  /** Whether the torrent has a record (added, or restored). */
  has(infoHash: string): boolean {
    return this.records.has(infoHash);
  }

  /** Resolves once every write asked for so far has landed (or failed). */
  settled(): Promise<void> {
    return this.writing;
  }

  /** The torrent's own rate limits (0: none). */
  rateLimits(infoHash: string): TorrentRateLimits {
    return this.records.get(infoHash)?.rateLimits ?? { download: 0, upload: 0 };
  }

  async setRateLimits(torrent: Torrent, rateLimits: TorrentRateLimits): Promise<void> {
    const previous = this.records.get(torrent.infoHashHex);
    if (!previous) return;
    this.records.set(torrent.infoHashHex, this.recordOf(torrent, { ...previous, rateLimits }));
    await this.write(torrent.infoHashHex);
  }

  isPaused(infoHash: string): boolean {
    return this.records.get(infoHash)?.paused ?? false;
  }

  /**
   * Adds every saved torrent back to `session`, in the order they were first added, each paused if
   * the person left it paused. Returns those that could not be added (a record that no longer
   * parses is dropped, and said so).
   */
  async restore(session: Session, options: { readonly settings?: boolean } = {}): Promise<RestoreFailure[]> {
    if (!this.state) return [];
    const failures: RestoreFailure[] = [];
    // The sidecar's settings come from its command line, not from a file.
    const settings = options.settings === false ? {} : await this.state.settings();
    if (Object.keys(settings).length > 0) session.applySettings(settings);
    for (const record of await this.state.torrents()) {
      try {
        this.records.set(record.infoHash, record);
        const torrent = await session.addTorrent(await this.sourceOf(record), this.optionsOf(record));
        if (record.rateLimits) torrent.setRateLimits(record.rateLimits.download, record.rateLimits.upload);
      } catch (err) {
        this.records.delete(record.infoHash);
        await this.state.removeTorrent(record.infoHash, false).catch(() => {});
        failures.push({ infoHash: record.infoHash, message: `could not restore torrent ${record.infoHash}: ${err instanceof Error ? err.message : String(err)}` });
      }
    }
    return failures;
  }

  /** A torrent the person added: saved before the command answers, so a reload right after keeps it. */
  async added(torrent: Torrent, paused: boolean): Promise<void> {
    const record = this.recordOf(torrent, { addedAt: this.options.now(), paused });
    this.records.set(record.infoHash, record);
    await this.write(record.infoHash);
  }

  async setPaused(torrent: Torrent, paused: boolean): Promise<void> {
    const previous = this.records.get(torrent.infoHashHex);
    if (!previous) return;
    this.records.set(torrent.infoHashHex, this.recordOf(torrent, { ...previous, paused }));
    await this.write(torrent.infoHashHex);
  }

  /**
   * Something about the torrent changed on its own (its metadata arrived, its check ended): saved
   * within a second, as it is then (the record is made at the flush, not now).
   */
  changed(torrent: Torrent): void {
    this.dirty.set(torrent.infoHashHex, torrent);
    this.flushTimer ??= this.options.after(COALESCE_MS, () => {
      this.flushTimer = null;
      this.flushChanged();
    });
  }

  /** Writes what changed on its own now, rather than within the second; resolves once every write landed. */
  flush(): Promise<void> {
    this.flushTimer?.();
    this.flushTimer = null;
    this.flushChanged();
    return this.settled();
  }

  /**
   * Keeps a record of every torrent `session` gets, however it came (the sidecar's operands, a
   * browser's join, remote mode) as not paused (a pause is `setPaused`); follows metadata and checks,
   * and forgets removed torrents. Restored torrents keep their records. Returns the unsubscribe.
   */
  follow(session: Session): () => void {
    return session.on((alert) => {
      const torrent = session.torrent(alert.infoHash);
      if (alert.type === 'torrent-added' && torrent && !this.records.has(alert.infoHash)) {
        void this.added(torrent, false).catch(() => {});
      } else if ((alert.type === 'metadata-received' || alert.type === 'torrent-checked') && torrent) {
        this.changed(torrent);
      } else if (alert.type === 'torrent-removed' && this.records.has(alert.infoHash)) {
        void this.removed(alert.infoHash, false).catch(() => {});
      }
    });
  }

  private flushChanged(): void {
    for (const [key, t] of this.dirty) {
      const previous = this.records.get(key);
      if (!previous) continue;
      this.records.set(key, this.recordOf(t, previous));
      void this.write(key).catch(() => {});
    }
    this.dirty.clear();
  }

  async removed(infoHash: string, deleteData: boolean): Promise<void> {
    this.records.delete(infoHash);
    this.dirty.delete(infoHash);
    await this.queue(() => this.state?.removeTorrent(infoHash, deleteData));
  }

  async saveSettings(settings: SessionSettings): Promise<void> {
    await this.queue(() => this.state?.saveSettings(settings));
  }

  /** Writes one at a time, in call order, so an older record never lands after a newer one. */
  private write(infoHash: string): Promise<void> {
    this.dirty.delete(infoHash);
    return this.queue(() => {
      const record = this.records.get(infoHash);
      return record ? this.state?.putTorrent(record) : undefined;
    });
  }

  private queue(run: () => Promise<void> | undefined): Promise<void> {
    const next = this.writing.then(run);
    this.writing = next.catch(() => {});
    return next;
  }

  private recordOf(torrent: Torrent, kept: Pick<TorrentRecord, 'addedAt' | 'paused' | 'rateLimits'>): TorrentRecord {
    const meta = torrent.metainfo;
    return {
      infoHash: torrent.infoHashHex,
      addedAt: kept.addedAt,
      magnet: this.options.magnetOf(torrent),
      info: meta ? meta.infoBytes : null,
      pieceLayers: meta ? [...meta.pieceLayers] : [],
      trackers: torrent.trackers().map((t) => t.url),
      urlList: meta ? [...meta.urlList] : [],
      paused: kept.paused,
      ...(kept.rateLimits ? { rateLimits: kept.rateLimits } : {}),
    };
  }

  private async sourceOf(record: TorrentRecord): Promise<TorrentSource> {
    if (!record.info) return { magnet: record.magnet };
    const info = await parseInfoDictionary(record.info, this.options.hasher);
    // Bytes that changed on disk would make another torrent: refused, the record dropped.
    const key = toHex(info.infoHash ?? info.infoHashV2!.subarray(0, 20));
    if (key !== record.infoHash) throw new PersistError('persist/foreign-record', `its info dictionary hashes to ${key}`);
    const metainfo: Metainfo = {
      ...info,
      announce: record.trackers.map((url) => [url]),
      urlList: [...record.urlList],
      pieceLayers: new Map(record.pieceLayers),
    };
    return { metainfo };
  }

  private optionsOf(record: TorrentRecord): AddTorrentOptions {
    // The trackers come back with the metainfo's announce list, or in the magnet.
    return { paused: record.paused };
  }
}
