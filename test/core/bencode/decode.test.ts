import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeBencode, decodeBencodePrefix } from '../../../src/core/bencode/decode.js';
import { encodeBencode } from '../../../src/core/bencode/encode.js';
import type { BencodeValue } from '../../../src/core/bencode/encode.js';
import { BencodeError } from '../../../src/core/bencode/errors.js';
import type { BencodeNode } from '../../../src/core/bencode/node.js';
import { SluiceError } from '../../../src/core/errors.js';
import { fromUtf8, utf8 } from '../../../src/core/util/bytes.js';

const text = (s: string): Uint8Array => utf8(s);

function rejects(input: string | Uint8Array, code: string, message: string, limits?: Parameters<typeof decodeBencode>[1]): void {
  const bytes = typeof input === 'string' ? text(input) : input;
  let caught: unknown;
  try {
    decodeBencode(bytes, limits);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(BencodeError);
  expect(caught).toBeInstanceOf(SluiceError);
  expect({ code: (caught as BencodeError).code, message: (caught as BencodeError).message }).toEqual({ code, message });
}

/** Back to a plain value (keys as UTF-8 text) to compare with what was encoded. */
function plain(node: BencodeNode): unknown {
  switch (node.kind) {
    case 'integer': return node.value;
    case 'bytes': return Array.from(node.value);
    case 'list': return node.items.map(plain);
    case 'dictionary': return Object.fromEntries(node.entries.map((e) => [fromUtf8(e.key), plain(e.value)]));
  }
}

function plainValue(value: BencodeValue): unknown {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Array.from(utf8(value));
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(plainValue);
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, plainValue(v!)]));
}

describe('decodeBencode values', () => {
  test('integers, strings, lists, dictionaries with spans', () => {
    const bytes = text('d3:agei-42e4:listli0e0:e4:name5:helloe');
    const root = decodeBencode(bytes);
    expect(root.kind).toBe('dictionary');
    if (root.kind !== 'dictionary') return;
    expect(root.start).toBe(0);
    expect(root.end).toBe(bytes.length);
    expect(root.get('age')).toMatchObject({ kind: 'integer', value: -42, start: 6, end: 11 });
    const list = root.get('list')!;
    expect(fromUtf8(bytes.subarray(list.start, list.end))).toBe('li0e0:e');
    const name = root.get('name')!;
    expect(name.kind === 'bytes' && fromUtf8(name.value)).toBe('hello');
    expect(root.get('missing')).toBeUndefined();
    expect(root.entries.map((e) => fromUtf8(e.key))).toEqual(['age', 'list', 'name']);
  });

  test('byte strings are views into the input, not copies', () => {
    const bytes = text('5:abcde');
    const node = decodeBencode(bytes);
    expect(node.kind === 'bytes' && node.value.buffer).toBe(bytes.buffer);
    expect(node.kind === 'bytes' && node.value.byteOffset).toBe(2);
  });

  test('keys are raw bytes: a non-UTF-8 key is found by its exact bytes, a UTF-8 key by its text', () => {
    const bytes = new Uint8Array([...text('d2:'), 0xff, 0xfe, ...text('i1e5:ünï'), ...text('i2ee')]);
    const root = decodeBencode(bytes);
    if (root.kind !== 'dictionary') throw new Error('not a dictionary');
    expect(Array.from(root.entries[0]!.key)).toEqual([0xff, 0xfe]);
    expect(root.get('ünï')).toMatchObject({ value: 2 });
    expect(root.get('\u00ff\u00fe')).toBeUndefined();
  });

  test('safe integer extremes decode exactly', () => {
    expect(decodeBencode(text(`i${Number.MAX_SAFE_INTEGER}e`))).toMatchObject({ value: Number.MAX_SAFE_INTEGER });
    expect(decodeBencode(text(`i${Number.MIN_SAFE_INTEGER}e`))).toMatchObject({ value: Number.MIN_SAFE_INTEGER });
    expect(decodeBencode(text('i0e'))).toMatchObject({ value: 0 });
  });

  test('decodeBencodePrefix stops at the end of the value', () => {
    const bytes = text('xxd1:ai1ee RAW PIECE DATA');
    const node = decodeBencodePrefix(bytes, 2);
    expect([node.start, node.end]).toEqual([2, 10]);
  });
});

