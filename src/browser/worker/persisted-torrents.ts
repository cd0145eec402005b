import type { SessionSettings } from '../../core/api/types.js';
import type { AddTorrentOptions, Session, TorrentSource } from '../../core/engine/session.js';
import type { Torrent } from '../../core/engine/torrent.js';
import { parseInfoDictionary } from '../../core/metainfo/index.js';
import type { Metainfo } from '../../core/metainfo/model.js';
import type { Hasher } from '../../core/ports/hasher.js';
import type { TorrentRateLimits } from '../client/protocol.js';
import type { EngineState, TorrentRecord } from '../persist/engine-state.js';

/** Changes that do not come from a command (metadata arrived) are saved together, at most this late. */
const COALESCE_MS = 1000;

/** A torrent that failed to come back, in words for the page. */
export interface RestoreFailure {
  readonly infoHash: string;
  readonly message: string;
}

/**
 * The engine's torrent list as it outlives the page: which torrents, how to add each again (its
 * exact info bytes once known, else its magnet), its trackers and web seeds, and whether the person
 * paused it. Pieces, priorities and file states are the core's resume data (EngineState.resume),
 * and what is on disk outranks both: a restored torrent is checked by the core as any start is.
 * Without an EngineState (tests) the list lives in memory only.
 */
export class PersistedTorrents {
  private readonly records = new Map<string, TorrentRecord>();
  /** Torrents whose record changed on its own, saved together at the next flush. */
  private readonly dirty = new Map<string, Torrent>();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly state: EngineState | null,
    private readonly hasher: Hasher,
    /** A torrent's magnet with every tracker it announces to. */
    private readonly magnetOf: (torrent: Torrent) => string,
  ) {}

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
  async restore(session: Session): Promise<RestoreFailure[]> {
    if (!this.state) return [];
    const failures: RestoreFailure[] = [];
    const settings = await this.state.settings();
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
    const record = this.recordOf(torrent, { addedAt: Date.now(), paused });
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
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null;
      for (const [key, t] of this.dirty) {
        const previous = this.records.get(key);
        if (!previous) continue;
        this.records.set(key, this.recordOf(t, previous));
        void this.write(key).catch(() => {});
      }
    }, COALESCE_MS);
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
      magnet: this.magnetOf(torrent),
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
    const info = await parseInfoDictionary(record.info, this.hasher);
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
