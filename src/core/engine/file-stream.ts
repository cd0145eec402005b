import type { Metainfo } from '../metainfo/model.js';
import { deadlineClaimsOf } from './deadline-claims.js';
import { TorrentError } from './torrent-error.js';

/** What a file stream needs from its torrent: verified pieces, and a way to say which it waits for. */
export interface VerifiedPieceSource {
  readonly metainfo: Metainfo | null;
  now(): number;
  hasPiece(piece: number): boolean;
  waitForPiece(piece: number): Promise<void>;
  readVerified(piece: number, begin: number, length: number): Promise<Uint8Array>;
  setPieceDeadline(piece: number, deadline: number): void;
  clearPieceDeadline(piece: number): void;
}

export interface FileStreamOptions {
  /** First byte, inclusive (default 0). */
  readonly start?: number;
  /** Last byte, exclusive (default the file's length). */
  readonly end?: number;
  /** Pieces ahead of the reader that get deadlines too (default 8), so playback does not stall at piece boundaries. */
  readonly readAhead?: number;
  /** Spacing of read-ahead deadlines in ms (default 500). */
  readonly deadlineStepMs?: number;
  /**
   * The reader's first `pieces` pieces are due `leadMs` earlier than their place says (default none):
   * what a player reads right after it opens a file or seeks decides when it shows a frame, and goes
   * ahead of other readers' read-ahead (stream-deadlines.ts, STARTUP_LEAD_MS).
   */
  readonly startup?: StartupPieces;
  /**
   * Ends the stream at once when aborted (an `AbortSignal` fits): a reader waiting for a piece stops
   * waiting, the pending `next()` rejects with `torrent/stream-cancelled`, and every deadline the
   * stream set is dropped then, not when the piece it waited for arrives.
   */
  readonly signal?: StreamAbortSignal;
}

/** A reader's first `pieces` pieces, due `leadMs` early. */
export interface StartupPieces {
  readonly pieces: number;
  readonly leadMs: number;
}

/** The part of `AbortSignal` a stream uses (core has no DOM types). */
export interface StreamAbortSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** A verified stretch of a file: `length` bytes at `fileOffset` in the file, which are `begin`.. of `piece`. */
export interface VerifiedRange {
  readonly piece: number;
  readonly begin: number;
  readonly length: number;
  readonly fileOffset: number;
}

/**
 * The bytes of one file from `start` to `end`, in order, as they are verified. Only verified bytes
 * are ever yielded. The piece the reader waits for gets a deadline of now (the picker fetches it
 * first, from several peers if it must), and the next few get later ones; deadlines are cleared as
 * the reader moves on or stops.
 */
export async function* readFileStream(source: VerifiedPieceSource, fileIndex: number, options: FileStreamOptions = {}): AsyncGenerator<Uint8Array> {
  for await (const range of verifiedFileRanges(source, fileIndex, options)) yield await source.readVerified(range.piece, range.begin, range.length);
}

/**
 * `readFileStream` without the reading: where each next stretch of the file is once it is verified
 * (one per piece), with the same deadlines. For a reader that only wants them fetched (a prefetch),
 * or that takes the bytes from storage its own way.
 */
export async function* verifiedFileRanges(source: VerifiedPieceSource, fileIndex: number, options: FileStreamOptions = {}): AsyncGenerator<VerifiedRange> {
  const meta = source.metainfo;
  if (!meta) throw new TorrentError('torrent/no-metadata', 'the torrent has no metadata yet');
  const file = meta.files[fileIndex];
  if (!file || file.padding) throw new TorrentError('torrent/bad-file', `no file ${fileIndex} (the torrent has ${meta.files.length})`);
  const start = options.start ?? 0;
  const end = options.end ?? file.length;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > file.length || start > end) {
    throw new TorrentError('torrent/bad-range', `range ${start}-${end} is outside the file (0-${file.length})`);
  }
  const readAhead = options.readAhead ?? 8;
  const step = options.deadlineStepMs ?? 500;
  const startupPieces = options.startup?.pieces ?? 0;
  const leadMs = options.startup?.leadMs ?? 0;
  const from = file.offset + start;
  const to = file.offset + end;
  if (from === to) return;
  const first = Math.floor(from / meta.pieceLength);
  const last = Math.floor((to - 1) / meta.pieceLength);
  const dueAt = (p: number, now: number, k: number) => now + k * step - (p - first < startupPieces ? leadMs : 0);
  const marked = new Set<number>();
  // Shared with the torrent's other readers: a piece keeps its deadline while any of them waits for it.
  const claims = deadlineClaimsOf(source);
  const holder = {};
  if (options.signal?.aborted) throw cancelled();
  try {
    for (let piece = first; piece <= last; piece++) {
      const now = source.now();
      for (let k = 0; k <= readAhead && piece + k <= last; k++) {
        const p = piece + k;
        if (source.hasPiece(p)) continue;
        claims.hold(p, holder, dueAt(p, now, k));
        marked.add(p);
      }
      await untilAborted(source.waitForPiece(piece), options.signal);
      claims.release(piece, holder);
      marked.delete(piece);
      const pieceStart = piece * meta.pieceLength;
      const begin = Math.max(from, pieceStart) - pieceStart;
      const stop = Math.min(to, pieceStart + meta.pieceLength) - pieceStart;
      yield { piece, begin, length: stop - begin, fileOffset: pieceStart + begin - file.offset };
    }
  } finally {
    for (const p of marked) claims.release(p, holder);
  }
}

function cancelled(): TorrentError {
  return new TorrentError('torrent/stream-cancelled', 'the stream was cancelled');
}

/** `wait`, or a `torrent/stream-cancelled` rejection as soon as `signal` aborts. */
function untilAborted(wait: Promise<void>, signal: StreamAbortSignal | undefined): Promise<void> {
  if (!signal) return wait;
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener('abort', onAbort);
    wait.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
