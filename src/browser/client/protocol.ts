/**
 * The engine's RPC surface: the commands a page may send to the engine worker, what each returns,
 * and the status batches the worker sends back. Everything is structured-cloneable. Failures come
 * back as values (`{ ok: false, error }`) with a stable code and a one-line message, never as a
 * thrown exception across the boundary.
 */
import type { Alert, FileStatus, PeerStatus, Priority, SessionSettings, TorrentStatus, TrackerStatus, WebSeedStatus } from '../../core/api/types.js';
import type { RtcEvent, RtcRequest } from '../rtc/rtc-messages.js';
import type { BridgeConfig } from '../bridge/bridge-config.js';
import type { BridgeView } from '../bridge/bridge-client.js';

/** What to add: a magnet, a bare info hash (hex or base32), a .torrent's bytes, or the URL of a .torrent. */
export type TorrentInput =
  | { readonly magnet: string }
  | { readonly infoHash: string }
  | { readonly torrent: Uint8Array }
  | { readonly url: string };

export interface EngineCommands {
  /** Adds a torrent. One already in the engine is left exactly as it is (`added: false`). */
  add: {
    args: {
      readonly input: TorrentInput;
      readonly paused?: boolean;
      /**
       * The page opens the torrent's media at once (the file `fileToPlay` picks): the engine starts
       * fetching what its player reads first (the head, a video's index) as soon as the metadata is in.
       */
      readonly play?: boolean;
    };
    result: { readonly infoHash: string; readonly added: boolean };
  };
  /** Makes a torrent from the files in the worker (progress in `seeding` jobs), then seeds it. */
  seed: {
    args: {
      readonly files: readonly File[];
      readonly name?: string;
      /** Each file's path inside a dropped folder (`folder/sub/file`), where `webkitRelativePath` cannot say it. */
      readonly paths?: readonly string[];
    };
    result: { readonly infoHash: string; readonly magnet: string };
  };
  pause: { args: { readonly infoHash: string }; result: null };
  resume: { args: { readonly infoHash: string }; result: null };
  remove: { args: { readonly infoHash: string; readonly deleteData: boolean }; result: null };
  setFilePriority: { args: { readonly infoHash: string; readonly fileIndex: number; readonly priority: Priority }; result: null };
  files: { args: { readonly infoHash: string }; result: readonly FileStatus[] };
  /** The verified bytes of one file (waits for them; a torrent must have its metadata). */
  readFile: { args: { readonly infoHash: string; readonly fileIndex: number }; result: Uint8Array };
  /** Session settings (rate limits, connections): changes are applied and kept across reloads; returns them all. */
  settings: { args: { readonly changes?: Partial<SessionSettings> }; result: SessionSettings };
  /** What the details view of one torrent shows: files, peers, trackers, piece map, its rate limits. */
  details: { args: { readonly infoHash: string }; result: TorrentDetails };
  /** One torrent's rate limits in bytes per second (0 = only the global limit); kept across reloads. */
  setTorrentRateLimits: { args: { readonly infoHash: string; readonly download: number; readonly upload: number }; result: null };
  /** The engine's own settings: its store, and the trackers of new torrents (`trackers` replaces them at once). */
  engineSettings: { args: { readonly trackers?: readonly string[] }; result: EngineSettings };
  /**
   * Remote mode: the sidecar's own torrents, over the bridge. `add` takes a magnet or info hash in
   * `input`, or a .torrent file's bytes in `torrent`; the others name the torrent by `infoHash`.
   * Returns its info hash.
   */
  sidecar: {
    args: { readonly action: 'add' | 'pause' | 'resume' | 'remove'; readonly infoHash?: string; readonly input?: string; readonly torrent?: Uint8Array; readonly deleteData?: boolean };
    result: { readonly infoHash: string };
  };
  /** The latest status, at once (the batches carry it too). */
  status: { args: Record<string, never>; result: EngineStatus };
}

