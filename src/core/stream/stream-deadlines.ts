import type { Metainfo } from '../metainfo/model.js';

/**
 * How far ahead of the playhead a stream asks for pieces. Sized in bytes rather than pieces (8 MiB
 * is about 10 s of a 6 Mbit/s video), within 2 to 64 pieces, with deadlines spread over those 10 s:
 * the playhead's piece is due now, the last read-ahead piece in 10 s.
 */
export const READ_AHEAD_BYTES = 8 * 1024 * 1024;
const READ_AHEAD_SPAN_MS = 10_000;
const MIN_READ_AHEAD_PIECES = 2;
const MAX_READ_AHEAD_PIECES = 64;

export function readAheadFor(pieceLength: number): { readAhead: number; deadlineStepMs: number } {
  const pieces = Math.min(MAX_READ_AHEAD_PIECES, Math.max(MIN_READ_AHEAD_PIECES, Math.ceil(READ_AHEAD_BYTES / pieceLength)));
  return { readAhead: pieces, deadlineStepMs: Math.max(1, Math.floor(READ_AHEAD_SPAN_MS / pieces)) };
}

/** Bytes at a video's end fetched early (1% of the file, at least 256 KiB, at most 8 MiB): where an MP4 without faststart keeps its moov. */
export function tailBytesOf(length: number): number {
  return Math.min(length, Math.max(256 * 1024, Math.min(8 * 1024 * 1024, Math.ceil(length / 100))));
}

/** The pieces holding the tail of file `fileIndex`. */
export function tailPieces(meta: Pick<Metainfo, 'files' | 'pieceLength'>, fileIndex: number): number[] {
  const file = meta.files[fileIndex];
  if (!file || file.length === 0) return [];
  const end = file.offset + file.length;
  const first = Math.floor((end - tailBytesOf(file.length)) / meta.pieceLength);
  const last = Math.floor((end - 1) / meta.pieceLength);
  const pieces: number[] = [];
  for (let p = first; p <= last; p++) pieces.push(p);
  return pieces;
}
