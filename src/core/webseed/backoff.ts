/**
 * Exponential back-off for one web seed: the n-th consecutive failure waits `base x 2^(n-1)`, capped
 * at `max`, or longer when the server asked (Retry-After), still capped. Failures of requests that
 * were already in flight when the back-off began do not count again: two requests lost to one outage
 * are one failure.
 */
export class Backoff {
  private count = 0;
  private retryAt = 0;

  constructor(
    readonly baseMs: number,
    readonly maxMs: number,
  ) {}

  get failures(): number {
    return this.count;
  }

  /** When requests may start again (0: now). */
  get nextRetryAt(): number {
    return this.retryAt;
  }

  ready(now: number): boolean {
    return now >= this.retryAt;
  }

  fail(now: number, serverDelayMs = 0): void {
    const asked = Math.min(this.maxMs, serverDelayMs);
    if (now < this.retryAt) {
      this.retryAt = Math.max(this.retryAt, now + asked);
      return;
    }
    this.count++;
    this.retryAt = now + Math.max(Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.count - 1, 30)), asked);
  }

  succeed(): void {
    this.count = 0;
    this.retryAt = 0;
  }
}
