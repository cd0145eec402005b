/**
 * RequestPipeline: for one peer, how many block requests to keep outstanding, which of them have
 * stalled, and whether the peer is snubbing us. Sans-I/O: events and `now` in, decisions out.
 *
 * Rules:
 * - Depth = measured rate × queue time / block size, clamped to [minDepth, min(maxDepth, the
 *   peer's reqq)]. The queue time is 4 × the round trip with nothing queued (the smallest latency
 *   sample of the last 5–10 s), at least 20 ms and at most request_queue_time (3 s, libtorrent's
 *   fixed figure): that covers the bandwidth-delay product with room for jitter, and keeps what a
 *   peer holds for us to tens of milliseconds of data on a short path instead of 3 s. What is
 *   queued is what a page that goes away (a reload) has been sent and loses: webtorrent answers
 *   every request at once and ignores a CANCEL once it has read the block (issue 9: 5.1 MB lost at a
 *   reload with 3 s queued, 359 requests, at 2 MB/s).
 * - Slow start: depth starts at 4 and grows by one per block received (doubling per round trip)
 *   until throughput stops growing by 10% a second, the smoothed latency passes the queue time
 *   (the peer is queueing: the pipe is full), a request times out, or the peer snubs us.
 * - A request times out `clamp(2·SRTT + 4·RTTVAR, 5 s, 60 s)` after it was sent (20 s before any
 *   latency is known); the sample includes queueing at the peer. A timeout ends slow start and
 *   halves the depth until the next block re-measures it.
 * - Snubbed: no block for 20 s while unchoked with requests outstanding (the clock starts when
 *   requests start or the peer unchokes, not during idle time). A snubbed peer gets at most one request until a block arrives.
 * - Choked: without the fast extension, a choke discards every outstanding request (BEP 3); with
 *   it, requests stay until the peer rejects them (BEP 6). No new requests while choked.
 * Invariants: outstanding = sent − answered − rejected − cancelled − timed out − dropped ≥ 0;
 * 0 ≤ wantMore() ≤ depth. Time that goes backwards is treated as no time passing.
 * Refill in batches: with requests outstanding, wantMore() is 0 until a quarter of the depth is free.
 * Allowed fast (BEP 6): while choked, `wantMoreAllowedFast()` allows a few requests for the pieces the
 * peer allowed; the caller restricts the picker to those pieces.
 * Non-goals: which blocks to request (the picker).
 */
import { RateMeter } from '../rate/rate-meter.js';
import { CancelHonour, type CancelVerdict } from './cancel-honour.js';
import { MinRttFilter, RttEstimator } from './rtt.js';
import type { OutstandingRequest, PipelineOptions, PipelinePoll } from './types.js';

export const BLOCK_SIZE = 16_384;
export const REQUEST_QUEUE_TIME_MS = 3000;
/** Queue time = this × the unloaded round trip, within [MIN_QUEUE_TIME_MS, requestQueueTimeMs]. */
export const QUEUE_ROUND_TRIPS = 4;
export const MIN_QUEUE_TIME_MS = 20;
/** A queue this short is "shallow": its round trip is the path's, not time spent queued at the peer. */
const SHALLOW_DEPTH = 4;
/** A shallow queue's smoothed round trip this many times the unloaded one means the minimum was an outlier. */
const SHALLOW_LATENCY_RATIO = 4;
export const MIN_DEPTH = 2;
export const MAX_DEPTH = 500;
export const INITIAL_DEPTH = 4;
/** Requests are sent once a quarter of the depth is free (see wantMore). */
const REFILL_FRACTION = 4;
export const INITIAL_REQUEST_TIMEOUT_MS = 20_000;
export const MIN_REQUEST_TIMEOUT_MS = 5000;
export const MAX_REQUEST_TIMEOUT_MS = 60_000;
export const SNUB_TIMEOUT_MS = 20_000;
export const RATE_WINDOW_MS = 3000;
/** Slow start ends when a second's throughput is less than this factor times the previous second's. */
/** Requests outstanding at once for allowed-fast pieces while choked: a trickle, not a pipeline (BEP 6 suggests 10 pieces). */
const ALLOWED_FAST_DEPTH = 8;
const SLOW_START_GROWTH = 1.1;
const SLOW_START_SAMPLE_MS = 1000;

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

