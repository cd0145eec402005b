import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Transport } from '../../../src/core/ports/transport.js';
import { listenTcp, READ_SIZE, tcpDialer, type TcpListener } from '../../../sidecar/src/transport/tcp.js';

const listeners: TcpListener[] = [];
afterAll(async () => {
  await Promise.all(listeners.map((l) => l.close()));
});

async function pair(): Promise<{ dialed: Transport; accepted: Transport }> {
  let accept: (t: Transport) => void = () => {};
  const acceptedP = new Promise<Transport>((r) => (accept = r));
  const listener = await listenTcp({ port: 0, host: '127.0.0.1' }, (t) => accept(t));
  listeners.push(listener);
  const dialed = await tcpDialer().dial(`127.0.0.1:${listener.port}`);
  return { dialed, accepted: await acceptedP };
}

function collect(t: Transport, total: number): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  let got = 0;
  return new Promise((resolve) => {
    t.attach({
      data: (c) => {
        chunks.push(c);
        got += c.length;
        if (got >= total) resolve(chunks);
      },
      drain: () => {},
      close: () => resolve(chunks),
    });
  });
}

describe('tcp dialled-socket reads', () => {
  it('delivers every byte in order, in reads of at most READ_SIZE', async () => {
    const { dialed, accepted } = await pair();
    const payload = new Uint8Array(randomBytes(3 * 1024 * 1024 + 123));
    const received = collect(dialed, payload.length);
    accepted.attach({ data: () => {}, drain: () => {}, close: () => {} });
    for (let at = 0; at < payload.length; at += 100_000) accepted.write(payload.subarray(at, at + 100_000));
    const chunks = await received;
    expect(Buffer.concat(chunks).equals(payload)).toBe(true);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(READ_SIZE);
    dialed.close();
    accepted.close();
  });

  it('copies a short read out of the read buffer, so keeping it does not pin READ_SIZE bytes', async () => {
    const { dialed, accepted } = await pair();
    const received = collect(dialed, 5);
    accepted.attach({ data: () => {}, drain: () => {}, close: () => {} });
    accepted.write(Uint8Array.of(1, 2, 3, 4, 5));
    const [first] = await received;
    expect(first).toEqual(Uint8Array.of(1, 2, 3, 4, 5));
    expect(first!.buffer.byteLength).toBeLessThan(READ_SIZE);
    dialed.close();
    accepted.close();
  });
});
