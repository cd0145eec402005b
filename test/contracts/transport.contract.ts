import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Transport } from '../../src/core/ports/transport.js';
import { concatBytes } from '../../src/core/util/bytes.js';

/** Records everything a transport delivers. */
export function record(t: Transport) {
  const chunks: Uint8Array[] = [];
  let closes = 0;
  let drains = 0;
  let dataAfterClose = false;
  let onClose: () => void = () => {};
  const closed = new Promise<void>((resolve) => (onClose = resolve));
  t.attach({
    data: (c) => {
      if (closes > 0) dataAfterClose = true;
      chunks.push(c.slice());
    },
    drain: () => drains++,
    close: () => {
      closes++;
      onClose();
    },
  });
  return {
    bytes: () => concatBytes(chunks),
    closes: () => closes,
    drains: () => drains,
    dataAfterClose: () => dataAfterClose,
    closed,
  };
}

async function until(cond: () => boolean, what: string, limit = 2000): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * The Transport contract: every implementation (memory, TCP, WebRTC, WebSocket) registers this
 * suite with a factory that returns a connected pair.
 */
export function transportContract(name: string, connectedPair: () => Promise<[Transport, Transport]>): void {
  describe(`Transport contract: ${name}`, () => {
    it('delivers bytes in order whatever the chunking, in both directions at once', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.uint8Array({ minLength: 1, maxLength: 3000 }), { minLength: 1, maxLength: 20 }),
          fc.array(fc.uint8Array({ minLength: 1, maxLength: 3000 }), { minLength: 1, maxLength: 20 }),
          async (fromA, fromB) => {
            const [a, b] = await connectedPair();
            const ra = record(a);
            const rb = record(b);
            for (const c of fromA) a.write(c.slice());
            for (const c of fromB) b.write(c.slice());
            const wantAtB = concatBytes(fromA);
            const wantAtA = concatBytes(fromB);
            await until(() => rb.bytes().length >= wantAtB.length && ra.bytes().length >= wantAtA.length, 'all bytes');
            expect(rb.bytes()).toEqual(wantAtB);
            expect(ra.bytes()).toEqual(wantAtA);
            a.close();
            await Promise.all([ra.closed, rb.closed]);
          },
        ),
        { numRuns: 15 },
      );
    });

    it('pushes back past its high-water mark and signals drain once the far side has read', async () => {
      const [a, b] = await connectedPair();
      const ra = record(a);
      const big = new Uint8Array(256 * 1024).fill(7);
      let writes = 0;
      let accepted = true;
      // Write until the transport says stop; the far side is not attached yet, so nothing is read.
      while (accepted && writes < 1024) {
        accepted = a.write(big.slice());
        writes++;
      }
      expect(accepted).toBe(false);
      const rb = record(b);
      await until(() => ra.drains() > 0, 'drain');
      await until(() => rb.bytes().length === writes * big.length, 'all queued bytes');
      a.close();
      await Promise.all([ra.closed, rb.closed]);
    });

    it('closes both sides exactly once, after the bytes already sent, and delivers nothing after', async () => {
      const [a, b] = await connectedPair();
      const ra = record(a);
      const rb = record(b);
      a.write(new Uint8Array([1, 2, 3]));
      a.close();
      a.close();
      await Promise.all([ra.closed, rb.closed]);
      await new Promise((r) => setTimeout(r, 20));
      expect(rb.bytes()).toEqual(new Uint8Array([1, 2, 3]));
      expect(ra.closes()).toBe(1);
      expect(rb.closes()).toBe(1);
      expect(a.write(new Uint8Array([4]))).toBe(false);
      expect(ra.dataAfterClose() || rb.dataAfterClose()).toBe(false);
    });

    it('reports which side dialled', async () => {
      const [a, b] = await connectedPair();
      expect([a.outgoing, b.outgoing]).toEqual([true, false]);
      const ra = record(a);
      const rb = record(b);
      b.close();
      await Promise.all([ra.closed, rb.closed]);
    });
  });
}
