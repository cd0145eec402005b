// The HTTP(S) tracker client: the pure codecs in src/core/tracker plus Node's fetch, a timeout and a
// bound on how much of a reply we read.
import type { AnnounceRequest, AnnounceResponse, ScrapeStats, TrackerClient } from '../../../src/core/ports/tracker.js';
import { MAX_HTTP_RESPONSE_BYTES } from '../../../src/core/tracker/bounds.js';
import { TrackerError } from '../../../src/core/tracker/errors.js';
import { buildAnnounceUrl, buildScrapeUrl, checkHttpTrackerUrl, scrapeUrlFor } from '../../../src/core/tracker/http-url.js';
import { parseAnnounceResponse, parseScrapeResponse } from '../../../src/core/tracker/http-response.js';
import { describeNetworkError } from './network-errors.js';

export interface HttpTrackerClientOptions {
  /** Whole request, connect to last byte. Default 15 s (what bittorrent-tracker and libtorrent use). */
  readonly timeoutMs?: number;
  /** Default MAX_HTTP_RESPONSE_BYTES (1 MiB). */
  readonly maxResponseBytes?: number;
  readonly userAgent?: string;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/** Why an in-flight request was aborted, so the rejection can say so. */
type AbortCause = 'timeout' | 'closed';

export class HttpTrackerClient implements TrackerClient {
  readonly protocol = 'http' as const;
  private readonly inFlight = new Set<AbortController>();
  private readonly causes = new WeakMap<AbortController, AbortCause>();
  private closed = false;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly userAgent: string;

  /** Throws `tracker/bad-url` unless `url` is an http(s) URL. */
  constructor(
    readonly url: string,
    options: HttpTrackerClientOptions = {},
  ) {
    checkHttpTrackerUrl(url);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxResponseBytes = Math.min(options.maxResponseBytes ?? MAX_HTTP_RESPONSE_BYTES, MAX_HTTP_RESPONSE_BYTES);
    this.userAgent = options.userAgent ?? 'Sluice/0.1';
  }

  async announce(request: AnnounceRequest): Promise<AnnounceResponse> {
    const target = buildAnnounceUrl(this.url, request);
    return this.get(target, parseAnnounceResponse);
  }

  async scrape(infoHashes: readonly Uint8Array[]): Promise<readonly ScrapeStats[]> {
    const scrapeUrl = scrapeUrlFor(this.url);
    if (scrapeUrl === null) {
      throw new TrackerError('tracker/scrape-unsupported', `tracker has no scrape URL (BEP 48): ${this.url.slice(0, 80)}`);
    }
    const target = buildScrapeUrl(scrapeUrl, infoHashes);
    return this.get(target, (body) => parseScrapeResponse(body, infoHashes));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const controller of this.inFlight) this.abort(controller, 'closed');
  }

  private abort(controller: AbortController, cause: AbortCause): void {
    if (!this.causes.has(controller)) this.causes.set(controller, cause);
    controller.abort();
  }

  private async get<T>(target: string, parse: (body: Uint8Array) => T): Promise<T> {
    if (this.closed) throw new TrackerError('tracker/closed', 'tracker client is closed');
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => this.abort(controller, 'timeout'), this.timeoutMs);
    try {
      const response = await fetch(target, {
        signal: controller.signal,
        redirect: 'follow',
        headers: { 'user-agent': this.userAgent, 'accept-encoding': 'identity' },
      });
      const body = await readBounded(response, this.maxResponseBytes);
      if (!response.ok) {
        // Some trackers put their failure reason in a 4xx/5xx body; that is the best message to show.
        try {
          parseAnnounceResponse(body);
        } catch (error) {
          if (error instanceof TrackerError && error.code === 'tracker/failure-reason') throw error;
        }
        throw new TrackerError('tracker/bad-response', `HTTP tracker answered ${response.status} ${response.statusText}`.trim());
      }
      return parse(body);
    } catch (error) {
      throw this.classify(error, controller);
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }

  private classify(error: unknown, controller: AbortController): TrackerError {
    const cause = this.causes.get(controller);
    if (cause === 'timeout') return new TrackerError('tracker/timeout', `HTTP tracker did not answer within ${this.timeoutMs} ms`);
    if (cause === 'closed') return new TrackerError('tracker/closed', 'tracker client was closed during the request');
    if (error instanceof TrackerError) return error;
    return new TrackerError('tracker/unreachable', `HTTP tracker unreachable: ${describeNetworkError(error)}`);
  }
}

/** Reads the body, giving up (and cancelling the download) once it passes `limit` bytes. */
async function readBounded(response: Response, limit: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel();
    throw new TrackerError('tracker/bad-response', `HTTP tracker reply of ${declared} bytes is over the ${limit}-byte limit`);
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      throw new TrackerError('tracker/bad-response', `HTTP tracker reply is over the ${limit}-byte limit`);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.length;
  }
  return body;
}
