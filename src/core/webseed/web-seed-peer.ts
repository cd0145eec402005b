import type { Clock } from '../ports/environment.js';
import type { HttpFetch } from '../ports/http.js';
import type { AbortSignalLike } from '../ports/transport.js';
import type { BlockRequest } from '../picker/types.js';
import { AbortedByLatch, AbortLatch } from './abort-latch.js';
import { Backoff } from './backoff.js';
import { blockRuns } from './block-runs.js';
import { WebSeedError, type WebSeedErrorCode } from './errors.js';
import { rangeHeader, WebSeedPlanner, type RangePlan, type WebSeedLayout } from './plan.js';
import { receiveRange, shortUrl } from './receive.js';

const BLOCK = 16 * 1024;
const MAX_PIECE = 16 * 1024 * 1024;

export const WEB_SEED_DEFAULTS = {
  /** Requests in flight at once per web seed: enough to hide a round trip, polite to one server. */
  maxConcurrent: 2,
  /** A request that receives nothing for this long is abandoned (and counts as a failure). */
  idleTimeoutMs: 30_000,
  /** Bytes asked per request slot; raised to the piece length when pieces are larger. */
  requestBytes: 256 * 1024,
  backoffBaseMs: 5_000,
  backoffMaxMs: 10 * 60_000,
  /** Pieces that fail their hash check before the web seed is given up for good. */
  maxCorruptPieces: 3,
} as const;

export interface WebSeedOptions {
  /** The engine's clock: idle timeouts and back-off are measured on it. */
  readonly clock: Clock;
  /** 1..8, default 2. */
  readonly maxConcurrent?: number;
  readonly idleTimeoutMs?: number;
  readonly requestBytes?: number;
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  readonly maxCorruptPieces?: number;
}

/** An AbortSignalLike that can also drop a listener (a real AbortSignal can), so a long-lived signal does not collect one per request. */
export type CallerSignal = AbortSignalLike & { removeEventListener?(type: 'abort', listener: () => void): void };

export interface WebSeedFetchOptions {
  /** Aborts the request (rejects with `webseed/aborted`, not counted against the web seed). */
  readonly signal?: CallerSignal;
}

interface Job {
  readonly latch: AbortLatch;
  lastProgressAt: number;
}

/** Failures that are the server's doing and so back the web seed off. */
const SERVER_FAULTS: ReadonlySet<WebSeedErrorCode> = new Set<WebSeedErrorCode>([
  'webseed/http-status',
  'webseed/range-ignored',
  'webseed/bad-range',
  'webseed/short-body',
  'webseed/long-body',
  'webseed/timeout',
  'webseed/network',
]);

/** Whether `error` (what a web seed's fetch rejected with) was the server's doing, not our abort or the slot rules. */
export function isServerFault(error: unknown): boolean {
  return error instanceof WebSeedError && SERVER_FAULTS.has(error.code);
}

function clampInt(value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value === undefined || !Number.isFinite(value) ? fallback : Math.floor(value);
  return Math.min(max, Math.max(min, v));
}

function describe(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error && current.cause instanceof Error; depth++) current = current.cause;
  const text = current instanceof Error ? current.message : String(current);
  return text.replace(/\s+/g, ' ').trim().slice(0, 160) || 'unknown network error';
}

/**
 * One BEP 19 web seed, seen by the torrent coordinator as a peer that has every piece. The coordinator
 * asks `wantMore(now)` for free request slots, picks `blocksPerRequest` blocks per slot from the picker
 * (pseudo peer `id`, `has: 'all'`), and hands them to `fetchBlocks`; the bytes come back per block, to
 * go through `blockReceived` and the piece hash check like any peer's. Nothing here is trusted: the
 * caller verifies every piece, and calls `reportCorrupt` when one fails.
 *
 * No timers: the coordinator calls `poll(now)` from its tick (idle timeouts) and wakes at
 * `nextDeadline(now)`.
 */
export class WebSeedPeer {
  /** The picker's peer id for this web seed; never collides with a `host:port` peer. */
  readonly id: string;
  readonly planner: WebSeedPlanner;
  readonly maxConcurrent: number;
  /** Blocks to pick per request slot. */
  readonly blocksPerRequest: number;
  /** The most bytes one `fetchBlocks` call may ask for. */
  readonly maxRequestBytes: number;
  readonly idleTimeoutMs: number;
  private readonly clock: Clock;
  private readonly backoff: Backoff;
  private readonly maxCorrupt: number;
  private readonly jobs = new Set<Job>();
  private corrupt = 0;
  private closed = false;
  private downloaded = 0;
  private last: WebSeedError | null = null;

