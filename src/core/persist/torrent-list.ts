import type { SessionSettings } from '../api/types.js';

/**
 * One torrent of an engine's list, as it is kept between runs (a page load, a `sluice serve` start).
 * Everything else about it is either in its resume data (verified pieces, file priorities, file
 * states, location) or on disk.
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
  /** Paused by the person (a restart keeps it paused). */
  readonly paused: boolean;
  /** Its own rate limits in bytes per second (0: none), when the person set them. */
  readonly rateLimits?: { readonly download: number; readonly upload: number };
}

/**
 * Where an engine keeps its torrent list and session settings: IndexedDB in the browser
 * (src/browser/persist/engine-state.ts), files under `--state` in the sidecar
 * (sidecar/src/engine/torrent-list-files.ts). Contract: test/contracts/torrent-list.contract.ts.
 */
export interface TorrentListStore {
  /** Every record, oldest `addedAt` first. A record the store cannot read is left out, never thrown. */
  torrents(): Promise<TorrentRecord[]>;
  /** Adds or replaces the record of `record.infoHash`. */
  putTorrent(record: TorrentRecord): Promise<void>;
  /** Forgets the torrent (nothing happens when it is unknown); its resume data goes too when `withResume`. */
  removeTorrent(infoHash: string, withResume: boolean): Promise<void>;
  /** The settings saved last, or `{}`. */
  settings(): Promise<Partial<SessionSettings>>;
  saveSettings(settings: Partial<SessionSettings>): Promise<void>;
}
