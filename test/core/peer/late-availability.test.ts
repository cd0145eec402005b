import { describe, expect, it } from 'vitest';
import { PeerConnection } from '../../../src/core/peer/peer-connection.js';
import type { PeerEvent } from '../../../src/core/peer/events.js';
import type { PeerConnectionOptions } from '../../../src/core/peer/options.js';
import { Bitfield } from '../../../src/core/util/bitfield.js';
import { concatBytes } from '../../../src/core/util/bytes.js';
import { encodeHandshake, encodeMessage } from '../../../src/core/wire/encode.js';
import type { WireMessage } from '../../../src/core/wire/messages.js';
import { createReserved } from '../../../src/core/wire/reserved.js';
import { INFO_HASH, options, peerId } from './connection-pair.js';

// Real clients send their bitfield after other messages: after have none, after allowed fast, after
// haves, or again to correct themselves. Like libtorrent, each one is the peer's availability from then on.

/** A connection (10 pieces unless told otherwise) that has received a scripted peer's handshake. */
function connect(local: Partial<PeerConnectionOptions> = {}, fast = true): PeerConnection {
  const conn = new PeerConnection(options(local, 1));
  conn.receive(encodeHandshake({ reserved: createReserved({ extended: true, fast }), infoHash: INFO_HASH, peerId: peerId(2) }), 0);
  conn.takeOutgoing();
  return conn;
}

function feed(conn: PeerConnection, ...messages: WireMessage[]): PeerEvent[] {
  return conn.receive(concatBytes(messages.map(encodeMessage)), 0);
}

const wire = (indices: number[]) => Bitfield.fromIndices(10, indices).toWire();
const pieces = (conn: PeerConnection) => [...conn.peerBitfield!.indices()];

describe('PeerConnection: a late availability message replaces the peer\'s availability', () => {
  const cases: [string, WireMessage[]][] = [
    ['have none', [{ type: 'have-none' }]],
    ['have all', [{ type: 'have-all' }]],
    ['haves', [{ type: 'have', index: 7 }, { type: 'have', index: 8 }]],
    ['allowed fast', [{ type: 'allowed-fast', index: 3 }]],
    ['a bitfield, an unchoke and a request', [{ type: 'bitfield', bits: wire([5]) }, { type: 'unchoke' }, { type: 'request', index: 0, begin: 0, length: 16384 }]],
  ];
  for (const [name, before] of cases) {
    it(`a bitfield after ${name} is the peer's whole availability, and the connection stays`, () => {
      const conn = connect();
      const events = feed(conn, ...before, { type: 'bitfield', bits: wire([0, 2, 9]) }, { type: 'have', index: 4 });
      expect(events.at(-2)).toMatchObject({ type: 'bitfield' });
      expect([...(events.at(-2) as Extract<PeerEvent, { type: 'bitfield' }>).bitfield.indices()]).toEqual([0, 2, 9]);
      expect(events.at(-1)).toEqual({ type: 'have', index: 4 });
      expect(pieces(conn)).toEqual([0, 2, 4, 9]);
      expect(conn.error).toBeNull();
    });
  }

  it('a late have all and a late have none replace a bitfield, and a have after have all is not news', () => {
    const conn = connect();
    feed(conn, { type: 'bitfield', bits: wire([1]) }, { type: 'interested' });
    expect(feed(conn, { type: 'have-all' }, { type: 'have', index: 3 }).map((e) => e.type)).toEqual(['have-all']);
    expect(conn.peerBitfield!.hasAll()).toBe(true);
    expect(feed(conn, { type: 'have-none' }, { type: 'have', index: 3 }).map((e) => e.type)).toEqual(['have-none', 'have']);
    expect(pieces(conn)).toEqual([3]);
    expect(conn.error).toBeNull();
  });

  it('before a magnet\'s metadata, the last availability message wins; haves after it still count', () => {
    const magnet = { pieceCount: null };
    const allThenBits = connect(magnet);
    expect(feed(allThenBits, { type: 'have-all' }, { type: 'bitfield', bits: wire([0, 2]) }).map((e) => e.type)).toEqual(['have-all']);
    expect(allThenBits.setPieceCount(10).map((e) => e.type)).toEqual(['bitfield']);
    expect(pieces(allThenBits)).toEqual([0, 2]);

    const bitsHavesThenNone = connect(magnet);
    feed(bitsHavesThenNone, { type: 'bitfield', bits: wire([0, 2]) }, { type: 'have', index: 5 }, { type: 'have-none' }, { type: 'have', index: 6 });
    expect(bitsHavesThenNone.setPieceCount(10).map((e) => e.type)).toEqual(['bitfield']);
    expect(pieces(bitsHavesThenNone)).toEqual([6]);

    const bitsThenAll = connect(magnet);
    feed(bitsThenAll, { type: 'bitfield', bits: wire([0, 2]) }, { type: 'have-all' });
    // have all was reported when it came; nothing else is left to report.
    expect(bitsThenAll.setPieceCount(10)).toEqual([]);
    expect(bitsThenAll.peerBitfield!.hasAll()).toBe(true);

    const allThenNone = connect(magnet);
    feed(allThenNone, { type: 'have-all' }, { type: 'have-none' });
    expect(allThenNone.setPieceCount(10)).toEqual([]);
    expect(allThenNone.peerBitfield!.hasNone()).toBe(true);
  });

  it('still drops a late bitfield of the wrong length, or a have past the end (bounds)', () => {
    const conn = connect();
    const events = feed(conn, { type: 'have-none' }, { type: 'bitfield', bits: new Uint8Array(3) });
    expect(events.at(-1)).toMatchObject({ type: 'protocol-error', error: { code: 'peer/bitfield-wrong-length' } });
    const other = connect();
    expect(feed(other, { type: 'have-all' }, { type: 'have', index: 10 }).at(-1)).toMatchObject({ type: 'protocol-error', error: { code: 'peer/have-out-of-range' } });
  });

  it('ignores spare bits set after the last piece', () => {
    const conn = connect();
    const bits = wire([9]);
    bits[1] = bits[1]! | 0x3f;
    const [event] = feed(conn, { type: 'bitfield', bits });
    expect(event).toMatchObject({ type: 'bitfield' });
    expect(pieces(conn)).toEqual([9]);
    expect(conn.peerBitfield!.count()).toBe(1);
  });

  it('refuses a request before a magnet\'s metadata with a reject (fast) and keeps the connection', () => {
    const conn = connect({ pieceCount: null });
    expect(feed(conn, { type: 'request', index: 0, begin: 0, length: 16384 })).toEqual([]);
    expect(concatBytes(conn.takeOutgoing())).toEqual(encodeMessage({ type: 'reject', index: 0, begin: 0, length: 16384 }));
    expect(conn.error).toBeNull();
  });
});
