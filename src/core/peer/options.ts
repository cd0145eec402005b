import type { LocalExtensionIds } from '../extensions/names.js';

export interface PeerTimeouts {
  /** We send a keep-alive after this long (ms) without sending anything. Default 90 s. */
  readonly keepAliveInterval?: number;
  /** The peer is dropped after this long (ms) without receiving anything. Default 180 s. */
  readonly inactivityTimeout?: number;
  /** The peer is dropped when its handshake has not arrived this long (ms) after start. Default 30 s. */
  readonly handshakeTimeout?: number;
}

export interface PeerConnectionOptions {
  /** The 20-byte info hash both handshakes carry (for v2, the SHA-256 truncated to 20 bytes). */
  readonly infoHash: Uint8Array;
  readonly localPeerId: Uint8Array;
  /** Whether we dialled. Both sides send the handshake at once either way; kept for the caller's bookkeeping. */
  readonly outgoing: boolean;
  /** The ids we assign to the extensions we offer (BEP 10 `m`). Leave ut_pex out for private torrents. */
  readonly localExtensions: LocalExtensionIds;
  /** Offer the fast extension (BEP 6). */
  readonly fast: boolean;
  /** Set the DHT bit (BEP 5). Default false. */
  readonly dht?: boolean;
  /** Pieces in the torrent, or null for a magnet whose metadata is not known yet (see setPieceCount). */
  readonly pieceCount: number | null;
  /** Bytes in piece `index`, to check requests and pieces against; without it only indices are checked. */
  readonly pieceSize?: (index: number) => number;
  /** Size of our info dictionary, announced as `metadata_size` when we have it. */
  readonly metadataSize?: number;
  /** Our listen port, announced as `p`. */
  readonly listenPort?: number;
  /** The peer's address as we see it (4 or 16 bytes), announced as `yourip`. */
  readonly yourIp?: Uint8Array;
  /** Announced as `v`, e.g. "Sluice 0.1.0". */
  readonly clientName: string;
  readonly now: number;
  readonly timeouts?: PeerTimeouts;
  /** Largest message accepted from the peer (length prefix). Default: the wire decoder's. */
  readonly maxMessageLength?: number;
  /** Requests from the peer held at once; more are rejected (fast) or dropped. Default 500. */
  readonly maxPeerRequests?: number;
}

/** BEP 3 suggests at most 16 KiB; old clients asked for 128 KiB, which we still serve. Above that is abuse. */
export const MAX_REQUEST_LENGTH = 128 * 1024;

/** The `reqq` we announce: how many requests we are happy to queue from one peer. */
export const ANNOUNCED_REQUEST_QUEUE = 250;

export const DEFAULT_TIMEOUTS: Required<PeerTimeouts> = {
  keepAliveInterval: 90_000,
  inactivityTimeout: 180_000,
  handshakeTimeout: 30_000,
};

export const DEFAULT_MAX_PEER_REQUESTS = 500;
