/**
 * Smoothed request latency (RFC 6298's SRTT/RTTVAR with alpha 1/8, beta 1/4). A sample is the
 * time from sending a REQUEST to receiving its PIECE, so it includes the wait behind the requests
 * queued before it at the peer: exactly the delay a timeout must tolerate.
 */
export class RttEstimator {
  private srtt: number | null = null;
  private rttvar = 0;
  private count = 0;

  get samples(): number {
    return this.count;
  }

  /** Smoothed latency in ms, or null before the first sample. */
  get smoothed(): number | null {
    return this.srtt;
  }

  get variation(): number {
    return this.rttvar;
  }

  add(sampleMs: number): void {
    if (!Number.isFinite(sampleMs) || sampleMs < 0) return;
    this.count++;
    if (this.srtt === null) {
      this.srtt = sampleMs;
      this.rttvar = sampleMs / 2;
      return;
    }
    this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - sampleMs);
    this.srtt = 0.875 * this.srtt + 0.125 * sampleMs;
  }
}

/**
 * The smallest latency sample of the last 5–10 s (two 5 s buckets, BBR's min_rtt filter in small):
 * the round trip with nothing queued at the peer, which the pipeline's depth is sized by. Windowed, so
 * a path that got slower is seen within 10 s.
 */
export class MinRttFilter {
  private current = Number.POSITIVE_INFINITY;
  private previous = Number.POSITIVE_INFINITY;
  private bucketStart: number | null = null;

  constructor(private readonly bucketMs = 5000) {}

  /** The windowed minimum in ms, or null before any sample. */
  get value(): number | null {
    const m = Math.min(this.current, this.previous);
    return Number.isFinite(m) ? m : null;
  }

  /** Forgets every sample and starts again from `sampleMs` (the minimum was an outlier). */
  restart(sampleMs: number, now: number): void {
    this.previous = Number.POSITIVE_INFINITY;
    this.current = sampleMs;
    this.bucketStart = now;
  }

  add(sampleMs: number, now: number): void {
    if (!Number.isFinite(sampleMs) || sampleMs < 0) return;
    this.rotate(now);
    if (sampleMs < this.current) this.current = sampleMs;
  }

  private rotate(now: number): void {
    if (this.bucketStart === null) this.bucketStart = now;
    if (now - this.bucketStart < this.bucketMs) return;
    // A gap of two buckets or more leaves nothing recent to remember.
    this.previous = now - this.bucketStart < 2 * this.bucketMs ? this.current : Number.POSITIVE_INFINITY;
    this.current = Number.POSITIVE_INFINITY;
    this.bucketStart = now;
  }
}
