import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeMessage } from '../../../src/core/wire/encode.js';
import { WireError } from '../../../src/core/wire/errors.js';
import { MessageId } from '../../../src/core/wire/messages.js';
import { Outbox } from '../../../src/core/wire/outbox.js';

const concat = (chunks: Uint8Array[]) => Buffer.concat(chunks);

type Op =
  | { kind: 'request' | 'cancel' | 'reject'; index: number; begin: number; length: number }
  | { kind: 'have'; index: number }
  | { kind: 'chunk'; bytes: Uint8Array }
  | { kind: 'take' };

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('request' as const, 'cancel' as const, 'reject' as const), index: u32, begin: u32, length: u32 }),
  fc.record({ kind: fc.constant('have' as const), index: u32 }),
  fc.record({ kind: fc.constant('chunk' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.constant({ kind: 'take' as const }),
);

const ID = { request: MessageId.request, cancel: MessageId.cancel, reject: MessageId.reject };

describe('Outbox', () => {
  it('sends exactly what encodeMessage would, in order, and never rewrites a chunk it handed out', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600 }), (ops) => {
        const outbox = new Outbox();
        const expected: Uint8Array[] = [];
        const handedOut: { chunk: Uint8Array; copy: Buffer }[] = [];
        const take = () => {
          for (const chunk of outbox.take()) handedOut.push({ chunk, copy: Buffer.from(chunk) });
        };
        for (const o of ops) {
          if (o.kind === 'take') take();
          else if (o.kind === 'chunk') {
            outbox.push(o.bytes);
            expected.push(o.bytes);
          } else if (o.kind === 'have') {
            outbox.indexMessage(MessageId.have, o.index);
            expected.push(encodeMessage({ type: 'have', index: o.index }));
          } else {
            outbox.blockMessage(ID[o.kind], o.index, o.begin, o.length);
            expected.push(encodeMessage({ type: o.kind, index: o.index, begin: o.begin, length: o.length }));
          }
        }
        take();
        expect(outbox.take()).toEqual([]);
        for (const { chunk, copy } of handedOut) expect(Buffer.from(chunk)).toEqual(copy);
        expect(concat(handedOut.map((h) => h.chunk))).toEqual(concat(expected));
      }),
    );
  });

  it('gathers a run of requests into one chunk', () => {
    const outbox = new Outbox();
    for (let b = 0; b < 64; b++) outbox.blockMessage(MessageId.request, 7, b * 16384, 16384);
    const chunks = outbox.take();
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.length).toBe(64 * 17);
  });

  it('refuses a field out of range with a wire error and queues nothing for it', () => {
    const outbox = new Outbox();
    outbox.indexMessage(MessageId.have, 1);
    expect(() => outbox.blockMessage(MessageId.request, -1, 0, 16384)).toThrow(WireError);
    expect(() => outbox.blockMessage(MessageId.request, 0, 2 ** 32, 16384)).toThrow(WireError);
    expect(concat(outbox.take())).toEqual(Buffer.from(encodeMessage({ type: 'have', index: 1 })));
  });

  it('drops everything queued on clear', () => {
    const outbox = new Outbox();
    outbox.indexMessage(MessageId.have, 1);
    outbox.push(new Uint8Array([1, 2, 3]));
    outbox.clear();
    expect(outbox.take()).toEqual([]);
    outbox.indexMessage(MessageId.have, 2);
    expect(concat(outbox.take())).toEqual(Buffer.from(encodeMessage({ type: 'have', index: 2 })));
  });
});
