// Every bound of the tracker server in one place; docs/tracker-server.md says why each number.
import type { WaitingOffersLimits } from './waiting-offers.js';

export interface TrackerServerLimits extends WaitingOffersLimits {
  /** Seconds between announces handed to HTTP and UDP clients. */
  readonly intervalSeconds: number;
  /** Seconds between announces handed to WebSocket clients (bittorrent-tracker: a fifth of the interval). */
  readonly wsIntervalSeconds: number;
  /** A peer that has not announced for this long is dropped (HTTP/UDP peers). */
  readonly peerTtlMs: number;
  /** The same for WebSocket peers, which are also dropped when their socket closes. */
  readonly wsPeerTtlMs: number;
  /** Peers per torrent; the one that announced least recently makes room for a new one. */
  readonly maxPeersPerSwarm: number;
  /** Torrents tracked; an announce for a new torrent beyond this is refused. */
  readonly maxSwarms: number;
  /** Peers in an HTTP/UDP reply when the client asks for none or more. */
  readonly defaultNumWant: number;
  readonly maxNumWant: number;
  /** Bytes of one WebSocket frame; longer frames close the socket (code 1009). */
  readonly maxMessageBytes: number;
  readonly maxOffersPerAnnounce: number;
  readonly maxSdpLength: number;
  /** Messages one WebSocket connection may send per minute; beyond it gets a failure, beyond twice it is closed. */
  readonly maxMessagesPerMinute: number;
  /** Bad messages one connection may send before it is closed. */
  readonly maxBadMessages: number;
  /** Peers (torrent and peer id pairs) announced on one WebSocket connection. */
  readonly maxSwarmsPerConnection: number;
  readonly maxWsConnections: number;
  /** A WebSocket connection silent for this long is closed. */
  readonly idleTimeoutMs: number;
  /** Messages to a socket that has this much unsent are dropped (a slow reader must not grow our memory). */
  readonly maxBufferedBytes: number;
  /** Concurrent TCP connections (HTTP and WebSocket together). */
  readonly maxHttpConnections: number;
  /**
   * Concurrent TCP connections from one address: one host cannot take every slot. Generous, because a
   * carrier-grade NAT puts many browsers behind one address.
   */
  readonly maxConnectionsPerAddress: number;
  /** How often stale peers and idle sockets are swept. */
  readonly sweepIntervalMs: number;
}

export const DEFAULT_TRACKER_LIMITS: TrackerServerLimits = {
  intervalSeconds: 600,
  wsIntervalSeconds: 120,
  peerTtlMs: 2 * 600_000 + 60_000,
  wsPeerTtlMs: 2 * 120_000 + 60_000,
  maxPeersPerSwarm: 5000,
  maxSwarms: 100_000,
  defaultNumWant: 50,
  maxNumWant: 200,
  maxMessageBytes: 64 * 1024,
  maxOffersPerAnnounce: 10,
  maxSdpLength: 16 * 1024,
  maxMessagesPerMinute: 120,
  maxBadMessages: 20,
  maxSwarmsPerConnection: 256,
  maxWsConnections: 10_000,
  idleTimeoutMs: 5 * 60_000,
  maxBufferedBytes: 1024 * 1024,
  maxHttpConnections: 20_000,
  maxConnectionsPerAddress: 1000,
  sweepIntervalMs: 30_000,
  waitingOfferTtlMs: 40_000,
  maxWaitingOffersPerPeer: 5,
  maxWaitingOffersPerSwarm: 50,
  maxWaitingOfferChars: 32 * 1024 * 1024,
};
