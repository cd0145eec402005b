import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RequestPipeline } from '../../../src/core/pipeline/index.js';
import type { PipelineOptions } from '../../../src/core/pipeline/index.js';

const BLOCK = 16_384;
const MiB = 1024 * 1024;

/**
 * A peer on a fake clock: it serves requests first-in first-out at `rate` bytes/s, `oneWayMs` away.
 * Returns the bytes received in each 100 ms slot and the depth seen at each slot's end.
 */
function simulate(
  p: RequestPipeline,
  link: { rate: number; oneWayMs: number; durationMs: number },
): { bytesPerSlot: number[]; depthAt: number[] } {
  const blockMs = (BLOCK / link.rate) * 1000;
  const deliveries: { at: number; piece: number; begin: number }[] = [];
  let head = 0;
  let serverFreeAt = 0;
  let next = 0;
  const slots = Math.ceil(link.durationMs / 100);
  const bytesPerSlot = new Array<number>(slots).fill(0);
  const depthAt = new Array<number>(slots).fill(0);
  const send = (t: number): void => {
    for (let n = p.wantMore(); n > 0; n--) {
      const piece = Math.floor(next / 64);
      const begin = (next % 64) * BLOCK;
      next++;
      if (!p.onRequestSent(piece, begin, t)) throw new Error(`request ${piece}:${begin} refused`);
      const done = Math.max(t + link.oneWayMs, serverFreeAt) + blockMs;
      serverFreeAt = done;
      deliveries.push({ at: done + link.oneWayMs, piece, begin });
    }
  };
  p.onUnchoked(0);
  send(0);
  while (head < deliveries.length) {
    const d = deliveries[head++]!;
    if (d.at >= link.durationMs) break;
    if (!p.onBlockReceived(d.piece, d.begin, BLOCK, d.at)) throw new Error(`block ${d.piece}:${d.begin} unmatched`);
    const slot = Math.floor(d.at / 100);
    bytesPerSlot[slot] = bytesPerSlot[slot]! + BLOCK;
    depthAt[slot] = p.depth;
    if (p.poll(d.at).timedOut.length > 0) throw new Error(`timeout at ${d.at} ms`);
    send(d.at);
  }
  return { bytesPerSlot, depthAt };
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('RequestPipeline — depth follows throughput and latency', () => {
  it('fills a 300 MiB/s loopback link: slow start reaches 150 requests within 100 ms, then keeps the 20 ms floor of data requested', () => {
    const p = new RequestPipeline();
    const { bytesPerSlot, depthAt } = simulate(p, { rate: 300 * MiB, oneWayMs: 0.05, durationMs: 1500 });
    expect(depthAt[0]).toBeGreaterThanOrEqual(150);
    // 300 MiB/s × 20 ms / 16 KiB = 384 blocks (3 s would be the 500 cap).
    expect(p.depth).toBeGreaterThanOrEqual(370);
    expect(p.depth).toBeLessThanOrEqual(390);
    // From 0.5 s to 1.5 s the link runs at ≥ 97% of its capacity.
    expect(sum(bytesPerSlot.slice(5, 15))).toBeGreaterThanOrEqual(0.97 * 300 * MiB);
  });

  it('a shallow fixed queue cannot fill the same link (the deep queue is what fills it)', () => {
    const p = new RequestPipeline({ maxDepth: 4 });
    const { bytesPerSlot } = simulate(p, { rate: 300 * MiB, oneWayMs: 0.5, durationMs: 1500 });
    expect(sum(bytesPerSlot.slice(5, 15))).toBeLessThan(0.5 * 300 * MiB);
  });

  it('fills a WebRTC-like 20 MiB/s link with an 80 ms round trip (bandwidth-delay product ≈ 100 blocks)', () => {
    const p = new RequestPipeline();
    const { bytesPerSlot } = simulate(p, { rate: 20 * MiB, oneWayMs: 40, durationMs: 6000 });
    expect(sum(bytesPerSlot.slice(30, 60))).toBeGreaterThanOrEqual(0.97 * 3 * 20 * MiB);
  });

  it('leaves slow start once the peer queues, then keeps 4 unloaded round trips of data requested and the link full', () => {
    const p = new RequestPipeline();
    simulate(p, { rate: 1 * MiB, oneWayMs: 5, durationMs: 10_000 });
    expect(p.inSlowStart).toBe(false);
    // Unloaded round trip: 10 ms + 15.6 ms to send a block = 25.6 ms; 1 MiB/s × 4 × 25.6 ms / 16 KiB = 6.4.
    expect(p.queueTimeMs).toBeCloseTo(102.5, 0);
    expect(p.depth).toBeGreaterThanOrEqual(6);
    expect(p.depth).toBeLessThanOrEqual(8);
    expect(p.rate(10_000)).toBeGreaterThan(0.95 * MiB);
    // Little queues at the peer: the latency stays a few round trips, not 3 s.
    expect(p.latencyMs).toBeLessThan(150);
    expect(p.requestTimeoutMs).toBe(5000);
  });

  it('fills a long path: 20 MiB/s with a 300 ms round trip (bandwidth-delay product ≈ 380 blocks)', () => {
    const p = new RequestPipeline();
    const { bytesPerSlot } = simulate(p, { rate: 20 * MiB, oneWayMs: 150, durationMs: 8000 });
    expect(sum(bytesPerSlot.slice(40, 80))).toBeGreaterThanOrEqual(0.97 * 4 * 20 * MiB);
  });

  it('keeps at most 3 s of data requested however long the round trip (libtorrent\'s request_queue_time)', () => {
    const p = new RequestPipeline();
    simulate(p, { rate: 1 * MiB, oneWayMs: 1000, durationMs: 20_000 });
    expect(p.queueTimeMs).toBe(3000);
    expect(p.depth).toBeLessThanOrEqual(200);
  });

  it('never exceeds the peer’s advertised reqq', () => {
    const p = new RequestPipeline();
    p.setPeerQueueLimit(50);
    simulate(p, { rate: 300 * MiB, oneWayMs: 0.05, durationMs: 300 });
    expect(p.depth).toBe(50);
    expect(p.outstanding).toBeLessThanOrEqual(50);
  });
});

describe('RequestPipeline — requests, chokes and rejects', () => {
  it('asks for nothing while choked and for the initial depth of 4 once unchoked', () => {
    const p = new RequestPipeline();
    expect(p.wantMore()).toBe(0);
    p.onUnchoked(0);
    expect(p.wantMore()).toBe(4);
    p.onRequestSent(0, 0, 0);
    expect(p.wantMore()).toBe(3);
  });

  it('counts the bytes still requested: sent, less what arrived, was rejected, cancelled or dropped by a choke', () => {
    const p = new RequestPipeline({ initialDepth: 8 });
    p.onUnchoked(0);
    p.onRequestSent(0, 0, 0);
    p.onRequestSent(0, 16_384, 0);
    p.onRequestSent(1, 0, 0, 5000); // a torrent's last, short block
    p.onRequestSent(1, 0, 0, 5000); // already outstanding: not counted twice
    p.onRequestSent(2, 0, 0);
    expect(p.outstandingBytes).toBe(3 * 16_384 + 5000);
    p.onBlockReceived(0, 0, 16_384, 10);
    p.onRejected(0, 16_384, 11);
    p.onCancelled(2, 0);
    expect(p.outstandingBytes).toBe(5000);
    p.onChoked(12, false);
    expect(p.outstandingBytes).toBe(0);
  });

  it('while choked allows a trickle of requests for allowed-fast pieces (BEP 6), and none once unchoked', () => {
    const p = new RequestPipeline({ initialDepth: 16 });
    expect(p.wantMore()).toBe(0);
    expect(p.wantMoreAllowedFast()).toBe(8);
    for (let i = 0; i < 5; i++) p.onRequestSent(i, 0, 0);
    expect(p.wantMoreAllowedFast()).toBe(3);
    p.onUnchoked(1);
    expect(p.wantMoreAllowedFast()).toBe(0);
    expect(p.wantMore()).toBe(11);
    // Never more than the depth itself.
    expect(new RequestPipeline({ initialDepth: 2, minDepth: 1 }).wantMoreAllowedFast()).toBe(2);
  });

  it('tops up a deep queue in batches of a quarter of its depth, and an empty one at once', () => {
    const p = new RequestPipeline({ initialDepth: 64 });
    p.onUnchoked(0);
    expect(p.wantMore()).toBe(64);
    for (let i = 0; i < 64; i++) p.onRequestSent(i, 0, 0);
    for (let i = 0; i < 15; i++) p.onCancelled(i, 0);
    expect(p.wantMore()).toBe(0);
    p.onCancelled(15, 0);
    expect(p.wantMore()).toBe(16);
    for (let i = 16; i < 64; i++) p.onCancelled(i, 0);
    expect(p.wantMore()).toBe(64);
    // A shallow queue (slow start's 4) still asks one block at a time.
    const shallow = new RequestPipeline();
    shallow.onUnchoked(0);
    for (let i = 0; i < 4; i++) shallow.onRequestSent(i, 0, 0);
    shallow.onCancelled(0, 0);
    expect(shallow.wantMore()).toBe(1);
  });

  it('refuses duplicate and malformed requests', () => {
    const p = new RequestPipeline();
    expect(p.onRequestSent(1, 0, 0)).toBe(true);
    expect(p.onRequestSent(1, 0, 5)).toBe(false);
    expect(p.onRequestSent(-1, 0, 0)).toBe(false);
    expect(p.onRequestSent(1, 0.5, 0)).toBe(false);
    expect(p.onRequestSent(1, BLOCK, 0, 0)).toBe(false);
    expect(p.outstanding).toBe(1);
    expect(p.requests()).toEqual([{ piece: 1, begin: 0, length: BLOCK, sentAt: 0 }]);
  });

  it('matches blocks to requests and measures their latency', () => {
    const p = new RequestPipeline();
    p.onUnchoked(0);
    p.onRequestSent(3, 0, 100);
    expect(p.onBlockReceived(3, 0, BLOCK, 180)).toBe(true);
    expect(p.latencyMs).toBe(80);
    expect(p.onBlockReceived(3, 0, BLOCK, 190)).toBe(false); // duplicate answer
    expect(p.outstanding).toBe(0);
    expect(p.rate(190)).toBeGreaterThan(0);
  });

  it('a choke without the fast extension discards every request, oldest first', () => {
    const p = new RequestPipeline();
    p.onUnchoked(0);
    p.onRequestSent(0, 0, 1);
    p.onRequestSent(0, BLOCK, 2);
    const dropped = p.onChoked(3, false);
    expect(dropped).toEqual([
      { piece: 0, begin: 0, length: BLOCK, sentAt: 1 },
      { piece: 0, begin: BLOCK, length: BLOCK, sentAt: 2 },
    ]);
    expect(p.outstanding).toBe(0);
    expect(p.wantMore()).toBe(0);
    expect(p.nextDeadline()).toBeNull();
  });

  it('with the fast extension a choke keeps requests until each is rejected, and silence is not snubbing', () => {
    const p = new RequestPipeline({ snubTimeoutMs: 1000, initialRequestTimeoutMs: 60_000 });
    p.onUnchoked(0);
    p.onRequestSent(0, 0, 0);
    p.onRequestSent(0, BLOCK, 0);
    expect(p.onChoked(10, true)).toEqual([]);
    expect(p.outstanding).toBe(2);
    expect(p.poll(5000)).toEqual({ timedOut: [], snubbed: false });
    expect(p.nextDeadline()).toBe(60_000);
    expect(p.onRejected(0, 0, 5000)).toBe(true);
    expect(p.onRejected(0, 0, 5000)).toBe(false);
    expect(p.outstanding).toBe(1);
    p.onUnchoked(6000);
    expect(p.poll(6999).snubbed).toBe(false);
    expect(p.poll(7000).snubbed).toBe(true);
  });

  it('forgets cancelled requests', () => {
    const p = new RequestPipeline();
    p.onRequestSent(2, 0, 0);
    expect(p.isOutstanding(2, 0)).toBe(true);
    expect(p.onCancelled(2, 0)).toBe(true);
    expect(p.isOutstanding(2, 0)).toBe(false);
    expect(p.onCancelled(2, 0)).toBe(false);
  });
});

describe('RequestPipeline — timeouts and snubbing', () => {
  it('times a request out 20 s after sending before any latency is known, and halves the depth', () => {
    const p = new RequestPipeline({ initialDepth: 8, snubTimeoutMs: 100_000 });
    p.onUnchoked(0);
    p.onRequestSent(0, 0, 0);
    p.onRequestSent(0, BLOCK, 1000);
    expect(p.nextDeadline()).toBe(20_000);
    expect(p.poll(19_999).timedOut).toEqual([]);
    const r = p.poll(20_000);
    expect(r.timedOut).toEqual([{ piece: 0, begin: 0, length: BLOCK, sentAt: 0 }]);
    expect(p.outstanding).toBe(1);
    expect(p.depth).toBe(4);
    expect(p.inSlowStart).toBe(false);
    expect(p.nextDeadline()).toBe(21_000);
    // A block that turns up after its timeout is no longer an answer to anything here.
    expect(p.onBlockReceived(0, 0, BLOCK, 20_500)).toBe(false);
  });

  it('adapts the timeout to measured latency: 2·SRTT + 4·RTTVAR within [5 s, 60 s]', () => {
    const p = new RequestPipeline();
    p.onUnchoked(0);
    p.onRequestSent(0, 0, 0);
    p.onBlockReceived(0, 0, BLOCK, 4000); // SRTT 4000, RTTVAR 2000
    expect(p.requestTimeoutMs).toBe(16_000);
    const fast = new RequestPipeline();
    fast.onRequestSent(0, 0, 0);
    fast.onBlockReceived(0, 0, BLOCK, 2);
    expect(fast.requestTimeoutMs).toBe(5000);
    const slow = new RequestPipeline();
    slow.onRequestSent(0, 0, 0);
    slow.onBlockReceived(0, 0, BLOCK, 50_000);
    expect(slow.requestTimeoutMs).toBe(60_000);
  });

  it('marks the peer snubbed after 20 s without data while requests are outstanding, and clears it on data', () => {
    const p = new RequestPipeline({ initialRequestTimeoutMs: 60_000 });
    p.onUnchoked(0);
    p.onRequestSent(0, 0, 100_000); // idle time before the first request does not count
    p.onRequestSent(0, BLOCK, 100_000);
    expect(p.nextDeadline()).toBe(120_000);
    expect(p.poll(119_999).snubbed).toBe(false);
    expect(p.poll(120_000)).toEqual({ timedOut: [], snubbed: true });
    expect(p.wantMore()).toBe(0); // a snubbed peer gets at most one request
    expect(p.nextDeadline()).toBe(160_000);
    p.onBlockReceived(0, 0, BLOCK, 121_000);
    expect(p.snubbed).toBe(false);
    expect(p.wantMore()).toBeGreaterThan(0);
  });

  it('reports no deadline with nothing outstanding', () => {
    const p = new RequestPipeline();
    expect(p.nextDeadline()).toBeNull();
    expect(p.poll(1e9)).toEqual({ timedOut: [], snubbed: false });
  });
});

describe('RequestPipeline — properties', () => {
  type Op =
    | { kind: 'send'; block: number; dt: number }
    | { kind: 'receive'; block: number; dt: number }
    | { kind: 'reject'; block: number; dt: number }
    | { kind: 'cancel'; block: number; dt: number }
    | { kind: 'choke'; fast: boolean; dt: number }
    | { kind: 'unchoke'; dt: number }
    | { kind: 'poll'; dt: number }
    | { kind: 'reqq'; n: number; dt: number };
  const dt = fc.integer({ min: 0, max: 8000 });
  const block = fc.integer({ min: 0, max: 40 });
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('send' as const), block, dt }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('receive' as const), block, dt }) },
    fc.record({ kind: fc.constant('reject' as const), block, dt }),
    fc.record({ kind: fc.constant('cancel' as const), block, dt }),
    fc.record({ kind: fc.constant('choke' as const), fast: fc.boolean(), dt }),
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('unchoke' as const), dt }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('poll' as const), dt }) },
    fc.record({ kind: fc.constant('reqq' as const), n: fc.integer({ min: -1, max: 600 }), dt }),
  );

  it('outstanding is exactly sent minus answered, rejected, cancelled, timed out and dropped; wantMore within [0, depth]', () => {
    const opts: PipelineOptions = {};
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const p = new RequestPipeline(opts);
        const model = new Set<number>();
        let t = 0;
        for (const o of ops) {
          t += o.dt;
          switch (o.kind) {
            case 'send': {
              const fresh = !model.has(o.block);
              expect(p.onRequestSent(o.block, 0, t)).toBe(fresh);
              model.add(o.block);
              break;
            }
            case 'receive':
              expect(p.onBlockReceived(o.block, 0, BLOCK, t)).toBe(model.delete(o.block));
              break;
            case 'reject':
              expect(p.onRejected(o.block, 0, t)).toBe(model.delete(o.block));
              break;
            case 'cancel':
              expect(p.onCancelled(o.block, 0)).toBe(model.delete(o.block));
              break;
            case 'choke': {
              const dropped = p.onChoked(t, o.fast);
              for (const r of dropped) expect(model.delete(r.piece)).toBe(true);
              if (!o.fast) expect(model.size).toBe(0);
              break;
            }
            case 'unchoke':
              p.onUnchoked(t);
              break;
            case 'poll': {
              const before = p.nextDeadline();
              const r = p.poll(t);
              for (const req of r.timedOut) {
                expect(model.delete(req.piece)).toBe(true);
                expect(t - req.sentAt).toBeGreaterThanOrEqual(5000);
              }
              // Nothing is reported before the announced deadline.
              if (before === null || t < before) expect(r.timedOut).toEqual([]);
              break;
            }
            case 'reqq':
              p.setPeerQueueLimit(o.n);
              break;
          }
          expect(p.outstanding).toBe(model.size);
          expect(p.wantMore()).toBeGreaterThanOrEqual(0);
          expect(p.wantMore()).toBeLessThanOrEqual(p.depth);
          expect(p.depth).toBeGreaterThanOrEqual(1);
          expect(p.depth).toBeLessThanOrEqual(500);
        }
      }),
    );
  });

  it('poll before nextDeadline never changes anything', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 100_000 }),
        (sendGaps, early) => {
          const p = new RequestPipeline();
          p.onUnchoked(0);
          let t = 0;
          sendGaps.forEach((gap, i) => {
            t += gap;
            p.onRequestSent(i, 0, t);
          });
          const deadline = p.nextDeadline()!;
          const at = Math.max(t, deadline - early);
          if (at < deadline) expect(p.poll(at)).toEqual({ timedOut: [], snubbed: false });
          const r = p.poll(deadline);
          expect(r.timedOut.length > 0 || r.snubbed).toBe(true);
        },
      ),
    );
  });
});

