import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBencode } from '../../../src/core/bencode/encode.js';
import { PeerConnection } from '../../../src/core/peer/peer-connection.js';
import type { PeerEvent } from '../../../src/core/peer/events.js';
import type { PeerConnectionOptions } from '../../../src/core/peer/options.js';
import { concatBytes } from '../../../src/core/util/bytes.js';
import { encodeHandshake, encodeMessage } from '../../../src/core/wire/encode.js';
import type { WireMessage } from '../../../src/core/wire/messages.js';
import { createReserved } from '../../../src/core/wire/reserved.js';
import { INFO_HASH, options, peerId } from './connection-pair.js';

interface Remote {
  readonly extended?: boolean;
  readonly fast?: boolean;
  readonly infoHash?: Uint8Array;
  readonly peerId?: Uint8Array;
}

/** A local connection that has received a hand-made handshake from a scripted remote. */
function connect(remote: Remote = {}, local: Partial<PeerConnectionOptions> = {}): { conn: PeerConnection; opening: PeerEvent[] } {
  const conn = new PeerConnection(options(local, 1));
  const opening = conn.receive(
    encodeHandshake({
      reserved: createReserved({ extended: remote.extended ?? true, fast: remote.fast ?? true }),
      infoHash: remote.infoHash ?? INFO_HASH,
      peerId: remote.peerId ?? peerId(2),
    }),
    0,
  );
  conn.takeOutgoing();
  return { conn, opening };
}

function feed(conn: PeerConnection, ...messages: WireMessage[]): PeerEvent[] {
  return conn.receive(concatBytes(messages.map(encodeMessage)), 0);
}

function errorCode(events: readonly PeerEvent[]): string | null {
  const last = events[events.length - 1];
  return last?.type === 'protocol-error' ? last.error.code : null;
}

const ext = (id: number, payload: Uint8Array): WireMessage => ({ type: 'extended', id, payload });

