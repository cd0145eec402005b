/**
 * The engine's public API types: what the UI, the CLI and the RPC client see. Everything here is
 * plain data (structured-cloneable), so it crosses the worker boundary unchanged.
 */

import type { EncryptionPolicy } from '../mse/policy.js';

export type { EncryptionPolicy };

export type TorrentState =
  /** Verifying existing data against the piece hashes. */
  | 'checking'
  /** A magnet or bare info hash: fetching the info dictionary from peers (BEP 9). */
  | 'metadata'
  | 'downloading'
  /** Every wanted piece is verified; uploading to others. */
  | 'seeding'
  | 'paused'
  /** Stopped by an error (disk full, storage failure); `error` says which. */
  | 'error';

export interface TorrentStatus {
  readonly infoHash: string;
  readonly infoHashV2: string | null;
  readonly name: string;
  readonly state: TorrentState;
  /** Verified fraction of the wanted bytes, 0..1. */
  readonly progress: number;
  readonly verifiedBytes: number;
  readonly wantedBytes: number;
  readonly totalBytes: number;
  /** Bytes per second, averaged over the last few seconds. */
  readonly downloadRate: number;
  readonly uploadRate: number;
  /** Payload bytes transferred in this session. */
  readonly downloaded: number;
  readonly uploaded: number;
  /**
   * Bytes asked of peers and not yet received: what is lost if the connections end now (a page that
   * reloads; webtorrent sends what it has read whatever CANCEL follows).
   */
  readonly requestedBytes: number;
  readonly peers: number;
  readonly seeds: number;
  /** Seconds to completion at the current rate, or null when unknown. */
  readonly eta: number | null;
  /** Uploaded / downloaded (all time where resume data knows it). */
  readonly ratio: number;
  readonly sequential: boolean;
  readonly error: { readonly code: string; readonly message: string } | null;
}

/** 0 = don't download, 1 = low, 4 = normal (default), 7 = top. */
export type Priority = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface FileStatus {
  readonly index: number;
  readonly path: string;
  readonly length: number;
  readonly offset: number;
  /** Verified fraction of the file, 0..1. */
  readonly progress: number;
  readonly priority: Priority;
}

export interface PeerStatus {
  readonly address: string;
  readonly client: string;
  readonly transport: 'tcp' | 'webrtc' | 'websocket' | 'memory';
  readonly outgoing: boolean;
  readonly downloadRate: number;
  readonly uploadRate: number;
  /** The peer's progress, 0..1, from its bitfield. */
  readonly progress: number;
  readonly flags: {
    readonly amChoking: boolean;
    readonly amInterested: boolean;
    readonly peerChoking: boolean;
    readonly peerInterested: boolean;
    readonly snubbed: boolean;
    readonly seed: boolean;
  };
}

export interface TrackerStatus {
  readonly url: string;
  readonly tier: number;
  readonly state: 'idle' | 'announcing' | 'working' | 'error' | 'disabled';
  readonly message: string | null;
  readonly seeders: number | null;
  readonly leechers: number | null;
  readonly peersReceived: number;
  /** Milliseconds since the epoch of the next announce, or null. */
  readonly nextAnnounceAt: number | null;
}

/** A web seed (BEP 19) of a torrent, as status displays show it. */
export interface WebSeedStatus {
  readonly url: string;
  /** `idle`: not asked yet; `working`: its last request delivered; `error`: its last failed (retried after a back-off); `disabled`: given up after pieces of its bytes failed the hash check. */
  readonly state: 'idle' | 'working' | 'error' | 'disabled';
  readonly message: string | null;
  /** Bytes received from it. */
  readonly downloaded: number;
  /** While it backs off: when it is tried next (the engine's clock, ms), else null. */
  readonly nextRetryAt: number | null;
}

export interface SessionSettings {
  /** Bytes per second; 0 = unlimited. */
  readonly downloadRateLimit: number;
  readonly uploadRateLimit: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerTorrent: number;
  /** Port announced to trackers and the DHT (the sidecar listens on it). */
  readonly listenPort: number;
  /** Regular unchoke slots per torrent (plus one optimistic). */
  readonly unchokeSlots: number;
  /** Message Stream Encryption (MSE/PE) on TCP connections; see docs/mse.md. */
  readonly encryption: EncryptionPolicy;
}

export interface SessionStats {
  readonly torrents: number;
  readonly peers: number;
  readonly downloadRate: number;
  readonly uploadRate: number;
  readonly downloaded: number;
  readonly uploaded: number;
}

/** Typed events, in the spirit of libtorrent's alerts. */
export type Alert =
  | { readonly type: 'torrent-added'; readonly infoHash: string }
  | { readonly type: 'torrent-removed'; readonly infoHash: string }
  | { readonly type: 'metadata-received'; readonly infoHash: string }
  | { readonly type: 'piece-verified'; readonly infoHash: string; readonly piece: number }
  | { readonly type: 'piece-failed'; readonly infoHash: string; readonly piece: number; readonly peers: readonly string[] }
  | { readonly type: 'torrent-finished'; readonly infoHash: string }
  /** While existing data is hashed (adding a torrent, forceRecheck): at most once per percent. */
  | { readonly type: 'check-progress'; readonly infoHash: string; readonly checkedBytes: number; readonly totalBytes: number }
  | { readonly type: 'torrent-checked'; readonly infoHash: string; readonly havePieces: number }
  | { readonly type: 'state-changed'; readonly infoHash: string; readonly state: TorrentState }
  | { readonly type: 'peer-connected'; readonly infoHash: string; readonly address: string; readonly client: string }
  | { readonly type: 'peer-disconnected'; readonly infoHash: string; readonly address: string; readonly reason: string | null }
  | { readonly type: 'peer-banned'; readonly infoHash: string; readonly address: string; readonly reason: string }
  | { readonly type: 'tracker-reply'; readonly infoHash: string; readonly url: string; readonly peers: number }
  | { readonly type: 'tracker-error'; readonly infoHash: string; readonly url: string; readonly message: string }
  /** A web seed (BEP 19) delivered: its first bytes, or its first after failing. */
  | { readonly type: 'web-seed-working'; readonly infoHash: string; readonly url: string }
  /** A web seed's request failed (it is tried again after a back-off). */
  | { readonly type: 'web-seed-error'; readonly infoHash: string; readonly url: string; readonly message: string }
  | { readonly type: 'resume-data-saved'; readonly infoHash: string }
  | { readonly type: 'torrent-error'; readonly infoHash: string; readonly code: string; readonly message: string };
