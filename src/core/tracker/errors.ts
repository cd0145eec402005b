import { SluiceError } from '../errors.js';

export type TrackerErrorCode =
  /** The tracker answered with a `failure reason` (HTTP) or an error packet (UDP). */
  | 'tracker/failure-reason'
  /** No answer within the configured time (HTTP timeout, or every UDP retransmission used up). */
  | 'tracker/timeout'
  /** The answer could not be parsed, was too large, or had an unexpected HTTP status. */
  | 'tracker/bad-response'
  /** The tracker could not be reached at all (DNS failure, connection refused, ICMP unreachable). */
  | 'tracker/unreachable'
  /** The announce URL is not one this client can use. */
  | 'tracker/bad-url'
  /** The request itself is invalid (wrong info hash length, negative counters...). */
  | 'tracker/bad-request'
  /** The tracker does not support scraping (BEP 48: its announce URL has no `announce` segment). */
  | 'tracker/scrape-unsupported'
  /** The client was closed while the request was in flight. */
  | 'tracker/closed';

export interface TrackerErrorDetails {
  /** The tracker's own text, sanitised to one printable line (for `tracker/failure-reason`). */
  readonly reason?: string;
  /** BEP 31 `retry in`: minutes to wait before announcing again, or 'never'. */
  readonly retryIn?: number | 'never';
}

export class TrackerError extends SluiceError<TrackerErrorCode> {
  override readonly name = 'TrackerError';
  constructor(
    code: TrackerErrorCode,
    message: string,
    readonly details: TrackerErrorDetails = {},
  ) {
    super(code, message);
  }
}

export function isTrackerError(value: unknown): value is TrackerError {
  return value instanceof TrackerError;
}

const MAX_TEXT = 200;

/**
 * Trackers send arbitrary bytes as human text. We show it on one line, so control characters become
 * spaces, runs of whitespace collapse, and it is cut at 200 characters.
 */
export function sanitizeTrackerText(bytes: Uint8Array): string {
  const text = new TextDecoder('utf-8').decode(bytes.subarray(0, MAX_TEXT * 4));
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > MAX_TEXT ? `${flat.slice(0, MAX_TEXT - 1)}…` : flat;
}

/** The error for a tracker's refusal; the message carries the tracker's own words. */
export function failureReasonError(reason: string, retryIn?: number | 'never'): TrackerError {
  const shown = reason === '' ? '(no reason given)' : reason;
  return new TrackerError('tracker/failure-reason', `tracker refused the request: ${shown}`, {
    reason,
    ...(retryIn === undefined ? {} : { retryIn }),
  });
}
