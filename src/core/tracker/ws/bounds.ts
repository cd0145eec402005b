// Bounds of the WebSocket-tracker codec (docs/tracker-server.md says why these numbers).
import { MAX_SCRAPE_HASHES, MAX_TRACKER_ID_BYTES } from '../bounds.js';

export interface WsCodecLimits {
  /** Longest frame accepted, in bytes (a string input is measured in UTF-16 code units, never more than its bytes). */
  readonly maxMessageBytes: number;
  /** Offers in one announce. webtorrent sends at most 5, libtorrent at most 10 (`max_webtorrent_offers`). */
  readonly maxOffers: number;
  /** Characters of one SDP. A data-channel-only SDP with its candidates is 0.5-4 KB. */
  readonly maxSdpLength: number;
  /** Info hashes in one scrape request, and entries read from one scrape reply. */
  readonly maxScrapeHashes: number;
}

export const DEFAULT_WS_LIMITS: WsCodecLimits = {
  maxMessageBytes: 64 * 1024,
  maxOffers: 10,
  maxSdpLength: 16 * 1024,
  maxScrapeHashes: MAX_SCRAPE_HASHES,
};

/** Entries taken from a scrape reply that lists every torrent (a request without `info_hash`). */
export const MAX_SCRAPE_REPLY_FILES = 1000;

/** A `trackerid` / `tracker id` longer than this is ignored, as for HTTP trackers. */
export const MAX_WS_TRACKER_ID_LENGTH = MAX_TRACKER_ID_BYTES;

/** Characters of a `failure reason` or `warning message` kept (after sanitising). */
export const MAX_WS_TEXT_LENGTH = 200;
