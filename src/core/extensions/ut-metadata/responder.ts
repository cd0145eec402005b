import type { MetadataMessage } from './codec.js';
import { MAX_METADATA_SIZE, METADATA_PIECE_SIZE, metadataPieceCount } from './limits.js';

/**
 * The answer to a peer's ut_metadata request: the piece of our info dictionary (a view, no copy), or a reject
 * when we do not have the metadata yet (a magnet still fetching it), it is larger than we serve, or the piece
 * does not exist. Rate limiting, if any, is the caller's: it may answer with a reject instead.
 */
export function answerMetadataRequest(infoBytes: Uint8Array | null, piece: number): MetadataMessage {
  if (infoBytes === null || infoBytes.length === 0 || infoBytes.length > MAX_METADATA_SIZE) return { type: 'reject', piece };
  if (!Number.isInteger(piece) || piece < 0 || piece >= metadataPieceCount(infoBytes.length)) return { type: 'reject', piece };
  const start = piece * METADATA_PIECE_SIZE;
  return {
    type: 'data',
    piece,
    totalSize: infoBytes.length,
    data: infoBytes.subarray(start, Math.min(infoBytes.length, start + METADATA_PIECE_SIZE)),
  };
}
