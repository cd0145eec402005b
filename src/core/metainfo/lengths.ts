import type { BencodeInteger } from '../bencode/node.js';
import { MetainfoError } from './errors.js';
import { MAX_PIECE_LENGTH, MAX_TOTAL_LENGTH, MIN_V2_PIECE_LENGTH } from './limits.js';

export function checkFileLength(node: BencodeInteger, where: string): number {
  const length = node.value;
  if (length < 0) throw new MetainfoError('metainfo/bad-length', `length ${length} of ${where} is negative`);
  if (length > MAX_TOTAL_LENGTH) throw new MetainfoError('metainfo/bad-length', `length ${length} of ${where} is larger than the ${MAX_TOTAL_LENGTH}-byte limit`);
  return length;
}

/** Adds a file's length to a running total, keeping the total within bounds. */
export function addLength(total: number, length: number): number {
  const sum = total + length;
  if (sum > MAX_TOTAL_LENGTH) throw new MetainfoError('metainfo/bad-length', `total length is larger than the ${MAX_TOTAL_LENGTH}-byte limit`);
  return sum;
}

/** v1 accepts any positive piece length (real torrents use odd ones); v2 needs a power of two >= 16 KiB. */
export function checkPieceLength(node: BencodeInteger, v2: boolean): number {
  const length = node.value;
  if (length < 1 || length > MAX_PIECE_LENGTH) {
    throw new MetainfoError('metainfo/bad-piece-length', `'piece length' ${length} in info is outside 1..${MAX_PIECE_LENGTH}`);
  }
  if (v2 && (length < MIN_V2_PIECE_LENGTH || (length & (length - 1)) !== 0)) {
    throw new MetainfoError('metainfo/bad-piece-length', `'piece length' ${length} in info must be a power of two of at least ${MIN_V2_PIECE_LENGTH} for v2`);
  }
  return length;
}
