import { mediaKind } from './http-range.js';

/**
 * The file a player opens at once when a torrent is opened: the largest video or audio file, else the
 * largest image; null if none. One rule for the page (which plays it) and the engine (which starts
 * fetching what the player will read first before the page asks).
 */
export function fileToOpen<F extends { readonly path: string; readonly length: number }>(files: readonly F[]): { readonly file: F; readonly kind: 'video' | 'audio' | 'image' } | null {
  let best: { file: F; kind: 'video' | 'audio' | 'image' } | null = null;
  for (const file of files) {
    const kind = mediaKind(file.path);
    if (!kind) continue;
    const playable = kind !== 'image';
    const bestPlayable = best !== null && best.kind !== 'image';
    if (best === null || (playable && !bestPlayable) || (playable === bestPlayable && file.length > best.file.length)) best = { file, kind };
  }
  return best;
}
