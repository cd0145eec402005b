export const MIN_PIECE_LENGTH = 16 * 1024;
export const MAX_PIECE_LENGTH = 16 * 1024 * 1024;
/** Pieces wanted at most when the piece length is chosen for the caller. */
export const TARGET_MAX_PIECES = 2000;

/**
 * The smallest power of two from 16 KiB to 16 MiB that cuts `totalLength` into at most 2000 pieces.
 * Unless clamped, the count lands in 1001–2000: half the length would need more than 2000. Small
 * torrents get 16 KiB (fewer pieces); above 2000 x 16 MiB (31.25 GiB) pieces stay 16 MiB and grow in number.
 */
export function autoPieceLength(totalLength: number): number {
  let length = MIN_PIECE_LENGTH;
  while (length < MAX_PIECE_LENGTH && Math.ceil(totalLength / length) > TARGET_MAX_PIECES) length *= 2;
  return length;
}

export function isValidPieceLength(length: number): boolean {
  return (
    Number.isInteger(length) &&
    length >= MIN_PIECE_LENGTH &&
    length <= MAX_PIECE_LENGTH &&
    (length & (length - 1)) === 0
  );
}
