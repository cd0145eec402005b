import type { Metainfo } from '../metainfo/model.js';

/**
 * The streaming URL of a torrent's file: `/stream/<infohash>/<file number>/<file name>`. The number
 * counts from 1 in the torrent's order and leaves padding files out, as `sluice info` prints it; the
 * name is only for the person (and for the Content-Type): it is never used to find the file.
 */
export interface StreamTarget {
  /** Lower-case hex, 40 digits (the v1 hash, or the truncated v2 hash, as the engine files torrents). */
  readonly infoHash: string;
  readonly fileNumber: number;
  readonly name: string;
}

export const STREAM_PREFIX = '/stream/';

/** The target of a URL path, or null when the path is not a well-formed stream path. */
export function parseStreamPath(pathname: string): StreamTarget | null {
  if (!pathname.startsWith(STREAM_PREFIX)) return null;
  const m = /^([0-9a-fA-F]{40})\/([1-9]\d{0,8})(?:\/(.*))?$/.exec(pathname.slice(STREAM_PREFIX.length));
  if (!m) return null;
  let name = m[3] ?? '';
  try {
    name = decodeURIComponent(name);
  } catch {
    // A malformed escape only spoils the cosmetic name.
  }
  return { infoHash: m[1]!.toLowerCase(), fileNumber: Number(m[2]), name };
}

/** The path for file number `fileNumber` (from 1) of a torrent; `name` may hold slashes (a path in the torrent). */
export function streamPath(infoHash: string, fileNumber: number, name: string): string {
  const last = name.split('/').pop() ?? '';
  return `${STREAM_PREFIX}${infoHash.toLowerCase()}/${fileNumber}/${encodeURIComponent(last)}`;
}

/** The index in `meta.files` of file number `fileNumber` (padding files not counted), or null. */
export function fileIndexOfNumber(meta: Pick<Metainfo, 'files'>, fileNumber: number): number | null {
  let number = 0;
  for (let i = 0; i < meta.files.length; i++) {
    if (meta.files[i]!.padding) continue;
    if (++number === fileNumber) return i;
  }
  return null;
}
