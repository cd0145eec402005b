import type { FileStatus } from '../../core/api/types.js';
import { fileToOpen } from '../../core/stream/file-to-open.js';
import { mediaKind } from '../../core/stream/http-range.js';
import { streamPath } from '../../core/stream/stream-path.js';

export { mediaKind };

/**
 * The `/stream/...` URL of one of a torrent's files, given the `files` command's list (padding files
 * are not in it, so its order is the file numbering of `sluice info`).
 */
export function streamUrlOf(infoHash: string, files: readonly FileStatus[], file: FileStatus): string {
  return streamPath(infoHash, files.indexOf(file) + 1, file.path);
}

/** The sidecar's own stream URL of file `number` (from 1) of one of its torrents (remote mode; see BridgeView.streamBase). */
export function sidecarStreamUrl(base: { readonly origin: string; readonly query: string }, infoHash: string, number: number, path: string): string {
  return `${base.origin}${streamPath(infoHash, number, path)}?${base.query}`;
}

/** The file to open at once: the largest video or audio file, else the largest image; null if none. */
export const fileToPlay: (files: readonly FileStatus[]) => { readonly file: FileStatus; readonly kind: 'video' | 'audio' | 'image' } | null = fileToOpen;