function isIndex(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** Blocks per piece and pieces that fit a small-integer key below 2^30 (V8's Smi range, browsers included). */
const KEY_BLOCKS = 2048;
const KEY_PIECES = 2 ** 19;

/**
 * The map key of a request: a small integer for block-aligned requests in ordinary torrents (every request
 * of a download, looked up twice per block, so no string is built and hashed), a string otherwise.
 */
function keyOf(piece: number, begin: number, blockSize: number): number | string {
  const block = begin / blockSize;
  if (Number.isInteger(block) && block >= 0 && block < KEY_BLOCKS && Number.isInteger(piece) && piece >= 0 && piece < KEY_PIECES) {
    return piece * KEY_BLOCKS + block;
  }
  return `${piece}:${begin}`;
}

export class RequestPipeline {
  private readonly blockSize: number;
  private readonly queueTimeCeilingMs: number;
  private readonly minDepth: number;
  private readonly maxDepth: number;
  private readonly initialTimeoutMs: number;
  private readonly minTimeoutMs: number;
  private readonly maxTimeoutMs: number;
  private readonly snubTimeoutMs: number;

  private readonly meter: RateMeter;
  private readonly latency = new RttEstimator();
  /** What the peer does with our CANCELs. */
  private readonly honour = new CancelHonour();
  private readonly unloadedLatency = new MinRttFilter();
  /** The same minimum, never restarted: the deadline budget's round trip (see `fastestLatencyMs`). */
  private readonly fastestLatency = new MinRttFilter();
  /** In send order (Map keeps insertion order), so the oldest request is first. */
  private readonly pending = new Map<number | string, OutstandingRequest>();

  private peerLimit = Number.POSITIVE_INFINITY;
  private currentDepth: number;
  private slowStart = true;
  private slowStartDepth: number;
  private sampleStart: number | null = null;
  private sampleBytes = 0;
  private previousSampleBytes: number | null = null;

  private choked = true;
  private isSnubbed = false;
  private lastProgressAt = 0;
  private clock = Number.NEGATIVE_INFINITY;

  constructor(options: PipelineOptions = {}) {
    this.blockSize = positive(options.blockSize, BLOCK_SIZE);
    this.queueTimeCeilingMs = positive(options.requestQueueTimeMs, REQUEST_QUEUE_TIME_MS);
    this.maxDepth = Math.max(1, Math.floor(positive(options.maxDepth, MAX_DEPTH)));
    this.minDepth = Math.min(this.maxDepth, Math.max(1, Math.floor(positive(options.minDepth, MIN_DEPTH))));
    const initial = Math.floor(positive(options.initialDepth, INITIAL_DEPTH));
    this.slowStartDepth = Math.min(this.maxDepth, Math.max(this.minDepth, initial));
    this.currentDepth = this.slowStartDepth;
    this.initialTimeoutMs = positive(options.initialRequestTimeoutMs, INITIAL_REQUEST_TIMEOUT_MS);
    this.minTimeoutMs = positive(options.minRequestTimeoutMs, MIN_REQUEST_TIMEOUT_MS);
    this.maxTimeoutMs = Math.max(this.minTimeoutMs, positive(options.maxRequestTimeoutMs, MAX_REQUEST_TIMEOUT_MS));
    this.snubTimeoutMs = positive(options.snubTimeoutMs, SNUB_TIMEOUT_MS);
    this.meter = new RateMeter({ windowMs: positive(options.rateWindowMs, RATE_WINDOW_MS), buckets: 12 });
  }

  /** Target number of outstanding requests. */
  get depth(): number {
    return this.currentDepth;
  }

  /** The most requests the peer takes at once (its reqq, at most maxDepth): deadline requests may fill up to it. */
  get queueLimit(): number {
    return this.depthCeiling();
  }

  get outstanding(): number {
    return this.pending.size;
  }

  /** Bytes asked for and not yet received (a walk of the outstanding requests: for status, not per block). */
  get outstandingBytes(): number {
    let bytes = 0;
    for (const request of this.pending.values()) bytes += request.length;
    return bytes;
  }

  get snubbed(): boolean {
    return this.isSnubbed;
  }

  get inSlowStart(): boolean {
    return this.slowStart;
  }

  /** Whether the peer is known to drop requests we CANCEL (see cancel-honour.ts). */
  get cancelVerdict(): CancelVerdict {
    return this.honour.verdict;
  }

  /**
   * Requests we cancelled that the peer has neither rejected nor been seen to skip, within a request
   * timeout: a peer that ignores CANCEL still sends them, ahead of anything asked for now.
   */
  get cancelledUnanswered(): number {
    return this.honour.unanswered(Number.isFinite(this.clock) ? this.clock : 0, this.requestTimeoutMs);
  }

  get peerChoking(): boolean {
    return this.choked;
  }

  /** Smoothed request latency in ms, or null before the first answered request. */
  get latencyMs(): number | null {
    return this.latency.smoothed;
  }

  /** The round trip with nothing queued at the peer (the smallest recent latency sample), or null before one. */
  get unloadedLatencyMs(): number | null {
    return this.unloadedLatency.value;
  }

  /**
   * The smallest latency sample of the last 5–10 s, outliers included. The deadline budget sizes its
   * short queue by it: a queue there should be as short as the path allows, and restarting the
   * unloaded minimum (checkUnloadedLatency) lengthened a seek's wait at a webtorrent peer.
   */
  get fastestLatencyMs(): number | null {
    return this.fastestLatency.value;
  }

  /** How many ms of data to keep requested: a few unloaded round trips (see the rules above). */
  get queueTimeMs(): number {
    const unloaded = this.unloadedLatencyMs;
    if (unloaded === null) return this.queueTimeCeilingMs;
    return Math.min(this.queueTimeCeilingMs, Math.max(MIN_QUEUE_TIME_MS, QUEUE_ROUND_TRIPS * unloaded));
  }

  /** How long a request may stay unanswered before `poll` reports it. */
  get requestTimeoutMs(): number {
    const srtt = this.latency.smoothed;
    if (srtt === null) return this.initialTimeoutMs;
    const adaptive = 2 * srtt + 4 * this.latency.variation;
    return Math.min(this.maxTimeoutMs, Math.max(this.minTimeoutMs, adaptive));
  }

  /** Bytes per second received from this peer, over the rate window. */
  rate(now: number): number {
    return this.meter.rate(this.tick(now));
  }

  /** How many more requests to send now. */
  wantMore(): number {
    if (this.choked) return 0;
    const target = this.isSnubbed ? 1 : this.currentDepth;
    const free = target - this.pending.size;
    // A deep queue is topped up in batches of a quarter of it, not a block at a time: the peer always
    // has three quarters of the depth (over 2 s of data) in hand, and each REQUEST batch costs one write
    // (one data-channel message) instead of one per block received.
    if (this.pending.size > 0 && free < Math.floor(target / REFILL_FRACTION)) return 0;
    return Math.max(0, free);
  }

  /** How many requests to send while choked, for pieces the peer allowed us to fetch anyway (BEP 6). */
  wantMoreAllowedFast(): number {
    if (!this.choked) return 0;
    return Math.max(0, Math.min(ALLOWED_FAST_DEPTH, this.currentDepth) - this.pending.size);
  }

  isOutstanding(piece: number, begin: number): boolean {
    return this.pending.has(keyOf(piece, begin, this.blockSize));
  }

  /** Outstanding requests, oldest first. */
  requests(): OutstandingRequest[] {
    return [...this.pending.values()];
  }

  /** The outstanding requests without a copy (a live view: do not send or settle requests while iterating). */
  outstandingRequests(): IterableIterator<OutstandingRequest> {
    return this.pending.values();
  }

  /** The peer's `reqq` from its extended handshake: never keep more requests than it queues. */
  setPeerQueueLimit(reqq: number): void {
    this.peerLimit = Number.isFinite(reqq) && reqq >= 1 ? Math.floor(reqq) : Number.POSITIVE_INFINITY;
    this.currentDepth = Math.min(this.currentDepth, this.depthCeiling());
  }

  onUnchoked(now: number): void {
    const t = this.tick(now);
    this.choked = false;
    // Waiting while choked is not the peer snubbing us.
    if (this.pending.size > 0) this.lastProgressAt = t;
  }

  /** Returns the requests the choke discarded (none with the fast extension: the peer rejects them one by one). */
  onChoked(now: number, fastExtension: boolean): OutstandingRequest[] {
    this.tick(now);
    this.choked = true;
    if (fastExtension) return [];
    const dropped = [...this.pending.values()];
    for (const key of this.pending.keys()) this.honour.forget(key);
    this.pending.clear();
    this.isSnubbed = false;
    return dropped;
  }

  /** Returns false (and records nothing) for a request already outstanding or with invalid fields. */
  onRequestSent(piece: number, begin: number, now: number, length: number = this.blockSize): boolean {
    if (!isIndex(piece) || !isIndex(begin) || !Number.isSafeInteger(length) || length <= 0) return false;
    const key = keyOf(piece, begin, this.blockSize);
    if (this.pending.has(key)) return false;
    const t = this.tick(now);
    if (this.pending.size === 0) this.lastProgressAt = t;
    this.pending.set(key, { piece, begin, length, sentAt: t });
    this.honour.requestSent(key);
    return true;
  }

  /**
   * Records a PIECE message. Returns true if it answered an outstanding request; bytes that arrive
   * after a timeout or cancel still count towards the rate and clear snubbing.
   */
  onBlockReceived(piece: number, begin: number, length: number, now: number): boolean {
    const t = this.tick(now);
    const bytes = Number.isFinite(length) && length > 0 ? length : 0;
    this.meter.add(bytes, t);
    this.lastProgressAt = t;
    this.isSnubbed = false;
    const key = keyOf(piece, begin, this.blockSize);
    const request = this.pending.get(key);
    this.honour.blockReceived(key);
    if (request !== undefined) {
      this.pending.delete(key);
      this.latency.add(t - request.sentAt);
      this.unloadedLatency.add(t - request.sentAt, t);
      this.fastestLatency.add(t - request.sentAt, t);
    }
    if (this.slowStart) {
      if (request !== undefined) this.slowStartDepth++;
      this.sampleSlowStart(bytes, t);
    }
    this.updateDepth(t);
    return request !== undefined;
  }

  /** A REJECT (BEP 6): the request is no longer outstanding. Returns whether one of ours was (not when it answers our CANCEL). */
  onRejected(piece: number, begin: number, now: number): boolean {
    this.tick(now);
    const key = keyOf(piece, begin, this.blockSize);
    // The answer to a CANCEL: a request for the same block asked again since is not the one rejected.
    if (this.honour.rejected(key)) return false;
    return this.pending.delete(key);
  }

  /** We sent CANCEL (e.g. endgame): forget the request without penalising the peer. */
  onCancelled(piece: number, begin: number): boolean {
    const key = keyOf(piece, begin, this.blockSize);
    this.honour.cancelSent(key, Number.isFinite(this.clock) ? this.clock : 0);
    return this.pending.delete(key);
  }

  poll(now: number): PipelinePoll {
    const t = this.tick(now);
    const timeout = this.requestTimeoutMs;
    const timedOut: OutstandingRequest[] = [];
    for (const [key, request] of this.pending) {
      if (t - request.sentAt < timeout) break;
      this.pending.delete(key);
      this.honour.forget(key);
      timedOut.push(request);
    }
    if (timedOut.length > 0) {
      this.slowStart = false;
      this.currentDepth = Math.max(this.minDepth, Math.floor(this.currentDepth / 2));
    }
    const waiting = !this.choked && this.pending.size + timedOut.length > 0;
    if (!this.isSnubbed && waiting && t - this.lastProgressAt >= this.snubTimeoutMs) {
      this.isSnubbed = true;
      this.slowStart = false;
    }
    if (timedOut.length === 0 && !this.isSnubbed) this.updateDepth(t);
    return { timedOut, snubbed: this.isSnubbed };
  }

  /** The next time `poll` may have something to report, or null when nothing is outstanding. */
  nextDeadline(): number | null {
    const oldest = this.pending.values().next();
    if (oldest.done === true) return null;
    const timeoutAt = oldest.value.sentAt + this.requestTimeoutMs;
    // While choked (fast extension: requests kept) silence is expected; only timeouts apply.
    if (this.isSnubbed || this.choked) return timeoutAt;
    return Math.min(timeoutAt, this.lastProgressAt + this.snubTimeoutMs);
  }

  private tick(now: number): number {
    if (Number.isFinite(now) && now > this.clock) this.clock = now;
    return Number.isFinite(this.clock) ? this.clock : 0;
  }

  private depthCeiling(): number {
    return Math.min(this.maxDepth, this.peerLimit);
  }

  private sampleSlowStart(bytes: number, t: number): void {
    if (this.sampleStart === null) this.sampleStart = t;
    this.sampleBytes += bytes;
    if (t - this.sampleStart < SLOW_START_SAMPLE_MS) return;
    if (this.previousSampleBytes !== null && this.sampleBytes < this.previousSampleBytes * SLOW_START_GROWTH) {
      this.slowStart = false;
    }
    this.previousSampleBytes = this.sampleBytes;
    this.sampleBytes = 0;
    this.sampleStart = t;
  }

  private updateDepth(t: number): void {
    const ceiling = this.depthCeiling();
    this.checkUnloadedLatency(t);
    const queueTimeMs = this.queueTimeMs;
    const byRate = Math.ceil((this.meter.rate(t) * queueTimeMs) / 1000 / this.blockSize);
    let depth = Math.max(this.minDepth, byRate);
    if (this.slowStart && (this.latency.smoothed ?? 0) > queueTimeMs) this.slowStart = false;
    if (this.slowStart) {
      depth = Math.max(depth, this.slowStartDepth);
      if (depth >= ceiling) this.slowStart = false;
    }
    this.currentDepth = Math.max(1, Math.min(ceiling, depth));
  }

  /**
   * A queue of a few requests cannot make its own round trip many times the unloaded one, so when it
   * does, the smallest sample was an outlier (a peer whose small queue meets Nagle and a delayed ACK
   * answers in 40 ms, now and then in 1 ms) and the queue sized by it can never grow: 2 blocks per
   * 40 ms sizes a 20 ms queue at 1 block, so 2 again. Start the minimum again from the round trip seen.
   */
  private checkUnloadedLatency(t: number): void {
    const smoothed = this.latency.smoothed;
    const unloaded = this.unloadedLatency.value;
    if (this.slowStart || smoothed === null || unloaded === null || this.currentDepth > SHALLOW_DEPTH) return;
    if (smoothed > SHALLOW_LATENCY_RATIO * Math.max(unloaded, MIN_QUEUE_TIME_MS / QUEUE_ROUND_TRIPS)) this.unloadedLatency.restart(smoothed, t);
  }
}
