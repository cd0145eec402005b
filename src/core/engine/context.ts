import type { Alert, SessionSettings } from '../api/types.js';
import type { Clock, RandomSource } from '../ports/environment.js';
import type { Hasher } from '../ports/hasher.js';
import type { HttpFetch } from '../ports/http.js';
import type { StorageFactory } from '../ports/storage.js';
import type { TrackerClient } from '../ports/tracker.js';
import type { Transport } from '../ports/transport.js';
import type { TokenBucket } from './token-bucket.js';

/** Where resume data is kept between runs (files next to the sidecar's state, IndexedDB in a browser). */
export interface ResumeStore {
  load(key: string): Promise<Uint8Array | null>;
  save(key: string, data: Uint8Array): Promise<void>;
  remove(key: string): Promise<void>;
}

/** Peers found outside trackers (the DHT; LSD). `lookup` reports peers through `found` as they come. */
export interface PeerDiscovery {
  /** Shown as the source of the peers it finds. */
  readonly source: 'dht' | 'lsd';
  /** How often a torrent looks up and announces again. */
  readonly intervalMs: number;
  lookup(infoHash: Uint8Array, found: (address: string) => void): void;
  announce(infoHash: Uint8Array, port: number): void;
}

/** What a torrent needs from its session: the ports, the shared budgets, and a way to speak. */
export interface TorrentContext {
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly hasher: Hasher;
  readonly storage: StorageFactory;
  readonly peerId: Uint8Array;
  readonly resume: ResumeStore | null;
  /** For web seeds (BEP 19); null where HTTP is not available. */
  readonly http: HttpFetch | null;
  readonly discovery: readonly PeerDiscovery[];
  /** Memory for piece buffers (see SessionDeps.pieceBuffer). */
  readonly pieceBuffer: ((length: number) => Uint8Array) | null;
  settings(): SessionSettings;
  /** Opens a connection, or returns null when no transport can reach the address. */
  dial(address: string): Promise<Transport> | null;
  /** The shared client for a tracker URL, or null when its scheme is not supported here. */
  tracker(url: string): TrackerClient | null;
  /** How many more connections the session allows right now. */
  connectionBudget(): number;
  readonly downloadBucket: TokenBucket;
  readonly uploadBucket: TokenBucket;
  emit(alert: Alert): void;
  /** Something changed outside a tick: the shell should tick soon. */
  wake(): void;
  /** True while nothing new may be requested (Session.holdRequests); absent: never. */
  requestsHeld?(): boolean;
}
