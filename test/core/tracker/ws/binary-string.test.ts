import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binaryStringToBytes, bytesToBinaryString, readId, writeId } from '../../../../src/core/tracker/ws/binary-string.js';
import { WsTrackerError } from '../../../../src/core/tracker/ws/errors.js';

describe('binary strings (one code unit per byte)', () => {
  it('round-trips any bytes: bytes → string → bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = bytesToBinaryString(bytes);
        expect(text.length).toBe(bytes.length);
        expect(binaryStringToBytes(text)).toEqual(bytes);
      }),
    );
  });

  it('maps byte b to U+00bb exactly', () => {
    expect(bytesToBinaryString(Uint8Array.of(0, 0x41, 0x7f, 0x80, 0xff))).toBe('\u0000A\u007f\u0080\u00ff');
  });

  it('survives JSON and UTF-8: bytes ≥ 0x80 travel as two-byte sequences and come back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), (bytes) => {
        const json = JSON.stringify({ id: bytesToBinaryString(bytes) });
        const wire = new TextEncoder().encode(json);
        const back = JSON.parse(new TextDecoder().decode(wire)) as { id: string };
        expect(readId(back.id, 'id')).toEqual(bytes);
      }),
    );
  });

  it('rejects any string holding a code unit above 255', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 19 }), fc.integer({ min: 256, max: 0xffff }), fc.nat(19), (base, unit, at) => {
        const text = (base + 'x'.repeat(20)).slice(0, 20);
        const i = Math.min(at, 19);
        const bad = text.slice(0, i) + String.fromCharCode(unit) + text.slice(i + 1);
        expect(binaryStringToBytes(bad)).toBeNull();
        expect(() => readId(bad, 'peer_id')).toThrow(WsTrackerError);
      }),
    );
  });

  it('reads ids of exactly 20 characters only, with typed errors', () => {
    const cases: [unknown, string][] = [
      ['a'.repeat(19), 'peer_id must be 20 characters, got 19'],
      ['a'.repeat(21), 'peer_id must be 20 characters, got 21'],
      [12, 'peer_id must be a string of 20 characters, got a number'],
      [null, 'peer_id must be a string of 20 characters, got null'],
      ['a'.repeat(19) + '\u0100', 'peer_id has a character above U+00FF (not one byte per character)'],
    ];
    for (const [value, message] of cases) {
      const error = (() => {
        try {
          readId(value, 'peer_id');
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(error).toBeInstanceOf(WsTrackerError);
      expect((error as WsTrackerError).code).toBe('ws-tracker/bad-id');
      expect((error as WsTrackerError).message).toBe(message);
    }
    expect(() => writeId(new Uint8Array(19), 'offer_id')).toThrow('offer_id must be 20 bytes, got 19');
  });
});
