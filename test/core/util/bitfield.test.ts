import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bitfield, BitfieldError } from '../../../src/core/util/bitfield.js';

function errorOf(fn: () => unknown): BitfieldError {
  try {
    fn();
  } catch (e) {
    if (e instanceof BitfieldError) return e;
    throw e;
  }
  throw new Error('expected a BitfieldError');
}

const bitsArb = fc.integer({ min: 0, max: 300 }).chain((length) =>
  fc.tuple(fc.constant(length), fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, length - 1) }), { maxLength: length })),
);

describe('Bitfield', () => {
  it('uses BitTorrent bit order: piece 0 is the high bit of byte 0', () => {
    const b = Bitfield.fromIndices(10, [0, 7, 9]);
    expect([...b.toWire()]).toEqual([0x81, 0x40]);
    expect(b.get(0)).toBe(true);
    expect(b.get(1)).toBe(false);
    expect(b.get(9)).toBe(true);
    expect(b.count()).toBe(3);
  });

  it('round-trips through wire bytes and keeps count and order', () => {
    fc.assert(
      fc.property(bitsArb, ([length, indices]) => {
        const b = Bitfield.fromIndices(length, indices);
        const wire = b.toWire();
        expect(wire.length).toBe(Math.ceil(length / 8));
        const back = Bitfield.fromWire(wire, length);
        expect(back.equals(b)).toBe(true);
        expect(back.count()).toBe(indices.length);
        expect([...back.indices()]).toEqual([...indices].sort((x, y) => x - y));
        expect(back.hasNone()).toBe(indices.length === 0);
        expect(back.hasAll()).toBe(indices.length === length);
      }),
    );
  });

  it('parses any valid payload and re-emits the same bytes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.uint8Array({ minLength: 25, maxLength: 25 }), (length, raw) => {
        const payload = raw.slice(0, Math.ceil(length / 8));
        const spare = payload.length * 8 - length;
        payload[payload.length - 1]! &= (0xff << spare) & 0xff;
        const b = Bitfield.fromWire(payload, length);
        expect([...b.toWire()]).toEqual([...payload]);
        let expected = 0;
        for (let i = 0; i < length; i++) if ((payload[i >> 3]! >> (7 - (i & 7))) & 1) expected++;
        expect(b.count()).toBe(expected);
      }),
    );
  });

  it('rejects set spare bits with a typed error', () => {
    const e = errorOf(() => Bitfield.fromWire(new Uint8Array([0xff, 0xc1]), 10));
    expect(e.code).toBe('bitfield/spare-bits-set');
    expect(e.message).toBe('bitfield for 10 pieces has spare bits set in its last byte');
    // Every single spare bit is checked, not just the lowest.
    for (let bit = 0; bit < 6; bit++) {
      expect(errorOf(() => Bitfield.fromWire(new Uint8Array([0, 1 << bit]), 10)).code).toBe('bitfield/spare-bits-set');
    }
    expect(Bitfield.fromWire(new Uint8Array([0, 0xc0]), 10).count()).toBe(2);
  });

  it('rejects a payload of the wrong length', () => {
    const e = errorOf(() => Bitfield.fromWire(new Uint8Array(3), 10));
    expect(e.code).toBe('bitfield/wrong-length');
    expect(e.message).toBe('bitfield for 10 pieces must be 2 bytes, got 3');
    expect(errorOf(() => Bitfield.fromWire(new Uint8Array(1), 10)).code).toBe('bitfield/wrong-length');
    expect(Bitfield.fromWire(new Uint8Array(0), 0).length).toBe(0);
  });

  it('rejects indices outside the field and bad sizes', () => {
    const b = new Bitfield(9);
    for (const bad of [-1, 9, 1.5, Number.NaN, 2 ** 32]) {
      expect(errorOf(() => b.get(bad)).code).toBe('bitfield/index-out-of-range');
      expect(errorOf(() => b.set(bad)).code).toBe('bitfield/index-out-of-range');
    }
    expect(errorOf(() => b.set(9)).message).toBe('bit index 9 is outside a bitfield of 9');
    expect(errorOf(() => new Bitfield(-1)).code).toBe('bitfield/invalid-size');
    expect(errorOf(() => new Bitfield(0.5)).code).toBe('bitfield/invalid-size');
  });

  it('set and clear report changes and keep the count', () => {
    const b = new Bitfield(20);
    expect(b.set(3)).toBe(true);
    expect(b.set(3)).toBe(false);
    expect(b.count()).toBe(1);
    expect(b.clear(3)).toBe(true);
    expect(b.clear(3)).toBe(false);
    expect(b.hasNone()).toBe(true);
  });

  it('full() sets exactly length bits and leaves spare bits zero', () => {
    for (const n of [0, 1, 7, 8, 9, 17]) {
      const b = Bitfield.full(n);
      expect(b.count()).toBe(n);
      expect(b.hasAll()).toBe(true);
      expect(Bitfield.fromWire(b.toWire(), n).count()).toBe(n);
    }
    expect([...Bitfield.full(10).toWire()]).toEqual([0xff, 0xc0]);
  });

  it('nextSet agrees with a linear scan', () => {
    fc.assert(
      fc.property(bitsArb, fc.integer({ min: -2, max: 310 }), ([length, indices], from) => {
        const b = Bitfield.fromIndices(length, indices);
        const set = new Set(indices);
        let expected = -1;
        for (let i = Math.max(0, from); i < length; i++) {
          if (set.has(i)) {
            expected = i;
            break;
          }
        }
        expect(b.nextSet(from)).toBe(expected);
      }),
    );
  });

  it('clone is independent', () => {
    const a = Bitfield.fromIndices(12, [1, 11]);
    const c = a.clone();
    c.set(5);
    expect(a.get(5)).toBe(false);
    expect(c.count()).toBe(3);
    expect(a.equals(c)).toBe(false);
  });
});
