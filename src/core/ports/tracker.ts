/**
 * The tracker plug point. Every tracker client (HTTP and UDP in the sidecar; the WebSocket tracker for
 * WebTorrent next) implements `TrackerClient`, and one contract suite (test/contracts/tracker.contract.ts)
 * runs against each of them.
 *
 * Failures reject with a `TrackerError` (src/core/tracker/errors.ts): `tracker/failure-reason` carries the
 * tracker's own words, and `tracker/timeout`, `tracker/unreachable`, `tracker/bad-response`... say what
 * went wrong on the way.
 *
 * Room for signalling trackers: a WebSocket tracker introduces peers by relaying WebRTC offers and answers,
 * not by listing addresses. It implements this same interface; it makes its offers through an offer source
 * given to its constructor and hands the connections it brokers to its own callback, so its `peers` list is
 * usually empty. `offerCount` below tells it how many offers this announce may carry.
 */
export type AnnounceEvent = 'started' | 'completed' | 'stopped';

export type TrackerProtocol = 'http' | 'udp' | 'ws';

export interface AnnounceRequest {
  /** 20 bytes (BitTorrent v1 info hash, or a v2 hash truncated to 20 bytes as BEP 52 says). */
  readonly infoHash: Uint8Array;
  /** 20 bytes. */
  readonly peerId: Uint8Array;
  /** The port peers should connect to (1-65535); 0 only for clients that do not listen (browsers). */
  readonly port: number;
  readonly uploaded: number;
  readonly downloaded: number;
  readonly left: number;
  /** Absent for the periodic re-announce. */
  readonly event?: AnnounceEvent;
  /** How many peers to ask for; absent lets the tracker choose. */
  readonly numWant?: number;
  /** A 32-bit unsigned value that stays the same for this client across IP changes (BEP 7/15 `key`). */
  readonly key?: number;
  /** Echo of the `trackerId` a previous response gave (HTTP only; one character per byte). */
  readonly trackerId?: string;
  /** Signalling trackers only: how many WebRTC offers to send with this announce. Others ignore it. */
  readonly offerCount?: number;
}

export interface TrackerPeer {
  /** IPv4 dotted quad, IPv6 in RFC 5952 form (no brackets), or a DNS name from a dictionary-model reply. */
  readonly host: string;
  readonly port: number;
  /** Only the dictionary model (non-compact HTTP replies) carries peer ids. */
  readonly peerId?: Uint8Array;
}

export interface AnnounceResponse {
  /** Seconds until the next regular announce. */
  readonly interval: number;
  /** Seconds the tracker wants at least between announces. */
  readonly minInterval?: number;
  /** Seeders. */
  readonly complete?: number;
  /** Leechers. */
  readonly incomplete?: number;
  /** IPv4 and IPv6 peers together, at most MAX_PEERS_PER_RESPONSE (src/core/tracker/bounds.ts). */
  readonly peers: readonly TrackerPeer[];
  /** A `warning message`: the announce worked, but the tracker wants a person to read this. */
  readonly warning?: string;
  /** Send back as `AnnounceRequest.trackerId` on later announces to this tracker. */
  readonly trackerId?: string;
  /** BEP 24: the address the tracker saw us come from. */
  readonly externalIp?: string;
}

export interface ScrapeStats {
  readonly infoHash: Uint8Array;
  /** Seeders. */
  readonly complete: number;
  /** Completed downloads ever reported. */
  readonly downloaded: number;
  /** Leechers. */
  readonly incomplete: number;
}

export interface TrackerClient {
  readonly protocol: TrackerProtocol;
  /** The announce URL this client talks to, as given. */
  readonly url: string;
  announce(request: AnnounceRequest): Promise<AnnounceResponse>;
  /**
   * Statistics for each requested hash the tracker reported, in request order. Rejects with
   * `tracker/scrape-unsupported` when the tracker has no scrape convention (BEP 48).
   */
  scrape(infoHashes: readonly Uint8Array[]): Promise<readonly ScrapeStats[]>;
  /** Ends in-flight requests with `tracker/closed` and releases sockets. Idempotent. */
  close(): Promise<void>;
}
