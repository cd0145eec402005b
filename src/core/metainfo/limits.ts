/**
 * Bounds for untrusted torrents, chosen well above any real torrent and low enough that every
 * length, offset and piece index stays an exact integer in a double (see docs/metainfo.md).
 */
/** Largest total payload (1 PiB): offsets plus v2 alignment gaps stay far below 2^53. */
export const MAX_TOTAL_LENGTH = 2 ** 50;
/** Largest piece length (256 MiB, mktorrent's and qBittorrent's ceiling): a piece is buffered whole. */
export const MAX_PIECE_LENGTH = 2 ** 28;
/** BEP 52: v2 pieces are a power of two and at least one 16 KiB block. */
export const MIN_V2_PIECE_LENGTH = 16 * 1024;
/** Most pieces (v2 torrents carry no `pieces` string to bound the count by the input size). */
export const MAX_PIECES = 2 ** 22;
/** Most files, padding files included. */
export const MAX_FILES = 500_000;
/** Deepest file path (parts, file name included). */
export const MAX_PATH_DEPTH = 64;
/** Longest path part, in UTF-8 bytes (filesystems allow 255; leave room for lossy decoding). */
export const MAX_PATH_PART_BYTES = 1024;
/** The merkle leaf size of BEP 52. */
export const V2_BLOCK_SIZE = 16 * 1024;
