import { SluiceError } from '../errors.js';
import type { Metainfo } from './model.js';

/** The part of a Metainfo that decides where bytes live; the same for v1, v2 and hybrid. */
export type PieceLayout = Pick<Metainfo, 'version' | 'pieceLength' | 'pieceCount' | 'pieceSpaceLength' | 'files'>;

/** A run of bytes that one file holds: `length` bytes at `fileOffset` in files[`fileIndex`]. */
export interface FileSlice {
  readonly fileIndex: number;
  readonly fileOffset: number;
  /** Where the run starts in piece space. */
  readonly spaceOffset: number;
  readonly length: number;
}

/** Half-open range of piece indices [start, end). */
export interface PieceRange {
  readonly start: number;
  readonly end: number;
}

function checkPiece(layout: PieceLayout, index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= layout.pieceCount) {
    throw new SluiceError('layout/out-of-range', `piece ${index} is outside 0..${layout.pieceCount - 1}`);
  }
}

/** Index of the first file that ends after `offset` (files never overlap, so ends are ordered). */
function firstFileEndingAfter(layout: PieceLayout, offset: number): number {
  let lo = 0;
  let hi = layout.files.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const f = layout.files[mid]!;
    if (f.offset + f.length > offset) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Bytes in piece `index`. v1 and hybrid: `pieceLength`, except the last piece of the space. v2-only:
 * a piece ends with its file (the alignment gap is implicit and never transferred).
 */
export function pieceSize(layout: PieceLayout, index: number): number {
  checkPiece(layout, index);
  const start = index * layout.pieceLength;
  if (layout.version !== 'v2') return Math.min(layout.pieceLength, layout.pieceSpaceLength - start);
  const file = layout.files[firstFileEndingAfter(layout, start)];
  if (file === undefined || file.offset > start) throw new SluiceError('layout/out-of-range', `piece ${index} holds no file data`);
  return Math.min(layout.pieceLength, file.offset + file.length - start);
}

/** The file runs covering `length` bytes at `offset` in piece space, padding files included, empty files skipped. */
export function spaceSlices(layout: PieceLayout, offset: number, length: number): FileSlice[] {
  const slices: FileSlice[] = [];
  const end = offset + length;
  for (let i = firstFileEndingAfter(layout, offset); i < layout.files.length; i++) {
    const file = layout.files[i]!;
    if (file.offset >= end) break;
    if (file.length === 0) continue;
    const from = Math.max(offset, file.offset);
    const to = Math.min(end, file.offset + file.length);
    slices.push({ fileIndex: i, fileOffset: from - file.offset, spaceOffset: from, length: to - from });
  }
  return slices;
}

/** The file runs piece `index` covers, in order. */
export function pieceSlices(layout: PieceLayout, index: number): FileSlice[] {
  return spaceSlices(layout, index * layout.pieceLength, pieceSize(layout, index));
}

/** The pieces holding any byte of file `fileIndex` (an empty range for an empty file). */
export function filePieces(layout: PieceLayout, fileIndex: number): PieceRange {
  const file = layout.files[fileIndex];
  if (file === undefined) throw new SluiceError('layout/out-of-range', `file ${fileIndex} is outside 0..${layout.files.length - 1}`);
  const start = Math.floor(file.offset / layout.pieceLength);
  if (file.length === 0) return { start, end: start };
  return { start, end: Math.floor((file.offset + file.length - 1) / layout.pieceLength) + 1 };
}
