import type { Metainfo } from '../metainfo/model.js';
import { WebSeedError } from './errors.js';

/** What picks a file's URL: a `Metainfo` fits as is. */
export type WebSeedNaming = Pick<Metainfo, 'name' | 'singleFile' | 'files'>;

/** Longer URLs are refused: servers cap request lines at 8 KiB, and a torrent is untrusted input. */
export const MAX_WEB_SEED_URL_LENGTH = 4096;

const HTTP_URL = /^https?:\/\/[^/?#]+(?:[/?#]|$)/i;
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f]/;
const HEX = '0123456789ABCDEF';
const encoder = new TextEncoder();

function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    byte === 0x2d || byte === 0x2e || byte === 0x5f || byte === 0x7e // - . _ ~
  );
}

/**
 * Percent-encodes one path segment: its UTF-8 bytes, all but RFC 3986 unreserved characters. Stricter
 * than `encodeURIComponent` (which leaves `!'()*` alone) and never throws (TextEncoder turns a lone
 * surrogate into U+FFFD).
 */
export function encodePathSegment(segment: string): string {
  let out = '';
  for (const byte of encoder.encode(segment)) {
    out += isUnreserved(byte) ? String.fromCharCode(byte) : `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
  }
  return out;
}

/** Whether `url` can be used as a web seed (http or https, with a host, not absurdly long). */
export function isWebSeedUrl(url: string): boolean {
  return url.length <= MAX_WEB_SEED_URL_LENGTH && HTTP_URL.test(url) && !CONTROL_OR_SPACE.test(url);
}

/**
 * The URL of file `fileIndex` on web seed `base` (BEP 19). A single-file torrent: `base` is the file
 * itself, unless it ends with '/', where the file's name is appended. A multi-file torrent: `base` is
 * the folder holding the torrent's root folder, so `base/name/path/parts` ('/' added when missing).
 * Each appended segment is percent-encoded. A query string in `base` (a signed mirror URL) stays at the
 * end; a fragment is dropped, as browsers never send it.
 */
export function webSeedFileUrl(base: string, naming: WebSeedNaming, fileIndex: number): string {
  if (!isWebSeedUrl(base)) throw new WebSeedError('webseed/bad-url', `web seed URL is not a usable http(s) URL: ${base.slice(0, 200)}`);
  const file = naming.files[fileIndex];
  if (file === undefined) throw new WebSeedError('webseed/bad-request', `file ${fileIndex} is outside 0..${naming.files.length - 1}`);
  const hash = base.indexOf('#');
  const noFragment = hash < 0 ? base : base.slice(0, hash);
  const q = noFragment.indexOf('?');
  const path = q < 0 ? noFragment : noFragment.slice(0, q);
  const query = q < 0 ? '' : noFragment.slice(q);
  const folder = path.endsWith('/');
  if (naming.singleFile) {
    return folder ? `${path}${file.path.map(encodePathSegment).join('/')}${query}` : `${path}${query}`;
  }
  const parts = [naming.name, ...file.path].map(encodePathSegment).join('/');
  return `${path}${folder ? '' : '/'}${parts}${query}`;
}
