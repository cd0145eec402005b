import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Transport } from '../../../src/core/ports/transport.js';
import { listenTcp, READ_SIZE } from '../../../sidecar/src/transport/tcp.js';
import { closeAfterFile, tcpPair as pair } from './tcp-pair.js';

/** Copies every chunk (as the port's lifetime rule requires) and remembers which memory it was read into. */
function collect(t: Transport, total: number): Promise<{ chunks: Uint8Array[]; buffers: Set<ArrayBufferLike> }> {
  const chunks: Uint8Array[] = [];
  const buffers = new Set<ArrayBufferLike>();
  let got = 0;
  return new Promise((resolve) => {
    t.attach({
      data: (c) => {
        chunks.push(c.slice());
        buffers.add(c.buffer);
        got += c.length;
        if (got >= total) resolve({ chunks, buffers });
      },
      drain: () => {},
      close: () => resolve({ chunks, buffers }),
    });
  });
}

const idle = { data: () => {}, drain: () => {}, close: () => {} };

describe('tcp reads', () => {
  it('delivers every byte in order, in reads of at most READ_SIZE, both ways', async () => {
    const { dialed, accepted } = await pair();
    const down = new Uint8Array(randomBytes(3 * 1024 * 1024 + 123));
    const up = new Uint8Array(randomBytes(2 * 1024 * 1024 + 7));
    const atDialed = collect(dialed, down.length);
    const atAccepted = collect(accepted, up.length);
    for (let at = 0; at < down.length; at += 100_000) accepted.write(down.subarray(at, at + 100_000));
    for (let at = 0; at < up.length; at += 70_000) dialed.write(up.subarray(at, at + 70_000));
    const [d, a] = await Promise.all([atDialed, atAccepted]);
    expect(Buffer.concat(d.chunks).equals(down)).toBe(true);
    expect(Buffer.concat(a.chunks).equals(up)).toBe(true);
    expect(Math.max(...d.chunks.map((c) => c.length), ...a.chunks.map((c) => c.length))).toBeLessThanOrEqual(READ_SIZE);
    dialed.close();
    accepted.close();
  });

  it('reads into one buffer shared by every socket, dialled and accepted: nothing allocated per read', async () => {
    const one = await pair();
    const two = await pair();
    const size = 1024 * 1024;
    const results = Promise.all([collect(one.dialed, size), collect(one.accepted, size), collect(two.dialed, size), collect(two.accepted, size)]);
    for (const t of [one.dialed, one.accepted, two.dialed, two.accepted]) t.write(new Uint8Array(size).fill(3));
    const all = await Promise.all([results]).then(([r]) => r);
    const buffers = new Set(all.flatMap((r) => [...r.buffers]));
    expect(buffers.size).toBe(1);
    expect([...buffers][0]!.byteLength).toBeGreaterThanOrEqual(READ_SIZE);
    for (const r of all) expect(Buffer.concat(r.chunks).equals(Buffer.alloc(size, 3))).toBe(true);
    for (const t of [one.dialed, one.accepted, two.dialed, two.accepted]) t.close();
  });

  it('keeps its own copy of what arrives before attach, though other sockets reuse the read buffer', async () => {
    const early = await pair();
    early.accepted.attach(idle);
    early.accepted.write(Uint8Array.of(1, 2, 3, 4, 5));
    // Let the bytes reach the unattached dialled transport, then push other bytes through the shared buffer.
    await new Promise((r) => setTimeout(r, 50));
    const other = await pair();
    const busy = collect(other.dialed, 300_000);
    other.accepted.attach(idle);
    other.accepted.write(new Uint8Array(300_000).fill(0xee));
    await busy;
    const { chunks } = await collect(early.dialed, 5);
    expect(Buffer.concat(chunks)).toEqual(Buffer.from([1, 2, 3, 4, 5]));
    for (const t of [early.dialed, early.accepted, other.dialed, other.accepted]) t.close();
  });

  it('keeps at most maxConnections accepted connections open', async () => {
    const accepted: Transport[] = [];
    const listener = await listenTcp({ port: 0, host: '127.0.0.1', maxConnections: 1 }, (t) => accepted.push(t));
    closeAfterFile(listener);
    const connectRaw = () =>
      new Promise<{ closed: Promise<void>; end: () => void }>((resolve) => {
        const s = connect({ port: listener.port, host: '127.0.0.1' }, () => resolve({ closed, end: () => s.destroy() }));
        const closed = new Promise<void>((r) => s.on('close', () => r()));
        s.on('error', () => {});
      });
    const first = await connectRaw();
    await new Promise((r) => setTimeout(r, 50));
    const second = await connectRaw();
    await second.closed;
    expect(accepted).toHaveLength(1);
    first.end();
    await new Promise((r) => setTimeout(r, 50));
    const third = await connectRaw();
    await new Promise((r) => setTimeout(r, 50));
    expect(accepted).toHaveLength(2);
    third.end();
    for (const t of accepted) t.close();
  });
});
