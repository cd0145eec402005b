import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessagePacker } from '../../../src/core/transport/message-packer.js';

function drain(packer: MessagePacker, size: number): Uint8Array[] {
  const sent: Uint8Array[] = [];
  // The packer reuses its scratch buffer: a sender keeps a copy, as the data channels do.
  packer.drainInto(size, (m) => sent.push(m.slice()));
  return sent;
}

const concat = (parts: readonly Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

describe('MessagePacker', () => {
  it('sends the bytes written, in order, as full messages with only the last one shorter', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 30 }), fc.integer({ min: 1, max: 128 }), (writes, size) => {
        const packer = new MessagePacker();
        for (const w of writes) packer.push(w);
        expect(packer.queuedBytes).toBe(writes.reduce((n, w) => n + w.length, 0));
        const sent = drain(packer, size);
        expect(concat(sent)).toEqual(concat(writes));
        sent.forEach((m, i) => {
          expect(m.length).toBeGreaterThan(0);
          if (i < sent.length - 1) expect(m.length).toBe(size);
          else expect(m.length).toBeLessThanOrEqual(size);
        });
        expect(packer.empty).toBe(true);
        expect(packer.queuedBytes).toBe(0);
      }),
    );
  });

  it('sends a large write as slices of itself, not copies', () => {
    const packer = new MessagePacker();
    const big = new Uint8Array(10).fill(7);
    packer.push(big);
    const views: Uint8Array[] = [];
    packer.drainInto(4, (m) => views.push(m));
    expect(views.map((v) => v.length)).toEqual([4, 4, 2]);
    for (const v of views) expect(v.buffer).toBe(big.buffer);
  });

  it('is empty again when the sender throws, so nothing is sent twice', () => {
    const packer = new MessagePacker();
    packer.push(new Uint8Array(8));
    expect(() => packer.drainInto(4, () => {
      throw new Error('closed');
    })).toThrow('closed');
    expect(packer.empty).toBe(true);
    expect(packer.queuedBytes).toBe(0);
  });
});