  constructor(
    readonly url: string,
    layout: WebSeedLayout,
    private readonly fetch: HttpFetch,
    options: WebSeedOptions,
  ) {
    this.planner = new WebSeedPlanner(url, layout);
    this.id = `webseed:${url}`;
    this.clock = options.clock;
    this.maxConcurrent = clampInt(options.maxConcurrent, WEB_SEED_DEFAULTS.maxConcurrent, 1, 8);
    this.idleTimeoutMs = clampInt(options.idleTimeoutMs, WEB_SEED_DEFAULTS.idleTimeoutMs, 1, 10 * 60_000);
    const requestBytes = clampInt(options.requestBytes, WEB_SEED_DEFAULTS.requestBytes, BLOCK, MAX_PIECE);
    this.blocksPerRequest = Math.ceil(Math.max(requestBytes, layout.pieceLength) / BLOCK);
    this.maxRequestBytes = this.blocksPerRequest * BLOCK;
    const base = clampInt(options.backoffBaseMs, WEB_SEED_DEFAULTS.backoffBaseMs, 1, 24 * 3_600_000);
    this.backoff = new Backoff(base, clampInt(options.backoffMaxMs, WEB_SEED_DEFAULTS.backoffMaxMs, base, 24 * 3_600_000));
    this.maxCorrupt = clampInt(options.maxCorruptPieces, WEB_SEED_DEFAULTS.maxCorruptPieces, 1, 1000);
  }

  /** Requests (fetch calls) in flight. */
  get inFlight(): number {
    return this.jobs.size;
  }

  get busy(): boolean {
    return this.jobs.size >= this.maxConcurrent;
  }

  /** Consecutive failures (0 after any success). */
  get failures(): number {
    return this.backoff.failures;
  }

  /** No request starts before this time (0: no back-off). */
  get nextRetryAt(): number {
    return this.backoff.nextRetryAt;
  }

  /** Given up after `maxCorruptPieces` pieces failed their hash check. */
  get disabled(): boolean {
    return this.corrupt >= this.maxCorrupt;
  }

  get corruptPieces(): number {
    return this.corrupt;
  }

  /** Body bytes received, including those of requests that then failed. */
  get downloadedBytes(): number {
    return this.downloaded;
  }

  /** The most recent failure, for status displays. */
  get lastError(): WebSeedError | null {
    return this.last;
  }

  /** Free request slots now: 0 while busy, backing off, disabled or closed. */
  wantMore(now: number): number {
    if (this.closed || this.disabled || !this.backoff.ready(now)) return 0;
    return this.maxConcurrent - this.jobs.size;
  }

  /**
   * The bytes of `blocks` (piece, begin, length each, as the picker gives them), one array per block
   * in the same order. Contiguous blocks share one HTTP request per file. Takes one request slot.
   */
  async fetchBlocks(blocks: readonly BlockRequest[], options: WebSeedFetchOptions = {}): Promise<Uint8Array[]> {
    const runs = blockRuns(this.planner.layout, blocks);
    const total = blocks.reduce((sum, b) => sum + b.length, 0);
    if (total > this.maxRequestBytes) {
      throw new WebSeedError('webseed/bad-request', `${total} bytes asked of a web seed at once; at most ${this.maxRequestBytes}`);
    }
    const plans = runs.map((run) => this.planner.range(run.spaceOffset, run.length));
    return this.run(options.signal, async (job) => {
      const out = new Array<Uint8Array>(blocks.length);
      for (let i = 0; i < runs.length; i++) {
        const bytes = await this.fetchPlan(plans[i]!, job);
        for (const part of runs[i]!.parts) out[part.block] = bytes.subarray(part.offset, part.offset + blocks[part.block]!.length);
      }
      return out;
    });
  }

  /** The bytes of piece `index`, unverified. Takes one request slot. */
  async fetchPiece(index: number, options: WebSeedFetchOptions = {}): Promise<Uint8Array> {
    const plan = this.planner.piece(index);
    return this.run(options.signal, (job) => this.fetchPlan(plan, job));
  }

