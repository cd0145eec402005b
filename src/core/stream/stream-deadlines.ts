import type { FileStreamOptions } from '../engine/file-stream.js';
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

/**
 * What a player reads after it opens a file or seeks, before it shows a frame: Chromium presented the
 * streaming bench's video after 0.4-0.8 MB at a seek, 1.3 MB at the start. A reader's first pieces up
 * to this many bytes are startup pieces.
 */
export const STARTUP_BYTES = 1024 * 1024;

/**
 * Startup pieces (a reader's first STARTUP_BYTES, a video's index) are due this much earlier than their
 * place says, so they come before every read-ahead deadline. Read-ahead deadlines are set when their
 * reader last read: a player that stops reading (its buffer full, or paused) leaves them in the past,
 * and when it seeks it keeps that old request open for a while (the cancel reached the engine up to
 * 190 ms after the seek in Chromium), so without the lead the new position's first pieces queued behind
 * the old position's read-ahead. An hour: longer than a player stays idle with a request open, far
 * shorter than the 24 h past which the bridge ignores a deadline. Between startup pieces the usual order
 * holds (the earlier set first).
 */
export const STARTUP_LEAD_MS = 3_600_000;

/** The read-ahead options of a player's stream (`FileStreamOptions`), all set. */
export type ReadAhead = Required<Pick<FileStreamOptions, 'readAhead' | 'deadlineStepMs' | 'startup'>>;

export function readAheadFor(pieceLength: number): ReadAhead {
  const pieces = Math.min(MAX_READ_AHEAD_PIECES, Math.max(MIN_READ_AHEAD_PIECES, Math.ceil(READ_AHEAD_BYTES / pieceLength)));
  const startup = { pieces: Math.max(1, Math.ceil(STARTUP_BYTES / pieceLength)), leadMs: STARTUP_LEAD_MS };
  return { readAhead: pieces, deadlineStepMs: Math.max(1, Math.floor(READ_AHEAD_SPAN_MS / pieces)), startup };
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

/** How long a video's tail (all but its last piece) waits behind the playhead's first pieces, in ms. */
export const TAIL_DEADLINE_MS = 1_000;

/**
 * Deadlines for a video's tail, from its end backward. The last piece holds the end of a moov written
 * at the end (ffmpeg's default), which a player reads right after the file's first piece, before any
 * read-ahead: it is due one read-ahead step after `now`, right behind the playhead's piece. The rest of
 * the tail (a long video's moov spans megabytes back from the end) is due `TAIL_DEADLINE_MS` out, one
 * ms apart so the pieces nearest the end come first. With every tail piece due at once the last piece,
 * the likeliest moov, was asked for last of them (ties go to the lower index), behind up to 8 MiB.
 */
export function tailDeadlines(meta: Pick<Metainfo, 'files' | 'pieceLength'>, fileIndex: number, now: number, stepMs: number): { piece: number; deadline: number }[] {
  const pieces = tailPieces(meta, fileIndex);
  const last = pieces[pieces.length - 1];
  if (last === undefined) return [];
  return pieces.map((piece) => ({ piece, deadline: piece === last ? now + Math.min(stepMs, TAIL_DEADLINE_MS) : now + TAIL_DEADLINE_MS + (last - piece) }));
}

/**
 * Deadlines for a file's index found at `start` (an MP4's moov after its media data: mp4-index.ts), from
 * the file's end backward: every piece of it is read before the first frame, the last one first.
 */
export function indexDeadlines(meta: Pick<Metainfo, 'files' | 'pieceLength'>, fileIndex: number, start: number, now: number, stepMs: number): { piece: number; deadline: number }[] {
  const file = meta.files[fileIndex];
  if (!file || start < 0 || start >= file.length) return [];
  const first = Math.floor((file.offset + start) / meta.pieceLength);
  const last = Math.floor((file.offset + file.length - 1) / meta.pieceLength);
  const due = now + Math.min(stepMs, TAIL_DEADLINE_MS);
  const out: { piece: number; deadline: number }[] = [];
  for (let piece = last; piece >= first; piece--) out.push({ piece, deadline: due + (last - piece) });
  return out;
}
