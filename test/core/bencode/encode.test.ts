import bencode from 'bencode';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBencode } from '../../../src/core/bencode/index.js';
import { encodeBencode, type BencodeValue } from '../../../src/core/bencode/encode.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

describe('encodeBencode', () => {
  it('writes each kind exactly', () => {
    expect(text(encodeBencode(0))).toBe('i0e');
    expect(text(encodeBencode(-42))).toBe('i-42e');
    expect(text(encodeBencode('spam'))).toBe('4:spam');
    expect(text(encodeBencode(new Uint8Array([0, 255])))).toBe('2:\u0000\u00ff');
    expect(text(encodeBencode(['a', 1, []]))).toBe('l1:ai1elee');
    expect(text(encodeBencode({ b: 1, a: 'x', skipped: undefined }))).toBe('d1:a1:x1:bi1ee');
    expect(text(encodeBencode(new Map([[new Uint8Array([2]), 1], [new Uint8Array([1]), 2]])))).toBe('d1:\u0001i2e1:\u0002i1ee');
  });

  it('orders keys by their UTF-8 bytes, not by UTF-16 code units', () => {
    // U+E000 is EE 80 80 in UTF-8; U+1F600 is F0 9F 98 80. In UTF-16 the emoji (D83D…) sorts first.
    const dict = { '\u{1F600}.txt': 1, '\uE000.txt': 2 };
    const ours = text(encodeBencode(dict));
    expect(ours.indexOf('\u00ee\u0080\u0080')).toBeLessThan(ours.indexOf('\u00f0\u009f\u0098\u0080'));
    // The npm package gets this case wrong, which is why Sluice has its own encoder.
    expect(Buffer.from(bencode.encode(dict)).equals(Buffer.from(encodeBencode(dict)))).toBe(false);
  });

  it('agrees with the bencode package wherever keys are ASCII', () => {
    const asciiKey = fc.stringMatching(/^[ -~]{0,12}$/);
    const value: fc.Arbitrary<BencodeValue> = fc.letrec<{ v: BencodeValue }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.maxSafeInteger(),
        fc.uint8Array({ maxLength: 20 }),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(asciiKey, tie('v'), { maxKeys: 4 }),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        expect(Buffer.from(encodeBencode(v)).equals(Buffer.from(bencode.encode(v)))).toBe(true);
      }),
    );
  });

  it('round-trips through the decoder', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.maxSafeInteger(), fc.uint8Array())), (d) => {
        const encoded = encodeBencode(d);
        const node = decodeBencode(encoded);
        expect(node.end).toBe(encoded.length);
      }),
    );
  });

  it('refuses what bencode cannot say, with typed errors', () => {
    expect(() => encodeBencode(1.5)).toThrow(expect.objectContaining({ code: 'bencode/bad-integer' }));
    expect(() => encodeBencode(2 ** 60)).toThrow(expect.objectContaining({ code: 'bencode/bad-integer' }));
    let deep: BencodeValue = [];
    for (let i = 0; i < 200; i++) deep = [deep];
    expect(() => encodeBencode(deep)).toThrow(expect.objectContaining({ code: 'bencode/too-deep' }));
    expect(() => encodeBencode(new Map<Uint8Array | string, number>([['a', 1], [new Uint8Array([97]), 2]]))).toThrow(expect.objectContaining({ code: 'bencode/duplicate-key' }));
  });
});
