import type { TorrentLayout } from './layout.js';

/** Bytes of one source file that land in a batch buffer. */
export interface Segment {
  readonly sourceIndex: number;
  readonly fileOffset: number;
  readonly length: number;
  readonly bufferOffset: number;
}

/** Whole pieces read and hashed together: one hasher call per algorithm, never one per block. */
export interface Batch {
  readonly firstPiece: number;
  /** Piece-space bytes, padding included; bytes after the segments are zeros. */
  readonly length: number;
  /** Content bytes (what the segments fill). */
  readonly dataLength: number;
  readonly segments: readonly Segment[];
  /** Hybrid: the batch holds pieces of this one file (index into layout.files), from its piece `firstFilePiece`. */
  readonly v2File: { readonly fileIndex: number; readonly firstFilePiece: number } | null;
}

/** v1: pieces cut across file boundaries, as in BEP 3. */
function* v1Batches(layout: TorrentLayout, piecesPerBatch: number): Generator<Batch> {
  const { pieceLength, pieceSpaceLength, files } = layout;
  let fileIndex = 0;
  let fileOffset = 0;
  for (let piece = 0; piece < layout.pieceCount; piece += piecesPerBatch) {
    const start = piece * pieceLength;
    const length = Math.min(pieceSpaceLength - start, piecesPerBatch * pieceLength);
    const segments: Segment[] = [];
    let filled = 0;
    while (filled < length) {
      const file = files[fileIndex]!;
      const take = Math.min(file.length - fileOffset, length - filled);
      if (take > 0) segments.push({ sourceIndex: file.sourceIndex, fileOffset, length: take, bufferOffset: filled });
      filled += take;
      fileOffset += take;
      if (fileOffset === file.length) {
        fileIndex++;
        fileOffset = 0;
      }
    }
    yield { firstPiece: piece, length, dataLength: length, segments, v2File: null };
  }
}

/** Hybrid: every file starts on a piece boundary, so a batch never holds two files. */
function* hybridBatches(layout: TorrentLayout, piecesPerBatch: number): Generator<Batch> {
  const { pieceLength } = layout;
  for (let fileIndex = 0; fileIndex < layout.files.length; fileIndex++) {
    const file = layout.files[fileIndex]!;
    const filePieces = Math.ceil(file.length / pieceLength);
    for (let p = 0; p < filePieces; p += piecesPerBatch) {
      const fileOffset = p * pieceLength;
      const dataLength = Math.min(file.length - fileOffset, piecesPerBatch * pieceLength);
      const isLast = fileOffset + dataLength === file.length;
      yield {
        firstPiece: file.offset / pieceLength + p,
        length: dataLength + (isLast ? file.padAfter : 0),
        dataLength,
        segments: [{ sourceIndex: file.sourceIndex, fileOffset, length: dataLength, bufferOffset: 0 }],
        v2File: { fileIndex, firstFilePiece: p },
      };
    }
  }
}

export function batches(layout: TorrentLayout, piecesPerBatch: number): Generator<Batch> {
  return layout.hybrid ? hybridBatches(layout, piecesPerBatch) : v1Batches(layout, piecesPerBatch);
}
