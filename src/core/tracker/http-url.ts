// Announce and scrape URLs for HTTP trackers (BEP 3, BEP 23, BEP 48). Strings only: src/core has no URL class.
import type { AnnounceRequest } from '../ports/tracker.js';
import { MAX_ANNOUNCE_URL_LENGTH } from './bounds.js';
import { TrackerError } from './errors.js';
import { checkAnnounceRequest, checkScrapeHashes } from './validate.js';

const HEX = '0123456789ABCDEF';

/** RFC 3986 unreserved characters stay; every other byte becomes %XX. */
export function percentEncodeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    const unreserved =
      (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e;
    out += unreserved ? String.fromCharCode(b) : `%${HEX[b >> 4]!}${HEX[b & 15]!}`;
  }
  return out;
}

/** One byte per character when every character is below 256 (how tracker ids are held), else UTF-8. */
function bytesOfText(text: string): Uint8Array {
  const latin1 = [...text].every((ch) => ch.charCodeAt(0) < 256);
  return latin1 ? Uint8Array.from(text, (ch) => ch.charCodeAt(0)) : new TextEncoder().encode(text);
}

/**
 * Throws `tracker/bad-url` unless `url` is an http(s) URL of sane length with no whitespace or control
 * characters. Returns it without its fragment.
 */
export function checkHttpTrackerUrl(url: string): string {
  if (url.length > MAX_ANNOUNCE_URL_LENGTH) throw new TrackerError('tracker/bad-url', `announce URL is longer than ${MAX_ANNOUNCE_URL_LENGTH} characters`);
  if (!/^https?:\/\/[^/?#]+/i.test(url)) throw new TrackerError('tracker/bad-url', `not an http(s) tracker URL: ${url.slice(0, 80)}`);
  if (/[\u0000-\u0020\u007f]/.test(url)) throw new TrackerError('tracker/bad-url', `tracker URL contains whitespace or control characters: ${url.slice(0, 80)}`);
  const hash = url.indexOf('#');
  return hash < 0 ? url : url.slice(0, hash);
}

/** Appends `params` (already encoded) to `url`, keeping whatever query it has (private trackers' passkeys). */
function withQuery(url: string, params: readonly string[]): string {
  const base = checkHttpTrackerUrl(url);
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}${params.join('&')}`;
}

/** The GET URL of an announce. Always asks for compact peers (BEP 23); trackers may still send the dictionary model. */
export function buildAnnounceUrl(announceUrl: string, request: AnnounceRequest): string {
  checkAnnounceRequest(request);
  const params = [
    `info_hash=${percentEncodeBytes(request.infoHash)}`,
    `peer_id=${percentEncodeBytes(request.peerId)}`,
    `port=${request.port}`,
    `uploaded=${request.uploaded}`,
    `downloaded=${request.downloaded}`,
    `left=${request.left}`,
    'compact=1',
  ];
  if (request.event !== undefined) params.push(`event=${request.event}`);
  if (request.numWant !== undefined) params.push(`numwant=${request.numWant}`);
  if (request.key !== undefined) params.push(`key=${request.key.toString(16).toUpperCase().padStart(8, '0')}`);
  if (request.trackerId !== undefined) params.push(`trackerid=${percentEncodeBytes(bytesOfText(request.trackerId))}`);
  return withQuery(announceUrl, params);
}

/**
 * BEP 48 scrape convention: if the last path segment of the announce URL starts with `announce`, that
 * word becomes `scrape` (`/announce.php?x` → `/scrape.php?x`). Otherwise the tracker has no scrape URL: null.
 */
export function scrapeUrlFor(announceUrl: string): string | null {
  const url = checkHttpTrackerUrl(announceUrl);
  const queryAt = url.indexOf('?');
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  const query = queryAt < 0 ? '' : url.slice(queryAt);
  const authorityEnd = path.indexOf('/', path.indexOf('//') + 2);
  if (authorityEnd < 0) return null;
  const lastSlash = path.lastIndexOf('/');
  const segment = path.slice(lastSlash + 1);
  if (!segment.startsWith('announce')) return null;
  return `${path.slice(0, lastSlash + 1)}scrape${segment.slice('announce'.length)}${query}`;
}

/** The GET URL of a scrape for `infoHashes` (1 to MAX_SCRAPE_HASHES), given the scrape URL. */
export function buildScrapeUrl(scrapeUrl: string, infoHashes: readonly Uint8Array[]): string {
  checkScrapeHashes(infoHashes);
  return withQuery(scrapeUrl, infoHashes.map((hash) => `info_hash=${percentEncodeBytes(hash)}`));
}
