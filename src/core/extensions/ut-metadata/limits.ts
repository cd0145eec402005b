/** BEP 9 cuts the info dictionary into pieces of 16 KiB; only the last may be shorter. */
export const METADATA_PIECE_SIZE = 16 * 1024;

/**
 * The largest info dictionary we fetch or serve: 16 MiB (1024 pieces). A v1 torrent spends 20 bytes per piece
 * in `pieces`, so 16 MiB covers about 800,000 pieces (a 50 TiB torrent at 64 KiB pieces); the biggest real
 * torrents' info dictionaries are a few MiB. libtorrent's default (`max_metadata_size`) is 3 MiB and
 * WebTorrent does not bound it at all; 16 MiB keeps a lying `metadata_size` from costing more than that.
 */
export const MAX_METADATA_SIZE = 16 * 1024 * 1024;

export const MAX_METADATA_PIECES = MAX_METADATA_SIZE / METADATA_PIECE_SIZE;

/** Pieces of metadata of `size` bytes. */
export function metadataPieceCount(size: number): number {
  return Math.ceil(size / METADATA_PIECE_SIZE);
}

/** Bytes of piece `piece` of metadata of `size` bytes. */
export function metadataPieceLength(size: number, piece: number): number {
  return Math.min(METADATA_PIECE_SIZE, size - piece * METADATA_PIECE_SIZE);
}
