/**
 * RateMeter: bytes per second over a sliding window, fed `add(bytes, now)` and read `rate(now)`.
 * The window is a ring of fixed buckets, so `add` and `rate` cost O(1) amortised however many
 * blocks arrive: cheap enough to call for every 16 KiB block at hundreds of MiB/s.
 *
 * Rules:
 * - A bucket covers `windowMs / buckets` ms; the window slides one bucket at a time and the
 *   rate divides by the span the ring really covers, so a steady stream reads its true rate.
 * - While the meter is younger than its window it divides by the time it has been running (at
 *   least one bucket), so a fresh peer's rate is not understated during its first seconds.
 * - Time that goes backwards is treated as "no time passed"; negative or non-finite byte counts
 *   are ignored. Bad input never throws.
 * - With `idleMs`, a meter that has had no bytes for that long reads 0 at once, instead of the
 *   window's average sliding down over the rest of the window; bytes after that start afresh.
 */
export interface RateMeterOptions {
  /** Width of the sliding window in ms (default 5000). */
  readonly windowMs?: number;
  /** Number of buckets the window is cut into (default 20, so 250 ms each). */
  readonly buckets?: number;
  /** After this many ms without bytes the rate is 0 (default: never cut; the window decides). */
  readonly idleMs?: number;
}

export const DEFAULT_RATE_WINDOW_MS = 5000;
export const DEFAULT_RATE_BUCKETS = 20;
/**
 * The idle cut of the rates a torrent shows (its status, the app's list and header). With the
 * 5 s window alone a finished download read as "↓2.9 MiB/s, 0 peers" for 5 s after its last block;
 * 2 s without a byte is a stop at any rate above one 16 KiB block per 2 s (8 KiB/s).
 */
export const SHOWN_RATE_IDLE_MS = 2000;

export class RateMeter {
  readonly windowMs: number;
  private readonly bucketMs: number;
  private readonly counts: Float64Array;
  /** Absolute index (floor(now / bucketMs)) of the newest bucket; meaningful once started. */
  private head = 0;
  private sum = 0;
  private startedAt = Number.NaN;
  private lastNow = Number.NEGATIVE_INFINITY;
  private totalBytes = 0;
  private readonly idleMs: number;
  private lastBytesAt = Number.NEGATIVE_INFINITY;

  constructor(options: RateMeterOptions = {}) {
    const buckets = Math.max(1, Math.floor(options.buckets ?? DEFAULT_RATE_BUCKETS));
    const windowMs = options.windowMs ?? DEFAULT_RATE_WINDOW_MS;
    this.windowMs = Number.isFinite(windowMs) && windowMs > 0 ? windowMs : DEFAULT_RATE_WINDOW_MS;
    this.bucketMs = this.windowMs / buckets;
    this.counts = new Float64Array(buckets);
    this.idleMs = options.idleMs !== undefined && options.idleMs > 0 ? options.idleMs : Number.POSITIVE_INFINITY;
  }

  /** Bytes ever added (not windowed). */
  get total(): number {
    return this.totalBytes;
  }

  add(bytes: number, now: number): void {
    if (!Number.isFinite(bytes) || bytes <= 0) return;
    const t = this.clamp(now);
    // Bytes after an idle cut start a new transfer: the stopped one's bytes do not count again.
    if (Number.isNaN(this.startedAt) || t - this.lastBytesAt >= this.idleMs) {
      this.counts.fill(0);
      this.sum = 0;
      this.startedAt = t;
      this.head = Math.floor(t / this.bucketMs);
    }
    this.advance(t);
    const slot = this.slot(this.head);
    this.counts[slot] = this.counts[slot]! + bytes;
    this.sum += bytes;
    this.totalBytes += bytes;
    this.lastBytesAt = t;
  }

  /** Bytes per second over the window ending at `now`. */
  rate(now: number): number {
    if (Number.isNaN(this.startedAt)) return 0;
    const t = this.clamp(now);
    this.advance(t);
    if (t - this.lastBytesAt >= this.idleMs) return 0;
    // The ring holds the current, partial bucket plus the n-1 full ones before it.
    const covered = (this.counts.length - 1) * this.bucketMs + (t - this.head * this.bucketMs);
    const elapsed = Math.max(this.bucketMs, Math.min(covered, t - this.startedAt));
    // Float sums can drift a hair below zero after many subtractions.
    return this.sum <= 0 ? 0 : (this.sum * 1000) / elapsed;
  }

  private clamp(now: number): number {
    if (Number.isFinite(now) && now > this.lastNow) this.lastNow = now;
    return Number.isFinite(this.lastNow) ? this.lastNow : 0;
  }

  /** Moves the head to the bucket holding `t`, emptying the buckets that slid out of the window. */
  private advance(t: number): void {
    const index = Math.floor(t / this.bucketMs);
    if (Number.isNaN(this.startedAt)) return;
    if (index <= this.head) return;
    const n = this.counts.length;
    if (index - this.head >= n) {
      this.counts.fill(0);
      this.sum = 0;
    } else {
      for (let i = this.head + 1; i <= index; i++) {
        const slot = this.slot(i);
        this.sum -= this.counts[slot]!;
        this.counts[slot] = 0;
      }
    }
    this.head = index;
  }

  private slot(index: number): number {
    const n = this.counts.length;
    return ((index % n) + n) % n;
  }
}
