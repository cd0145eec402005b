import type { AnnounceRequest } from '../ports/tracker.js';
import { MAX_SCRAPE_HASHES } from './bounds.js';
import { TrackerError } from './errors.js';

function bad(message: string): TrackerError {
  return new TrackerError('tracker/bad-request', message);
}

export function checkHash(bytes: Uint8Array, what: string): void {
  if (bytes.length !== 20) throw bad(`${what} must be 20 bytes, got ${bytes.length}`);
}

export function checkCounter(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw bad(`${what} must be a non-negative integer, got ${value}`);
}

export function checkUint32(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw bad(`${what} must fit in 32 bits unsigned, got ${value}`);
}

/** Throws `tracker/bad-request` unless every field of the announce is in range. */
export function checkAnnounceRequest(request: AnnounceRequest): void {
  checkHash(request.infoHash, 'info hash');
  checkHash(request.peerId, 'peer id');
  if (!Number.isInteger(request.port) || request.port < 0 || request.port > 65535) {
    throw bad(`port must be 0-65535, got ${request.port}`);
  }
  checkCounter(request.uploaded, 'uploaded');
  checkCounter(request.downloaded, 'downloaded');
  checkCounter(request.left, 'left');
  if (request.numWant !== undefined && (!Number.isInteger(request.numWant) || request.numWant < 0 || request.numWant > 0x7fffffff)) {
    throw bad(`numWant must be a non-negative 31-bit integer, got ${request.numWant}`);
  }
  if (request.key !== undefined) checkUint32(request.key, 'key');
  if (request.event !== undefined && !['started', 'completed', 'stopped'].includes(request.event)) {
    throw bad(`unknown announce event: ${String(request.event).slice(0, 20)}`);
  }
}

/** Throws `tracker/bad-request` unless there are 1..MAX_SCRAPE_HASHES hashes of 20 bytes. */
export function checkScrapeHashes(infoHashes: readonly Uint8Array[]): void {
  if (infoHashes.length === 0) throw bad('scrape needs at least one info hash');
  if (infoHashes.length > MAX_SCRAPE_HASHES) {
    throw bad(`scrape takes at most ${MAX_SCRAPE_HASHES} info hashes, got ${infoHashes.length}`);
  }
  for (const hash of infoHashes) checkHash(hash, 'info hash');
}
