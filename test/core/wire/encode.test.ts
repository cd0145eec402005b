import { describe, expect, it } from 'vitest';
import { encodeHandshake, encodeMessage, encodePieceHeader } from '../../../src/core/wire/encode.js';
import { WireError } from '../../../src/core/wire/errors.js';
import type { WireMessage } from '../../../src/core/wire/messages.js';
import { createReserved, supportsDht, supportsExtended, supportsFast } from '../../../src/core/wire/reserved.js';

function bytesOf(message: WireMessage): number[] {
  return [...encodeMessage(message)];
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WireError);
    return `${(error as WireError).code}: ${(error as WireError).message}`;
  }
  throw new Error('expected a WireError');
}

describe('encodeMessage', () => {
  it('writes the handshake as pstrlen, pstr, reserved, info hash, peer id', () => {
    const reserved = createReserved({ extended: true, fast: true, dht: true });
    const infoHash = new Uint8Array(20).fill(0xaa);
    const peerId = new Uint8Array(20).fill(0xbb);
    const out = encodeHandshake({ reserved, infoHash, peerId });
    expect(out.length).toBe(68);
    expect(out[0]).toBe(19);
    expect(new TextDecoder().decode(out.subarray(1, 20))).toBe('BitTorrent protocol');
    expect([...out.subarray(20, 28)]).toEqual([0, 0, 0, 0, 0, 0x10, 0, 0x05]);
    expect(out.subarray(28, 48).every((b) => b === 0xaa)).toBe(true);
    expect(out.subarray(48, 68).every((b) => b === 0xbb)).toBe(true);
    expect([...encodeMessage({ type: 'handshake', reserved, infoHash, peerId })]).toEqual([...out]);
  });

  it('writes every BEP 3 and BEP 6 message with its exact bytes', () => {
    expect(bytesOf({ type: 'keep-alive' })).toEqual([0, 0, 0, 0]);
    expect(bytesOf({ type: 'choke' })).toEqual([0, 0, 0, 1, 0]);
    expect(bytesOf({ type: 'unchoke' })).toEqual([0, 0, 0, 1, 1]);
    expect(bytesOf({ type: 'interested' })).toEqual([0, 0, 0, 1, 2]);
    expect(bytesOf({ type: 'not-interested' })).toEqual([0, 0, 0, 1, 3]);
    expect(bytesOf({ type: 'have', index: 0x01020304 })).toEqual([0, 0, 0, 5, 4, 1, 2, 3, 4]);
    expect(bytesOf({ type: 'bitfield', bits: new Uint8Array([0xff, 0x80]) })).toEqual([0, 0, 0, 3, 5, 0xff, 0x80]);
    expect(bytesOf({ type: 'request', index: 1, begin: 0x4000, length: 0x4000 })).toEqual([
      0, 0, 0, 13, 6, 0, 0, 0, 1, 0, 0, 0x40, 0, 0, 0, 0x40, 0,
    ]);
    expect(bytesOf({ type: 'piece', index: 0xffffffff, begin: 2, block: new Uint8Array([9, 8, 7]) })).toEqual([
      0, 0, 0, 12, 7, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2, 9, 8, 7,
    ]);
    expect(bytesOf({ type: 'cancel', index: 2, begin: 3, length: 4 })).toEqual([
      0, 0, 0, 13, 8, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4,
    ]);
    expect(bytesOf({ type: 'port', port: 6881 })).toEqual([0, 0, 0, 3, 9, 0x1a, 0xe1]);
    expect(bytesOf({ type: 'suggest', index: 7 })).toEqual([0, 0, 0, 5, 0x0d, 0, 0, 0, 7]);
    expect(bytesOf({ type: 'have-all' })).toEqual([0, 0, 0, 1, 0x0e]);
    expect(bytesOf({ type: 'have-none' })).toEqual([0, 0, 0, 1, 0x0f]);
    expect(bytesOf({ type: 'reject', index: 1, begin: 2, length: 3 })).toEqual([
      0, 0, 0, 13, 0x10, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3,
    ]);
    expect(bytesOf({ type: 'allowed-fast', index: 256 })).toEqual([0, 0, 0, 5, 0x11, 0, 0, 1, 0]);
  });

  it('writes extended messages as id 20, the extended id, then the payload', () => {
    expect(bytesOf({ type: 'extended', id: 3, payload: new Uint8Array([1, 2]) })).toEqual([0, 0, 0, 4, 20, 3, 1, 2]);
    expect(bytesOf({ type: 'extended', id: 0, payload: new Uint8Array() })).toEqual([0, 0, 0, 2, 20, 0]);
    expect(bytesOf({ type: 'unknown', id: 21, payload: new Uint8Array([9]) })).toEqual([0, 0, 0, 2, 21, 9]);
  });

  it('returns a fresh buffer every call, so callers may transfer it', () => {
    const a = encodeMessage({ type: 'choke' });
    const b = encodeMessage({ type: 'choke' });
    expect(a.buffer).not.toBe(b.buffer);
    expect(a.byteLength).toBe(a.buffer.byteLength);
  });
});

