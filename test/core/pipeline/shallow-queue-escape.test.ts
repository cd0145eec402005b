import { describe, expect, it } from 'vitest';
import { RequestPipeline } from '../../../src/core/pipeline/index.js';

const BLOCK = 16_384;
const MiB = 1024 * 1024;

/**
 * A peer on a fake clock whose small queue meets Nagle's algorithm and a delayed ACK, as libtorrent
 * seeding on loopback did for `sluice serve`: a request sent with fewer than `shallowBelow` others
 * outstanding is answered in `slowMs`, except every `fastEvery`-th (`fastMs`); with a deeper queue the
 * blocks leave back to back (`fastMs`). It sends at most `rate` bytes/s. Returns the bytes received in
 * each 100 ms slot.
 */
function simulate(
  p: RequestPipeline,
  peer: { rate: number; slowMs: number; fastMs: number; fastEvery: number; shallowBelow: number; durationMs: number },
): number[] {
  const blockMs = (BLOCK / peer.rate) * 1000;
  const deliveries: { at: number; piece: number; begin: number }[] = [];
  let serverFreeAt = 0;
  let next = 0;
  const bytesPerSlot = new Array<number>(Math.ceil(peer.durationMs / 100)).fill(0);
  const send = (t: number): void => {
    for (let n = p.wantMore(); n > 0; n--) {
      const piece = Math.floor(next / 64);
      const begin = (next % 64) * BLOCK;
      const shallow = p.outstanding < peer.shallowBelow && next % peer.fastEvery !== peer.fastEvery - 1;
      const delay = shallow ? peer.slowMs : peer.fastMs;
      next++;
      p.onRequestSent(piece, begin, t);
      serverFreeAt = Math.max(t, serverFreeAt) + blockMs;
      const at = serverFreeAt + delay;
      let i = deliveries.length;
      while (i > 0 && deliveries[i - 1]!.at > at) i--;
      deliveries.splice(i, 0, { at, piece, begin });
    }
  };
  p.onUnchoked(0);
  send(0);
  while (deliveries.length > 0) {
    const d = deliveries.shift()!;
    if (d.at >= peer.durationMs) break;
    p.onBlockReceived(d.piece, d.begin, BLOCK, d.at);
    const slot = Math.floor(d.at / 100);
    bytesPerSlot[slot] = bytesPerSlot[slot]! + BLOCK;
    p.poll(d.at);
    send(d.at);
  }
  return bytesPerSlot;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

// A peer that really queues keeps its short queue: request-pipeline.test.ts ('leaves slow start once the
// peer queues…', 6–8 requests at 1 MiB/s with the latency under 150 ms) holds with this rule too.
describe('RequestPipeline — a shallow queue whose round trip is far above the smallest one', () => {
  it('grows out of the minimum depth at a 50 MiB/s peer that answers a queue of under 4 in 40 ms (one in ten in 1 ms) and a deeper one at once', () => {
    const p = new RequestPipeline();
    const slots = simulate(p, { rate: 50 * MiB, slowMs: 40, fastMs: 1, fastEvery: 10, shallowBelow: 4, durationMs: 20_000 });
    // Sized by 4 × the 1 ms answers alone (20 ms), the queue sat at 2 requests: 2 blocks per 40 ms,
    // 0.8 MB/s, for good (`sluice serve` fetched 32 MiB from libtorrent in 45 s that way).
    const lastTenSeconds = sum(slots.slice(100, 200)) / 10;
    expect(lastTenSeconds).toBeGreaterThan(0.9 * 50 * MiB);
  });
});