describe('decodeBencode rejects malformed input with typed errors', () => {
  test.each([
    ['i03e', 'bencode/bad-integer', 'integer at offset 0 has a leading zero'],
    ['i-0e', 'bencode/bad-integer', 'integer at offset 0 is negative zero'],
    ['ie', 'bencode/bad-integer', 'integer at offset 0 has no digits'],
    ['i-e', 'bencode/bad-integer', 'integer at offset 0 has no digits'],
    ['i1.5e', 'bencode/bad-integer', 'integer at offset 0 has a non-digit byte 0x2e'],
    ['i9007199254740992e', 'bencode/bad-integer', 'integer at offset 0 is outside the safe integer range'],
    ['i-9007199254740992e', 'bencode/bad-integer', 'integer at offset 0 is outside the safe integer range'],
    ['i123456789012345678e', 'bencode/bad-integer', 'integer at offset 0 is outside the safe integer range'],
    ['i12', 'bencode/truncated', 'input ends inside an integer at offset 3'],
    ['03:abc', 'bencode/bad-string-length', 'byte string length at offset 0 has a leading zero'],
    ['3:ab', 'bencode/truncated', 'byte string at offset 0 declares 3 bytes but only 2 remain'],
    ['99999999999999:x', 'bencode/truncated', 'byte string at offset 0 declares 99999999999999 bytes but only 1 remain'],
    ['12345678901234567:x', 'bencode/bad-string-length', 'byte string length at offset 0 has more than 16 digits'],
    ['l', 'bencode/truncated', 'input ends inside a list at offset 1'],
    ['d1:a', 'bencode/truncated', 'input ends inside a dictionary at offset 4'],
    ['d1:ae', 'bencode/unexpected-byte', 'dictionary key at offset 4 has no value'],
    ['di1ei2ee', 'bencode/bad-key', 'dictionary key at offset 1 is not a byte string'],
    ['d1:ai1e1:ai2ee', 'bencode/duplicate-key', 'dictionary key ending at offset 10 appears twice'],
    ['e', 'bencode/unexpected-byte', 'unexpected byte 0x65 at offset 0'],
    ['x', 'bencode/unexpected-byte', 'unexpected byte 0x78 at offset 0'],
    ['', 'bencode/truncated', 'input ends inside a value at offset 0'],
    ['i1ei2e', 'bencode/trailing-bytes', '3 unexpected bytes after the value ending at offset 3'],
  ])('%j', (input, code, message) => rejects(input, code, message));

  test('100000 nested lists are a too-deep error, not a stack overflow', () => {
    const bytes = text('l'.repeat(100_000) + 'e'.repeat(100_000));
    rejects(bytes, 'bencode/too-deep', 'nesting deeper than 100 at offset 100');
  });

  test('nesting up to the limit decodes', () => {
    const node = decodeBencode(text('l'.repeat(100) + 'e'.repeat(100)));
    expect(node.kind).toBe('list');
  });

  test('size and value-count limits', () => {
    rejects('5:hello', 'bencode/too-large', 'value starting at offset 0 is larger than the 4-byte limit', { maxBytes: 4 });
    rejects('li1ei2ei3ee', 'bencode/too-many-values', 'more than 3 values at offset 7', { maxValues: 3 });
    rejects('lli1eee', 'bencode/too-deep', 'nesting deeper than 1 at offset 1', { maxDepth: 1 });
  });
});

const bencodeValue: fc.Arbitrary<BencodeValue> = fc.letrec<{ value: BencodeValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.maxSafeInteger(),
    fc.uint8Array({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 10 }), tie('value'), { maxKeys: 5 }),
  ),
})).value;

function countNodes(node: BencodeNode, input: Uint8Array): number {
  if (node.kind === 'bytes') {
    expect(node.value.buffer).toBe(input.buffer);
    return 1;
  }
  if (node.kind === 'integer') return 1;
  if (node.kind === 'list') return 1 + node.items.reduce((n, item) => n + countNodes(item, input), 0);
  return 1 + node.entries.reduce((n, e) => {
    expect(e.key.buffer).toBe(input.buffer);
    return n + 1 + countNodes(e.value, input);
  }, 0);
}

describe('properties', () => {
  test('decode(encode(x)) round-trips and spans cover the exact encoded bytes', () => {
    fc.assert(fc.property(bencodeValue, (value) => {
      const bytes = encodeBencode(value);
      const node = decodeBencode(bytes);
      expect(plain(node)).toEqual(plainValue(value));
      expect([node.start, node.end]).toEqual([0, bytes.length]);
      if (node.kind === 'dictionary') {
        for (const { value: child } of node.entries) {
          expect(decodeBencode(bytes.subarray(child.start, child.end))).toMatchObject({ kind: child.kind });
        }
      }
    }), { numRuns: 300 });
  });

  test('random bytes only ever produce a value or a BencodeError, holding views and fewer nodes than bytes', () => {
    const alphabet = fc.constantFrom(...text('0123456789:ilde-x'));
    const inputs = fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.array(alphabet, { maxLength: 200 }).map((a) => new Uint8Array(a)));
    fc.assert(fc.property(inputs, (bytes) => {
      try {
        const node = decodeBencode(bytes);
        expect(countNodes(node, bytes)).toBeLessThanOrEqual(bytes.length);
      } catch (e) {
        if (!(e instanceof BencodeError)) throw e;
      }
    }), { numRuns: 2000 });
  });

  test('every truncation of a valid encoding is a truncated error', () => {
    fc.assert(fc.property(bencodeValue, fc.nat(), (value, cut) => {
      const bytes = encodeBencode(value);
      const at = cut % bytes.length;
      expect(() => decodeBencode(bytes.subarray(0, at))).toThrow(BencodeError);
      try {
        decodeBencode(bytes.subarray(0, at));
      } catch (e) {
        expect((e as BencodeError).code).toBe('bencode/truncated');
      }
    }), { numRuns: 300 });
  });
});
