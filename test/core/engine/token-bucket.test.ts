import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../src/core/engine/token-bucket.js';

describe('TokenBucket', () => {
  it('is unlimited at rate 0', () => {
    const b = new TokenBucket(0, 0);
    b.take(1e12, 0);
    expect(b.available(0)).toBe(Infinity);
    expect(b.readyAt(1e9, 5)).toBe(5);
  });

  it('allows one second of burst, then refills at the rate', () => {
    const b = new TokenBucket(100_000, 0, 1);
    expect(b.available(0)).toBe(100_000);
    b.take(100_000, 0);
    expect(b.available(0)).toBe(0);
    expect(b.available(500)).toBe(50_000);
    expect(b.readyAt(100_000, 500)).toBe(1000);
  });

  it('carries debt: an oversized take blocks later sends until repaid', () => {
    const b = new TokenBucket(1000, 0, 1);
    b.take(3000, 0);
    expect(b.available(1000)).toBe(0);
    expect(b.available(3000)).toBe(1000);
  });

  it('over a long run passes no more than rate x time + burst', () => {
    const b = new TokenBucket(50_000, 0, 1);
    let sent = 0;
    for (let t = 0; t <= 10_000; t += 7) {
      const n = Math.min(b.available(t), 16384);
      if (n >= 16384) {
        b.take(n, t);
        sent += n;
      }
    }
    expect(sent).toBeLessThanOrEqual(50_000 * 10 + 50_000);
    expect(sent).toBeGreaterThan(50_000 * 9);
  });
});
