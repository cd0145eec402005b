import { SluiceError } from '../errors.js';

export type WebSeedErrorCode =
  /** Not an http(s) URL. */
  | 'webseed/bad-url'
  /** The caller asked for bytes outside the torrent (a bug upstream, not the server's fault). */
  | 'webseed/bad-request'
  /** Any status but 206, or 200 for a whole file (404, 416, 5xx...). */
  | 'webseed/http-status'
  /** 200 with the whole file when we asked for part of it: the server ignores Range. */
  | 'webseed/range-ignored'
  /** Content-Range missing its bytes, naming other bytes, or a file size that is not the torrent's. */
  | 'webseed/bad-range'
  /** Fewer bytes than asked for (declared or delivered). */
  | 'webseed/short-body'
  /** More bytes than asked for (declared or delivered): reading stops at the first extra byte. */
  | 'webseed/long-body'
  /** No byte arrived for the idle timeout. */
  | 'webseed/timeout'
  /** The request failed below HTTP (refused, reset, DNS, CORS in a browser). */
  | 'webseed/network'
  /** The caller's signal aborted the request. */
  | 'webseed/aborted'
  /** The web seed was closed. */
  | 'webseed/closed'
  /** Every request slot is in use: the caller asked for more than `wantMore` allowed. */
  | 'webseed/busy'
  /** The web seed is backing off after a failure until `nextRetryAt`. */
  | 'webseed/backing-off'
  /** A piece made of the web seed's bytes failed its hash check (reported by the caller). */
  | 'webseed/corrupt-piece'
  /** The web seed served data that failed the hash check too often and is no longer used. */
  | 'webseed/disabled';

export interface WebSeedErrorDetails {
  /** The HTTP status, for `webseed/http-status`. */
  readonly status?: number;
  /** How long the server asked us to wait (a 429 or 503 `Retry-After` in seconds), in milliseconds. */
  readonly retryAfterMs?: number;
}

export class WebSeedError extends SluiceError<WebSeedErrorCode> {
  override readonly name: string = 'WebSeedError';
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: WebSeedErrorCode, message: string, details: WebSeedErrorDetails = {}) {
    super(code, message);
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }
}
