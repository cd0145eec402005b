// The limits every tracker codec and client enforces, in one place (docs/engine/trackers.md says why).

/** Peers taken from one announce reply; the rest are ignored. Trackers hand out 50-200 at a time. */
export const MAX_PEERS_PER_RESPONSE = 2000;

/** Bytes of one HTTP tracker reply the client reads before giving up with `tracker/bad-response`. */
export const MAX_HTTP_RESPONSE_BYTES = 1024 * 1024;

/** A tracker reply is two levels deep; 2000 dictionary-model peers are about 14 000 values. */
export const HTTP_REPLY_BENCODE_LIMITS = { maxBytes: MAX_HTTP_RESPONSE_BYTES, maxDepth: 8, maxValues: 200_000 } as const;

/** A `tracker id` longer than this is ignored: it is echoed in every later announce URL. */
export const MAX_TRACKER_ID_BYTES = 256;

/** Info hashes per scrape: BEP 15 fits about 74 in one UDP packet; HTTP URLs grow as fast. */
export const MAX_SCRAPE_HASHES = 74;

/** Longest announce URL accepted. */
export const MAX_ANNOUNCE_URL_LENGTH = 4096;

/** Longest host name accepted from a dictionary-model peer (the DNS limit). */
export const MAX_PEER_HOST_LENGTH = 253;

/** BEP 41 URL data sent in a UDP announce (path and query of the announce URL). */
export const MAX_UDP_URL_DATA_BYTES = 1024;

/** Largest UDP datagram the codecs look at (the IPv4 UDP payload limit). */
export const MAX_UDP_PACKET_BYTES = 65507;

/** BEP 15: a connection id may be used for one minute after it was received. */
export const UDP_CONNECTION_ID_LIFETIME_MS = 60_000;

/** BEP 15 retransmission schedule: 15 * 2^n seconds for n = 0..8, then give up. */
export const UDP_RETRANSMIT_SCHEDULE_MS: readonly number[] = Array.from({ length: 9 }, (_, n) => 15_000 * 2 ** n);