export type CommandName = keyof EngineCommands;
export type CommandArgs<C extends CommandName> = EngineCommands[C]['args'];
export type CommandResult<C extends CommandName> = EngineCommands[C]['result'];

export interface EngineFailure {
  readonly code: string;
  readonly message: string;
}

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: EngineFailure };

/** One torrent as the page shows it: its status, plus a magnet another client can join with. */
export interface TorrentView extends TorrentStatus {
  readonly magnet: string;
  /** Peers connected through the bridge (the sidecar), of `peers`. */
  readonly bridgePeers?: number;
}

export interface TorrentDetails {
  readonly files: readonly FileStatus[];
  readonly peers: readonly PeerStatus[];
  readonly trackers: readonly TrackerStatus[];
  readonly webSeeds: readonly WebSeedStatus[];
  /** Verified pieces: bit i (most significant bit first) of byte i >> 3 is piece i; empty without metadata. */
  readonly pieces: { readonly count: number; readonly have: Uint8Array };
  readonly rateLimits: TorrentRateLimits;
}

/** Bytes per second; 0 = no limit of its own. */
export interface TorrentRateLimits {
  readonly download: number;
  readonly upload: number;
}

export interface EngineSettings {
  /** Where pieces are stored: OPFS, IndexedDB, or memory (tests). */
  readonly storage: 'opfs' | 'indexeddb' | 'memory';
  readonly trackers: readonly string[];
}

/** A "Seed files" torrent being made. */
export interface SeedJob {
  readonly id: number;
  readonly name: string;
  readonly hashedBytes: number;
  readonly totalBytes: number;
  /** Set once the torrent exists. */
  readonly infoHash: string | null;
  readonly error: EngineFailure | null;
}

export interface EngineStatus {
  readonly torrents: readonly TorrentView[];
  readonly jobs: readonly SeedJob[];
  /** How the page handed data channels over so far. */
  readonly channels: { readonly transferred: number; readonly relayed: number };
  /** The bridge to a sidecar: connected, connecting, down (with the reason) or off. */
  readonly bridge?: BridgeView;
}

/** What the worker sends at most every STATUS_INTERVAL_MS: the status, and the alerts since the last batch. */
export interface StatusBatch {
  readonly status: EngineStatus;
  readonly alerts: readonly Alert[];
}

export const STATUS_INTERVAL_MS = 250;

export interface CommandMessage<C extends CommandName = CommandName> {
  readonly kind: 'command';
  readonly id: number;
  readonly name: C;
  readonly args: CommandArgs<C>;
}

/** What the worker sends to the page. */
export type WorkerMessage =
  | { readonly kind: 'result'; readonly id: number; readonly outcome: Outcome<unknown> }
  | { readonly kind: 'status'; readonly batch: StatusBatch }
  | { readonly kind: 'rtc'; readonly request: RtcRequest };

/** What the page sends to the worker. */
export type PageMessage =
  | { readonly kind: 'init'; readonly options: EngineOptions }
  | CommandMessage
  | { readonly kind: 'rtc'; readonly event: RtcEvent }
  /** The engine's end of a MessagePort whose other end the page gave the Service Worker (docs/streaming.md). */
  | { readonly kind: 'stream-port'; readonly port: MessagePort }
  /** The page is going away (beforeunload): request nothing new for a moment (Session.holdRequests). */
  | { readonly kind: 'leaving' };

/** Settings the page gives the engine when it starts it. */
export interface EngineOptions {
  /** Trackers for new torrents ("Seed files"); also announced for magnets without `tr`. */
  readonly trackers: readonly string[];
  /** ICE servers (tests on loopback pass []). */
  readonly iceServers?: readonly { readonly urls: string | readonly string[]; readonly username?: string; readonly credential?: string }[];
  /** Where the bridge goes (default: this page's origin, when `sluice serve` served it). */
  readonly bridge?: BridgeConfig;
}
