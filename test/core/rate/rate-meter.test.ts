import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RateMeter } from '../../../src/core/rate/rate-meter.js';

describe('RateMeter', () => {
  it('reads 0 before any sample', () => {
    expect(new RateMeter().rate(1000)).toBe(0);
  });

  it('reads a steady stream at its true rate once the window is full', () => {
    const m = new RateMeter({ windowMs: 5000, buckets: 20 });
    // 16 KiB every 10 ms = 1 638 400 B/s.
    for (let t = 0; t <= 20_000; t += 10) m.add(16384, t);
    expect(m.rate(20_000)).toBeCloseTo(1_638_400, -4);
    expect(m.total).toBe(16384 * 2001);
  });

  it('divides by the time it has run while younger than the window', () => {
    const m = new RateMeter({ windowMs: 5000, buckets: 20 });
    for (let t = 0; t < 1000; t += 100) m.add(10_000, t);
    // 100 kB over the 1 s it has been running, not over the 5 s window.
    expect(m.rate(1000)).toBe(100_000);
  });

  it('never divides by less than one bucket, so a first block does not read as infinite', () => {
    const m = new RateMeter({ windowMs: 5000, buckets: 20 });
    m.add(16384, 1234);
    expect(m.rate(1234)).toBe((16384 * 1000) / 250);
  });

  it('forgets bytes that slid out of the window', () => {
    const m = new RateMeter({ windowMs: 1000, buckets: 10 });
    m.add(1_000_000, 0);
    expect(m.rate(500)).toBe(2_000_000);
    expect(m.rate(1100)).toBe(0);
    m.add(500, 5000);
    // At a bucket boundary the ring covers the 9 full buckets before it.
    expect(m.rate(5000)).toBe((500 * 1000) / 900);
  });

  it('treats time going backwards as no time passing and ignores bad byte counts', () => {
    const m = new RateMeter({ windowMs: 1000, buckets: 10 });
    m.add(1000, 900);
    m.add(1000, 100); // clock stepped back: counted at 900
    m.add(-5, 950);
    m.add(Number.NaN, 950);
    m.add(Number.POSITIVE_INFINITY, 950);
    expect(m.total).toBe(2000);
    expect(m.rate(Number.NaN)).toBe(m.rate(900));
  });

  it('with idleMs, reads 0 once no bytes came for that long, and measures bytes after that afresh', () => {
    const m = new RateMeter({ windowMs: 5000, buckets: 20, idleMs: 2000 });
    for (let t = 0; t <= 5000; t += 10) m.add(16384, t);
    expect(m.rate(6999)).toBeGreaterThan(0);
    expect(m.rate(7000)).toBe(0);
    // Without the cut the window still holds the last 3 s of bytes there.
    const plain = new RateMeter({ windowMs: 5000, buckets: 20 });
    for (let t = 0; t <= 5000; t += 10) plain.add(16384, t);
    expect(plain.rate(7000)).toBeGreaterThan(0);
    // The window still spans 3250..8000 ms, but the stopped transfer's bytes do not come back.
    m.add(16384, 8000);
    expect(m.rate(8000)).toBe((16384 * 1000) / 250);
    expect(m.rate(8500)).toBe((16384 * 1000) / 500);
    expect(m.total).toBe(16384 * 502);
  });

  it('handles negative clocks (fake clocks may start anywhere)', () => {
    const m = new RateMeter({ windowMs: 1000, buckets: 4 });
    for (let t = -2000; t < 0; t += 50) m.add(100, t);
    expect(m.rate(0)).toBeCloseTo(2000, 6);
  });

  it('property: the rate equals the bytes added in the covered span divided by that span', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ dt: fc.integer({ min: 0, max: 400 }), bytes: fc.integer({ min: 1, max: 1 << 20 }) }), {
          minLength: 1,
          maxLength: 200,
        }),
        fc.integer({ min: 0, max: 3000 }),
        (events, tail) => {
          const windowMs = 2000;
          const buckets = 8;
          const bucketMs = windowMs / buckets;
          const m = new RateMeter({ windowMs, buckets });
          let t = 0;
          const log: { t: number; bytes: number }[] = [];
          for (const e of events) {
            t += e.dt;
            m.add(e.bytes, t);
            log.push({ t, bytes: e.bytes });
          }
          const now = t + tail;
          // The ring covers the buckets [head - n + 1, head].
          const head = Math.floor(now / bucketMs);
          const from = (head - buckets + 1) * bucketMs;
          const inWindow = log.filter((e) => e.t >= from).reduce((s, e) => s + e.bytes, 0);
          const covered = now - from;
          const elapsed = Math.max(bucketMs, Math.min(covered, now - log[0]!.t));
          expect(m.rate(now)).toBeCloseTo((inWindow * 1000) / elapsed, 3);
        },
      ),
    );
  });
});