describe('PeerConnection protocol errors', () => {
  const cases: [string, Remote, Partial<PeerConnectionOptions>, WireMessage[], string][] = [
    ['bitfield one byte short', {}, {}, [{ type: 'bitfield', bits: new Uint8Array(1) }], 'peer/bitfield-wrong-length'],
    ['bitfield one byte long', {}, {}, [{ type: 'bitfield', bits: new Uint8Array(3) }], 'peer/bitfield-wrong-length'],
    ['have beyond the last piece', {}, {}, [{ type: 'have', index: 10 }], 'peer/have-out-of-range'],
    ['request beyond the last piece', {}, {}, [{ type: 'request', index: 10, begin: 0, length: 16384 }], 'peer/request-out-of-range'],
    ['request past the end of the short last piece', {}, {}, [{ type: 'request', index: 9, begin: 4096, length: 1000 }], 'peer/request-out-of-range'],
    ['request of 0 bytes', {}, {}, [{ type: 'request', index: 0, begin: 0, length: 0 }], 'peer/bad-request-length'],
    ['request above 128 KiB', {}, { pieceSize: () => 1 << 20 }, [{ type: 'request', index: 0, begin: 0, length: 131073 }], 'peer/bad-request-length'],
    ['piece beyond the last piece', {}, {}, [{ type: 'piece', index: 10, begin: 0, block: new Uint8Array(1) }], 'peer/piece-out-of-range'],
    ['piece past the end of its piece', {}, {}, [{ type: 'piece', index: 0, begin: 32768, block: new Uint8Array(1) }], 'peer/piece-out-of-range'],
    ['empty piece', {}, {}, [{ type: 'piece', index: 0, begin: 0, block: new Uint8Array(0) }], 'peer/piece-out-of-range'],
    ['ut_metadata that is not bencoded', {}, {}, [ext(2, new Uint8Array([1, 2, 3]))], 'ut-metadata/bad-message'],
    ['ut_metadata piece beyond 16 MiB', {}, {}, [ext(2, encodeBencode({ msg_type: 0, piece: 1024 }))], 'ut-metadata/out-of-range'],
    ['ut_pex that is not a dictionary', {}, {}, [ext(1, encodeBencode([1]))], 'ut-pex/bad-message'],
    ['lt_donthave of 3 bytes', {}, {}, [ext(7, new Uint8Array(3))], 'lt-donthave/bad-message'],
    ['lt_donthave beyond the last piece', {}, {}, [ext(7, new Uint8Array([0, 0, 0, 10]))], 'peer/have-out-of-range'],
    ['an unknown message id is skipped', {}, {}, [{ type: 'unknown', id: 0x40, payload: new Uint8Array(0) }, { type: 'keep-alive' }], ''],
  ];

  for (const [name, remote, local, messages, code] of cases) {
    it(`${name}: ${code || 'no error'}`, () => {
      const { conn } = connect(remote, local);
      const events = feed(conn, ...messages);
      expect(errorCode(events)).toBe(code || null);
      if (code) {
        expect(events.filter((e) => e.type === 'protocol-error')).toHaveLength(1);
        expect(conn.error?.code).toBe(code);
        // The connection is over: nothing more comes out of it.
        expect(conn.receive(encodeMessage({ type: 'interested' }), 0)).toEqual([]);
        expect(conn.poll(10_000_000)).toEqual([]);
        expect(conn.takeOutgoing()).toEqual([]);
      }
    });
  }

  it('rejects a handshake for another torrent', () => {
    const { opening, conn } = connect({ infoHash: new Uint8Array(20).fill(1) });
    expect(errorCode(opening)).toBe('peer/info-hash-mismatch');
    expect(conn.ready).toBe(false);
  });

  it('rejects a connection to ourselves', () => {
    const { opening } = connect({ peerId: peerId(1) });
    expect(errorCode(opening)).toBe('peer/self-connection');
  });

  it('passes wire codec errors through with their codes', () => {
    const conn = new PeerConnection(options());
    const events = conn.receive(new Uint8Array([18, 66]), 0);
    expect(errorCode(events)).toBe('wire/bad-protocol');

    const { conn: open } = connect();
    expect(errorCode(open.receive(new Uint8Array([0, 0x10, 0, 0, 1]), 0))).toBe('wire/message-too-long');
    const { conn: other } = connect();
    expect(errorCode(other.receive(new Uint8Array([0, 0, 0, 2, 4, 0]), 0))).toBe('wire/bad-message-length');
  });

  it('delivers the messages before an error, then the error last', () => {
    const { conn } = connect();
    const events = feed(conn, { type: 'have-none' }, { type: 'unchoke' }, { type: 'have', index: 99 }, { type: 'choke' });
    expect(events.map((e) => e.type)).toEqual(['have-none', 'unchoke', 'protocol-error']);
  });

  it('accepts extended handshake, keep-alive and port before the bitfield', () => {
    const { conn } = connect();
    const events = feed(
      conn,
      ext(0, encodeBencode({ m: { ut_metadata: 3 } })),
      { type: 'keep-alive' },
      { type: 'port', port: 7000 },
      { type: 'bitfield', bits: new Uint8Array([0x80, 0]) },
    );
    expect(events.map((e) => e.type)).toEqual(['extended-handshake', 'keep-alive', 'port', 'bitfield']);
  });

  it("accepts choke and interest messages before the availability message (webtorrent's order after fetching metadata)", () => {
    const { conn } = connect();
    const events = feed(conn, { type: 'interested' }, { type: 'unchoke' }, { type: 'have-none' }, { type: 'have', index: 1 });
    expect(events.map((e) => e.type)).toEqual(['interested', 'unchoke', 'have-none', 'have']);
    const { conn: other } = connect();
    expect(feed(other, { type: 'not-interested' }, { type: 'choke' }, { type: 'bitfield', bits: new Uint8Array([0x80, 0]) }).map((e) => e.type)).toEqual(['not-interested', 'choke', 'bitfield']);
  });

  // Harmless quirks of real clients: taken for what they mean, and the connection stays.
  const tolerated: [string, Remote, Partial<PeerConnectionOptions>, WireMessage[], PeerEvent['type'][]][] = [
    ['a bitfield after a request', {}, {}, [{ type: 'request', index: 0, begin: 0, length: 16384 }, { type: 'bitfield', bits: new Uint8Array(2) }], ['bitfield']],
    ['have all after a have', {}, {}, [{ type: 'have', index: 1 }, { type: 'have-all' }], ['have', 'have-all']],
    ['two bitfields', {}, {}, [{ type: 'bitfield', bits: new Uint8Array(2) }, { type: 'bitfield', bits: new Uint8Array(2) }], ['bitfield', 'bitfield']],
    ['have all twice', {}, {}, [{ type: 'have-all' }, { type: 'have-all' }], ['have-all', 'have-all']],
    ['have none, then a bitfield', {}, {}, [{ type: 'have-none' }, { type: 'bitfield', bits: new Uint8Array(2) }], ['have-none', 'bitfield']],
    ['allowed fast, then a bitfield', {}, {}, [{ type: 'allowed-fast', index: 2 }, { type: 'bitfield', bits: new Uint8Array(2) }], ['allowed-fast', 'bitfield']],
    ['a bitfield with spare bits set (ignored)', {}, {}, [{ type: 'bitfield', bits: new Uint8Array([0, 0x20]) }], ['bitfield']],
    ['a request before the metadata (refused)', {}, { pieceCount: null }, [{ type: 'request', index: 0, begin: 0, length: 1 }], []],
    ['a piece before the metadata (dropped)', {}, { pieceCount: null }, [{ type: 'piece', index: 0, begin: 0, block: new Uint8Array(1) }], []],
    ['have all without fast', { fast: false }, {}, [{ type: 'have-all' }], ['have-all']],
    ['have none without fast', { fast: false }, {}, [{ type: 'have-none' }], ['have-none']],
    ['reject without fast', {}, { fast: false }, [{ type: 'reject', index: 0, begin: 0, length: 1 }], ['reject']],
    ['allowed fast without fast (ignored)', { fast: false }, {}, [{ type: 'allowed-fast', index: 0 }], []],
    ['suggest without fast (ignored)', { fast: false }, {}, [{ type: 'suggest', index: 0 }], []],
    ['extended without BEP 10 (skipped)', { extended: false }, {}, [ext(0, encodeBencode({ m: {} }))], []],
    ['an extended handshake that is not a dictionary (ignored)', {}, {}, [ext(0, encodeBencode([1]))], []],
    ['ut_pex with a ragged list (tail ignored)', {}, {}, [ext(1, encodeBencode({ added: new Uint8Array([1, 2, 3, 4, 0, 80, 9]) }))], ['pex']],
  ];

  for (const [name, remote, local, messages, types] of tolerated) {
    it(`tolerates ${name}`, () => {
      const { conn } = connect(remote, local);
      expect(feed(conn, ...messages, { type: 'keep-alive' }).map((e) => e.type)).toEqual([...types, 'keep-alive']);
      expect(conn.error).toBeNull();
    });
  }

  it('never throws on random bytes after a valid handshake: only events, at most one protocol-error, last', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 64 }), { maxLength: 12 }),
        fc.boolean(),
        fc.boolean(),
        (chunks, fast, magnet) => {
          const { conn } = connect({ fast }, magnet ? { pieceCount: null } : {});
          const events: PeerEvent[] = [];
          for (const chunk of chunks) events.push(...conn.receive(chunk, 0));
          if (magnet) events.push(...conn.setPieceCount(10));
          const errors = events.filter((e) => e.type === 'protocol-error');
          expect(errors.length).toBeLessThanOrEqual(1);
          if (errors.length === 1) {
            expect(events[events.length - 1]!.type).toBe('protocol-error');
            expect(typeof errors[0]!.error.code).toBe('string');
            expect(errors[0]!.error.message).not.toContain('\n');
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never throws on random valid-looking messages either (structured fuzz)', () => {
    const message: fc.Arbitrary<WireMessage> = fc.oneof(
      fc.constantFrom<WireMessage>({ type: 'choke' }, { type: 'unchoke' }, { type: 'interested' }, { type: 'have-all' }, { type: 'have-none' }, { type: 'keep-alive' }),
      fc.record({ type: fc.constantFrom('have' as const, 'suggest' as const, 'allowed-fast' as const), index: fc.integer({ min: 0, max: 12 }) }),
      fc.record({
        type: fc.constantFrom('request' as const, 'cancel' as const, 'reject' as const),
        index: fc.integer({ min: 0, max: 11 }),
        begin: fc.integer({ min: 0, max: 40000 }),
        length: fc.integer({ min: 0, max: 20000 }),
      }),
      fc.record({ type: fc.constant('bitfield' as const), bits: fc.uint8Array({ maxLength: 3 }) }),
      fc.record({ type: fc.constant('extended' as const), id: fc.constantFrom(0, 1, 2, 7, 99), payload: fc.uint8Array({ maxLength: 40 }) }),
    );
    fc.assert(
      fc.property(fc.array(message, { maxLength: 20 }), (messages) => {
        const { conn } = connect();
        const events = feed(conn, ...messages);
        const errors = events.filter((e) => e.type === 'protocol-error');
        expect(errors.length).toBeLessThanOrEqual(1);
        if (errors.length === 1) expect(events[events.length - 1]!.type).toBe('protocol-error');
      }),
      { numRuns: 400 },
    );
  });
});
