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
