import { describe, expect, it } from 'vitest';
import { transportContract, record } from '../../contracts/transport.contract.js';
import { muxPair } from './bridge-pair.js';

let nextChannel = 1;
transportContract('bridge channel (over an in-memory bridge socket)', async () => {
  const { a, b } = muxPair();
  const channel = nextChannel++;
  return [a.openChannel(channel, 'bridge:b', true), b.openChannel(channel, 'bridge:a', false)];
});

describe('bridge channels', () => {
  it('carry many channels on one socket without mixing their bytes, and a socket loss ends each with a reset', async () => {
    const { a, b, sockets } = muxPair();
    const pairs = [1, 2, 3].map((c) => [a.openChannel(c, 'x', true), b.openChannel(c, 'y', false)] as const);
    const received = pairs.map(([, far]) => record(far));
    pairs.forEach(([near], i) => {
      for (let k = 0; k < 50; k++) near.write(new Uint8Array(1000 + i).fill(i + 1));
    });
    await expect.poll(() => received.map((r) => r.bytes().length)).toEqual([50_000, 50_050, 50_100]);
    received.forEach((r, i) => expect(r.bytes().every((x) => x === i + 1)).toBe(true));
    const errors: (string | undefined)[] = [];
    for (const [near] of pairs) near.attach({ data: () => {}, drain: () => {}, close: (e) => errors.push(e?.code) });
    sockets.close();
    a.end();
    b.end();
    await expect.poll(() => received.every((r) => r.closes() === 1)).toBe(true);
    await expect.poll(() => errors).toEqual(['transport/reset', 'transport/reset', 'transport/reset']);
  });

  it('drops data for a channel that is not open, and counts it', async () => {
    const { a, b } = muxPair();
    const lone = a.openChannel(9, 'x', true);
    lone.write(new Uint8Array([1, 2, 3]));
    await expect.poll(() => b.strayFrames).toBe(1);
  });
});
