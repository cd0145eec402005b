/** Bytes of the handshake: pstrlen (1) + "BitTorrent protocol" (19) + reserved (8) + info hash (20) + peer id (20). */
export const HANDSHAKE_LENGTH = 68;

/** pstrlen followed by pstr: the first 20 bytes every BitTorrent connection starts with. */
export const PROTOCOL_HEADER: Uint8Array = new Uint8Array([
  19, ...Array.from('BitTorrent protocol', (c) => c.charCodeAt(0)),
]);

/**
 * Default upper bound on a message's length prefix (id + payload, the 4-byte prefix excluded): 256 KiB + 1 KiB.
 * It admits a bitfield for 2^21 pieces (262,145), a piece message carrying a block of up to 256 KiB (16 KiB is
 * what everyone requests; some old clients asked for 128 KiB), and a ut_metadata data message (16 KiB plus its
 * dictionary) with a wide margin. It is also the most one connection can make the decoder allocate at once.
 * Raise it per connection (`maxMessageLength`) for torrents with more than about two million pieces.
 */
export const DEFAULT_MAX_MESSAGE_LENGTH = 256 * 1024 + 1024;