describe('encodePieceHeader', () => {
  it('is the first 13 bytes of the whole piece message, in a 13-byte buffer', () => {
    const block = new Uint8Array(16384).fill(3);
    const header = encodePieceHeader(12, 32768, block.length);
    expect(header.length).toBe(13);
    expect(header.buffer.byteLength).toBe(13);
    const whole = encodeMessage({ type: 'piece', index: 12, begin: 32768, block });
    expect([...header]).toEqual([...whole.subarray(0, 13)]);
    expect([...header]).toEqual([0, 0, 0x40, 9, 7, 0, 0, 0, 12, 0, 0, 0x80, 0]);
  });

  it('refuses a block that cannot fit a 32-bit length prefix', () => {
    expect(codeOf(() => encodePieceHeader(0, 0, 0xffffffff))).toBe(
      'wire/invalid-field: block length 4294967295 does not fit a piece message',
    );
  });
});

describe('encoder input checks', () => {
  it('refuses fields that do not fit their wire width', () => {
    expect(codeOf(() => encodeMessage({ type: 'have', index: -1 }))).toBe(
      'wire/invalid-field: piece index must be an integer in 0..2^32-1, got -1',
    );
    expect(codeOf(() => encodeMessage({ type: 'request', index: 0, begin: 1.5, length: 1 }))).toBe(
      'wire/invalid-field: block offset must be an integer in 0..2^32-1, got 1.5',
    );
    expect(codeOf(() => encodeMessage({ type: 'cancel', index: 0, begin: 0, length: 2 ** 32 }))).toBe(
      'wire/invalid-field: block length must be an integer in 0..2^32-1, got 4294967296',
    );
    expect(codeOf(() => encodeMessage({ type: 'port', port: 65536 }))).toBe(
      'wire/invalid-field: port must be in 0..65535, got 65536',
    );
    expect(codeOf(() => encodeMessage({ type: 'extended', id: 256, payload: new Uint8Array() }))).toBe(
      'wire/invalid-field: extended message id must be in 0..255, got 256',
    );
    expect(codeOf(() => encodeMessage({ type: 'unknown', id: 4, payload: new Uint8Array() }))).toBe(
      'wire/invalid-field: message id 4 is not unknown; use its typed message',
    );
    const twenty = new Uint8Array(20);
    expect(codeOf(() => encodeHandshake({ reserved: new Uint8Array(8), infoHash: new Uint8Array(32), peerId: twenty }))).toBe(
      'wire/invalid-field: info hash must be 20 bytes, got 32',
    );
    expect(codeOf(() => encodeHandshake({ reserved: new Uint8Array(7), infoHash: twenty, peerId: twenty }))).toBe(
      'wire/invalid-field: reserved must be 8 bytes, got 7',
    );
    expect(codeOf(() => encodeHandshake({ reserved: new Uint8Array(8), infoHash: twenty, peerId: new Uint8Array(19) }))).toBe(
      'wire/invalid-field: peer id must be 20 bytes, got 19',
    );
  });
});

describe('reserved bits', () => {
  it('sets and reads the BEP 10, BEP 6 and DHT bits at their positions', () => {
    expect([...createReserved({})]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect([...createReserved({ extended: true })]).toEqual([0, 0, 0, 0, 0, 0x10, 0, 0]);
    expect([...createReserved({ fast: true })]).toEqual([0, 0, 0, 0, 0, 0, 0, 0x04]);
    expect([...createReserved({ dht: true })]).toEqual([0, 0, 0, 0, 0, 0, 0, 0x01]);
    const all = createReserved({ extended: true, fast: true, dht: true });
    expect([supportsExtended(all), supportsFast(all), supportsDht(all)]).toEqual([true, true, true]);
    // Every other bit set: none of the three.
    const others = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xef, 0xff, 0xfa]);
    expect([supportsExtended(others), supportsFast(others), supportsDht(others)]).toEqual([false, false, false]);
    // Only their own bit: each flag on its own.
    expect(supportsFast(createReserved({ dht: true }))).toBe(false);
    expect(supportsDht(createReserved({ fast: true }))).toBe(false);
  });
});
