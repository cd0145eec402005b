import { filePieces, pieceSize, spaceSlices } from '../metainfo/layout.js';
import type { StorageLayout } from '../ports/storage.js';
import { StorageError } from './errors.js';

/** The part of one file that lies inside one piece, as a store addresses it. */
export interface PieceSlice {
  readonly fileIndex: number;
  /** Where the slice starts inside the file. */
  readonly fileOffset: number;
  /** Where the slice starts inside the piece. */
  readonly pieceOffset: number;
  readonly length: number;
  readonly padding: boolean;
}

/**
 * The stores' view of src/core/metainfo/layout.ts: offsets relative to the piece, arguments checked
 * up front so a caller's mistake is a `storage/out-of-range` and never a half-done write.
 */
export class PieceMap {
  constructor(readonly layout: StorageLayout) {
    const { pieceLength, pieceCount, pieceSpaceLength } = layout;
    if (!Number.isSafeInteger(pieceLength) || pieceLength < 1 || pieceCount !== Math.ceil(pieceSpaceLength / pieceLength)) {
      throw new StorageError(
        'storage/bad-layout',
        `torrent layout has ${pieceCount} pieces for ${pieceSpaceLength} bytes of ${pieceLength}-byte pieces`,
      );
    }
  }

  checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.layout.pieceCount) {
      throw new StorageError('storage/out-of-range', `piece ${index} is outside 0..${this.layout.pieceCount - 1}`);
    }
  }

  checkFile(fileIndex: number): void {
    if (!Number.isInteger(fileIndex) || fileIndex < 0 || fileIndex >= this.layout.files.length) {
      throw new StorageError('storage/out-of-range', `file ${fileIndex} is outside 0..${this.layout.files.length - 1}`);
    }
  }

  pieceSize(index: number): number {
    this.checkIndex(index);
    return pieceSize(this.layout, index);
  }

  /** The slices making up the whole of piece `index`, in order. */
  slices(index: number): PieceSlice[] {
    return this.slicesIn(index, 0, this.pieceSize(index));
  }

  /** The slices covering `length` bytes from `begin` inside piece `index`. */
  slicesIn(index: number, begin: number, length: number): PieceSlice[] {
    const size = this.pieceSize(index);
    if (!Number.isInteger(begin) || !Number.isInteger(length) || begin < 0 || length < 0 || begin + length > size) {
      throw new StorageError('storage/out-of-range', `range ${begin}+${length} is outside piece ${index} of ${size} bytes`);
    }
    const start = index * this.layout.pieceLength;
    return spaceSlices(this.layout, start + begin, length).map((s) => ({
      fileIndex: s.fileIndex,
      fileOffset: s.fileOffset,
      pieceOffset: s.spaceOffset - start,
      length: s.length,
      padding: this.layout.files[s.fileIndex]!.padding,
    }));
  }

  /** The pieces holding bytes of file `fileIndex`, as indices; none for an empty file. */
  piecesOfFile(fileIndex: number): number[] {
    this.checkFile(fileIndex);
    const { start, end } = filePieces(this.layout, fileIndex);
    const out: number[] = [];
    for (let i = start; i < end; i++) out.push(i);
    return out;
  }
}