describe('RequestPipeline request identity', () => {
  it('tells every (piece, begin) apart, aligned or not, small or huge, and answers each exactly once', () => {
    const pairs = fc.uniqueArray(
      fc.record({
        piece: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 2 ** 31 })),
        begin: fc.oneof(fc.integer({ min: 0, max: 4 }).map((b) => b * BLOCK), fc.integer({ min: 0, max: 2 ** 26 }), fc.constant(2047 * BLOCK), fc.constant(2048 * BLOCK)),
      }),
      { selector: (r) => `${r.piece}:${r.begin}`, maxLength: 40 },
    );
    fc.assert(
      fc.property(pairs, (requests) => {
        const p = new RequestPipeline({ maxDepth: 500 });
        for (const r of requests) expect(p.onRequestSent(r.piece, r.begin, 0)).toBe(true);
        expect(p.outstanding).toBe(requests.length);
        for (const r of requests) expect(p.onRequestSent(r.piece, r.begin, 0)).toBe(false);
        for (const r of requests) expect(p.onBlockReceived(r.piece, r.begin, BLOCK, 1)).toBe(true);
        for (const r of requests) expect(p.onBlockReceived(r.piece, r.begin, BLOCK, 2)).toBe(false);
        expect(p.outstanding).toBe(0);
      }),
    );
  });
});
