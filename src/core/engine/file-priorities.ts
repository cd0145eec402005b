import { filePieces } from '../metainfo/layout.js';
import type { Metainfo } from '../metainfo/model.js';

/**
 * Piece priorities from file priorities: a piece gets the highest priority of the files it holds
 * bytes of, so a piece shared by a wanted and an unwanted file is still fetched. Padding files
 * and empty files do not count.
 */
export function filePiecePriorities(meta: Pick<Metainfo, 'files' | 'pieceCount' | 'pieceLength' | 'pieceSpaceLength' | 'version'>, filePriorities: readonly number[]): Uint8Array {
  const out = new Uint8Array(meta.pieceCount);
  meta.files.forEach((f, i) => {
    if (f.padding || f.length === 0) return;
    const priority = filePriorities[i] ?? 4;
    if (priority === 0) return;
    const { start, end } = filePieces(meta, i);
    for (let p = start; p < end; p++) if (out[p]! < priority) out[p] = priority;
  });
  return out;
}