  /** Abandons requests that received nothing for `idleTimeoutMs` (they reject with `webseed/timeout`). */
  poll(now: number): void {
    for (const job of this.jobs) {
      if (now - job.lastProgressAt >= this.idleTimeoutMs) job.latch.abort('timeout');
    }
  }

  /** When `poll` or `wantMore` next has something to do, or null. */
  nextDeadline(now: number): number | null {
    let next: number | null = null;
    for (const job of this.jobs) next = Math.min(next ?? Infinity, job.lastProgressAt + this.idleTimeoutMs);
    const retry = this.backoff.nextRetryAt;
    if (retry > now && !this.closed && !this.disabled) next = Math.min(next ?? Infinity, retry);
    return next;
  }

  /** A piece made (partly) of this web seed's bytes failed its hash check. */
  reportCorrupt(): void {
    this.corrupt++;
    this.backoff.fail(this.clock.now());
    this.last = this.disabled
      ? new WebSeedError('webseed/disabled', `web seed sent ${this.corrupt} pieces that failed the hash check: ${shortUrl(this.url)}`)
      : new WebSeedError('webseed/corrupt-piece', `web seed sent a piece that failed the hash check: ${shortUrl(this.url)}`);
  }

  /** Aborts every request (they reject with `webseed/closed`); later calls are refused. Idempotent. */
  close(): void {
    this.closed = true;
    for (const job of this.jobs) job.latch.abort('closed');
  }

  private admit(): void {
    const now = this.clock.now();
    if (this.closed) throw new WebSeedError('webseed/closed', `web seed is closed: ${shortUrl(this.url)}`);
    if (this.disabled) throw new WebSeedError('webseed/disabled', `web seed was given up after ${this.corrupt} bad pieces: ${shortUrl(this.url)}`);
    if (!this.backoff.ready(now)) {
      throw new WebSeedError('webseed/backing-off', `web seed is backing off for ${this.backoff.nextRetryAt - now} ms: ${shortUrl(this.url)}`);
    }
    if (this.busy) throw new WebSeedError('webseed/busy', `web seed already has ${this.jobs.size} requests in flight: ${shortUrl(this.url)}`);
  }

  private async run<T>(signal: CallerSignal | undefined, work: (job: Job) => Promise<T>): Promise<T> {
    this.admit();
    const job: Job = { latch: new AbortLatch(), lastProgressAt: this.clock.now() };
    this.jobs.add(job);
    const onAbort = () => job.latch.abort('aborted');
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await job.latch.race(work(job));
      this.backoff.succeed();
      return result;
    } catch (error) {
      const failure = this.classify(error, job.latch);
      if (isServerFault(failure)) {
        this.last = failure;
        this.backoff.fail(this.clock.now(), failure.retryAfterMs ?? 0);
      }
      throw failure;
    } finally {
      this.jobs.delete(job);
      signal?.removeEventListener?.('abort', onAbort);
    }
  }

  private async fetchPlan(plan: RangePlan, job: Job): Promise<Uint8Array> {
    const buffer = new Uint8Array(plan.length);
    for (const request of plan.requests) {
      // The job may have been abandoned while the previous request finished: send nothing more.
      if (job.latch.aborted) throw new AbortedByLatch(job.latch.cause ?? 'aborted');
      job.lastProgressAt = this.clock.now();
      const response = await job.latch.race(
        this.fetch(request.url, { headers: { range: rangeHeader(request), 'accept-encoding': 'identity' }, signal: job.latch }),
      );
      job.lastProgressAt = this.clock.now();
      const target = buffer.subarray(request.bufferOffset, request.bufferOffset + request.length);
      await receiveRange(response, request, target, job.latch, (n) => {
        this.downloaded += n;
        job.lastProgressAt = this.clock.now();
      });
    }
    return buffer;
  }

  private classify(error: unknown, latch: AbortLatch): WebSeedError {
    const where = shortUrl(this.url);
    switch (latch.cause) {
      case 'timeout':
        return new WebSeedError('webseed/timeout', `web seed sent nothing for ${this.idleTimeoutMs} ms: ${where}`);
      case 'aborted':
        return new WebSeedError('webseed/aborted', `web seed request aborted: ${where}`);
      case 'closed':
        return new WebSeedError('webseed/closed', `web seed closed during the request: ${where}`);
      default:
        if (error instanceof WebSeedError) return error;
        return new WebSeedError('webseed/network', `web seed unreachable: ${describe(error)}: ${where}`);
    }
  }
}
