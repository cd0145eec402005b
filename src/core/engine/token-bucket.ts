/**
 * A token bucket for rate limits (bytes per second). `rate` 0 means unlimited. The burst is one
 * second's worth (at least `minBurst`), so a limit is met on average without stalling small sends.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private rate: number,
    now: number,
    private readonly minBurst = 64 * 1024,
  ) {
    this.tokens = this.burst();
    this.last = now;
  }

  get unlimited(): boolean {
    return this.rate <= 0;
  }

  setRate(rate: number, now: number): void {
    this.refill(now);
    this.rate = rate;
    this.tokens = Math.min(this.tokens, this.burst());
  }

  /** Bytes that may be spent now. */
  available(now: number): number {
    if (this.unlimited) return Infinity;
    this.refill(now);
    return Math.max(0, this.tokens);
  }

  /** Spends `bytes` (may go negative: the debt is repaid before anything else passes). */
  take(bytes: number, now: number): void {
    if (this.unlimited) return;
    this.refill(now);
    this.tokens -= bytes;
  }

  /** When `bytes` will be available, or `now` if they already are. */
  readyAt(bytes: number, now: number): number {
    if (this.unlimited) return now;
    this.refill(now);
    const need = Math.min(bytes, this.burst()) - this.tokens;
    return need <= 0 ? now : now + Math.ceil((need / this.rate) * 1000);
  }

  private burst(): number {
    return Math.max(this.rate, this.minBurst);
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.burst(), this.tokens + ((now - this.last) / 1000) * this.rate);
      this.last = now;
    }
  }
}
