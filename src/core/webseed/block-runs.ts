import { pieceSize } from '../metainfo/layout.js';
import type { BlockRequest } from '../picker/types.js';
import { WebSeedError } from './errors.js';
import type { WebSeedLayout } from './plan.js';

/** Where one requested block sits in its run. */
export interface RunPart {
  /** Index of the block in the caller's list. */
  readonly block: number;
  /** Offset of the block in the run's bytes. */
  readonly offset: number;
}

/** Blocks that sit back to back in piece space, fetched as one range. */
export interface BlockRun {
  readonly spaceOffset: number;
  readonly length: number;
  readonly parts: readonly RunPart[];
}

/**
 * Groups blocks (picker requests, in any order) into runs of contiguous piece space, so consecutive
 * blocks, and consecutive pieces, cost one HTTP request per file rather than one per block. Pieces that
 * end a v2 file are not contiguous with the next one (the alignment gap lies between), so they split.
 */
export function blockRuns(layout: WebSeedLayout, blocks: readonly BlockRequest[]): BlockRun[] {
  const located = blocks.map((b, block) => {
    const valid =
      Number.isInteger(b.piece) && b.piece >= 0 && b.piece < layout.pieceCount &&
      Number.isInteger(b.begin) && b.begin >= 0 && Number.isInteger(b.length) && b.length > 0 &&
      b.begin + b.length <= pieceSize(layout, b.piece);
    if (!valid) throw new WebSeedError('webseed/bad-request', `block ${b.piece}:${b.begin}+${b.length} is not inside the torrent`);
    return { block, start: b.piece * layout.pieceLength + b.begin, length: b.length };
  });
  located.sort((a, b) => a.start - b.start || a.block - b.block);
  const runs: { spaceOffset: number; length: number; parts: RunPart[] }[] = [];
  for (const l of located) {
    const last = runs[runs.length - 1];
    if (last && last.spaceOffset + last.length === l.start) {
      last.parts.push({ block: l.block, offset: last.length });
      last.length += l.length;
    } else {
      runs.push({ spaceOffset: l.start, length: l.length, parts: [{ block: l.block, offset: 0 }] });
    }
  }
  return runs;
}
