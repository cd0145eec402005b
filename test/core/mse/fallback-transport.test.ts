import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../../src/core/errors.js';
import { FallbackTransport } from '../../../src/core/mse/fallback-transport.js';
import type { Transport } from '../../../src/core/ports/transport.js';
import { memoryTransportPair } from '../../../src/core/transport/memory.js';
import { record } from '../../contracts/transport.contract.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await tick();
  expect(cond()).toBe(true);
}

describe('FallbackTransport', () => {
  it('redials when the peer hangs up before answering, replays what was written, and carries on', async () => {
    const [first, firstFar] = memoryTransportPair();
    firstFar.attach({ data: () => firstFar.close(), drain: () => {}, close: () => {} });
    const [second, secondFar] = memoryTransportPair();
    let retries = 0;
    const t = new FallbackTransport(first, async () => {
      retries++;
      return second;
    });
    const rt = record(t);
    t.write(new Uint8Array([1, 2]));
    t.write(new Uint8Array([3]));
    const far = record(secondFar);
    await until(() => far.bytes().length === 3);
    expect(far.bytes()).toEqual(new Uint8Array([1, 2, 3]));
    expect(retries).toBe(1);
    expect(t.usedFallback).toBe(true);
    secondFar.write(new Uint8Array([9]));
    await until(() => rt.bytes().length === 1);
    t.write(new Uint8Array([4]));
    await until(() => far.bytes().length === 4);
    expect(rt.closes()).toBe(0);
    t.close();
    await Promise.all([rt.closed, far.closed]);
    expect(rt.closes()).toBe(1);
  });

  it('does not redial a peer that answered before hanging up', async () => {
    const [first, far] = memoryTransportPair();
    let retries = 0;
    const t = new FallbackTransport(first, async () => {
      retries++;
      return memoryTransportPair()[0];
    });
    const rt = record(t);
    far.attach({ data: () => {}, drain: () => {}, close: () => {} });
    far.write(new Uint8Array([1]));
    await until(() => rt.bytes().length === 1);
    far.close();
    await rt.closed;
    expect(retries).toBe(0);
    expect(t.usedFallback).toBe(false);
  });

  it('closes with the redial\'s error when the second connection cannot be made, exactly once', async () => {
    const [first, far] = memoryTransportPair();
    far.attach({ data: () => {}, drain: () => {}, close: () => {} });
    const refused = new SluiceError('transport/refused', 'connection refused');
    const t = new FallbackTransport(first, () => Promise.reject(refused));
    let error: unknown;
    let closes = 0;
    t.attach({ data: () => {}, drain: () => {}, close: (e) => ((error = e), closes++) });
    far.close();
    await until(() => closes === 1);
    await tick();
    expect(closes).toBe(1);
    expect(error).toBe(refused);
  });

  it('a local close while redialling fires close once and closes the late connection', async () => {
    const [first, far] = memoryTransportPair();
    far.attach({ data: () => {}, drain: () => {}, close: () => {} });
    let resolveRetry: (t: Transport) => void = () => {};
    const t = new FallbackTransport(first, () => new Promise((r) => (resolveRetry = r)));
    const rt = record(t);
    far.close();
    await tick();
    t.close();
    await rt.closed;
    const [late, lateFar] = memoryTransportPair();
    const rl = record(lateFar);
    resolveRetry(late);
    await rl.closed;
    expect(rt.closes()).toBe(1);
    expect(t.write(new Uint8Array([1]))).toBe(false);
  });
});
