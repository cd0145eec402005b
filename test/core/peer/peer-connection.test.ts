import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PeerError } from '../../../src/core/peer/errors.js';
import type { PeerEvent } from '../../../src/core/peer/events.js';
import { Bitfield } from '../../../src/core/util/bitfield.js';
import { concatBytes } from '../../../src/core/util/bytes.js';
import { ConnectionPair, peerId, splitBySizes, types } from './connection-pair.js';

function eventsOfType<T extends PeerEvent['type']>(events: readonly PeerEvent[], type: T): Extract<PeerEvent, { type: T }>[] {
  return events.filter((e): e is Extract<PeerEvent, { type: T }> => e.type === type);
}

function block(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 13 + seed) & 0xff);
}

describe('PeerConnection handshake and extension negotiation', () => {
  it('exchanges handshakes and extended handshakes both ways', () => {
    const pair = new ConnectionPair({ listenPort: 6881, metadataSize: 40000 }, { localExtensions: { ut_metadata: 3, lt_donthave: 9 } });
    const { a, b } = pair.open();
    expect(types(a)).toEqual(['handshake', 'extended-handshake']);
    expect(types(b)).toEqual(['handshake', 'extended-handshake']);

    const hsA = eventsOfType(a, 'handshake')[0]!;
    expect(hsA.peerId).toEqual(peerId(2));
    expect(hsA.clientName).toBe('Sluice 0.1.0');
    expect(hsA).toMatchObject({ extended: true, fast: true, dht: false });

    // What B announced, as A sees it (and the other way round).
    const extA = eventsOfType(a, 'extended-handshake')[0]!.handshake;
    expect([...extA.extensions]).toEqual([['lt_donthave', 9], ['ut_metadata', 3]]);
    expect(extA).toMatchObject({ client: 'Sluice 0.1.0', requestQueue: 250, metadataSize: 12345 });
    expect(extA.port).toBeUndefined();
    const extB = eventsOfType(b, 'extended-handshake')[0]!.handshake;
    expect([...extB.extensions]).toEqual([['lt_donthave', 7], ['ut_metadata', 2], ['ut_pex', 1]]);
    expect(extB).toMatchObject({ client: 'Sluice 0.1.0', requestQueue: 250, metadataSize: 40000, port: 6881 });

    expect(pair.a.peerExtensionId('ut_metadata')).toBe(3);
    expect(pair.a.peerExtensionId('ut_pex')).toBe(0);
    expect(pair.b.peerExtensionId('ut_pex')).toBe(1);
    expect(pair.a.ready && pair.b.ready).toBe(true);
  });

  it('announces metadata_size again once a magnet learns its metadata, and only then', () => {
    // A is a magnet without metadata; B has it. A's first extended handshake says nothing of the size.
    const pair = new ConnectionPair({ pieceCount: null, metadataSize: undefined }, {});
    const { b } = pair.open();
    expect(eventsOfType(b, 'extended-handshake')[0]!.handshake.metadataSize).toBeUndefined();

    pair.a.setMetadataSize(31337);
    const again = pair.flush().b;
    expect(types(again)).toEqual(['extended-handshake']);
    expect(eventsOfType(again, 'extended-handshake')[0]!.handshake).toMatchObject({ metadataSize: 31337, client: 'Sluice 0.1.0', requestQueue: 250 });
    expect([...eventsOfType(again, 'extended-handshake')[0]!.handshake.extensions]).toEqual([['lt_donthave', 7], ['ut_metadata', 2], ['ut_pex', 1]]);

    // The same size again sends nothing.
    pair.a.setMetadataSize(31337);
    expect(pair.flush().b).toEqual([]);
  });

  it('keeps a metadata_size learned before the handshake for its first extended handshake', () => {
    const pair = new ConnectionPair({ pieceCount: null, metadataSize: undefined }, {});
    pair.a.setMetadataSize(4242);
    const { b } = pair.open();
    expect(eventsOfType(b, 'extended-handshake').map((e) => e.handshake.metadataSize)).toEqual([4242]);
  });

  it('sets the BEP 10, BEP 6 and (optionally) DHT reserved bits in the first 68 bytes it queues', () => {
    const pair = new ConnectionPair({ dht: true }, { fast: false });
    const first = concatBytes(pair.a.takeOutgoing());
    expect(first.length).toBe(68);
    expect([...first.subarray(20, 28)]).toEqual([0, 0, 0, 0, 0, 0x10, 0, 0x05]);
    const second = concatBytes(pair.b.takeOutgoing());
    expect([...second.subarray(20, 28)]).toEqual([0, 0, 0, 0, 0, 0x10, 0, 0]);
  });

  it('negotiates fast only when both sides offer it', () => {
    const pair = new ConnectionPair({}, { fast: false });
    const { a, b } = pair.open();
    expect(eventsOfType(a, 'handshake')[0]!.fast).toBe(false);
    expect(eventsOfType(b, 'handshake')[0]!.fast).toBe(false);
    expect(pair.a.fastNegotiated).toBe(false);
  });

  it('delivers the same events whatever the chunking (property)', () => {
    const reference = run(new ConnectionPair());
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 80 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        expect(run(new ConnectionPair({}, {}, splitBySizes(sizes)))).toEqual(reference);
      }),
      { numRuns: 60 },
    );

    function run(pair: ConnectionPair): unknown {
      pair.open();
      pair.a.sendBitfield(Bitfield.fromIndices(10, [0, 3, 9]));
      pair.b.haveAll();
      pair.flush();
      pair.a.interested();
      pair.b.unchoke();
      pair.flush();
      pair.a.request(9, 1000, 4000);
      pair.flush();
      pair.b.piece(9, 1000, block(4000, 9));
      pair.a.have(4);
      pair.flush();
      // Zero-copy views are compared by content.
      return [pair.eventsA, pair.eventsB].map((events) =>
        events.map((e) => (e.type === 'piece' ? { ...e, block: [...e.block] } : e.type === 'bitfield' ? [...e.bitfield.indices()] : e)),
      );
    }
  });
});

describe('PeerConnection availability', () => {
  it('reports a bitfield, have all and have none', () => {
    const pair = new ConnectionPair();
    pair.open();
    pair.a.sendBitfield(Bitfield.fromIndices(10, [1, 2, 8]));
    pair.b.haveAll();
    const { a, b } = pair.flush();
    expect([...eventsOfType(b, 'bitfield')[0]!.bitfield.indices()]).toEqual([1, 2, 8]);
    expect(types(a)).toEqual(['have-all']);
    expect(pair.a.peerBitfield!.hasAll()).toBe(true);
    expect(pair.b.peerHas(2)).toBe(true);
    expect(pair.b.peerHas(3)).toBe(false);

    const other = new ConnectionPair();
    other.open();
    other.a.haveNone();
    expect(types(other.flush().b)).toEqual(['have-none']);
    expect(other.b.peerBitfield!.hasNone()).toBe(true);
  });

  it('turns have all into a full bitfield and have none into silence without the fast extension', () => {
    const pair = new ConnectionPair({ fast: false });
    pair.open();
    pair.a.haveAll();
    pair.b.haveNone();
    const { a, b } = pair.flush();
    expect(a).toEqual([]);
    expect(eventsOfType(b, 'bitfield')[0]!.bitfield.equals(Bitfield.full(10))).toBe(true);
  });

  it('reports each have once and updates the peer bitfield', () => {
    const pair = new ConnectionPair();
    pair.open();
    pair.a.haveNone();
    pair.a.have(5);
    pair.a.have(5);
    pair.a.have(7);
    const { b } = pair.flush();
    expect(eventsOfType(b, 'have').map((e) => e.index)).toEqual([5, 7]);
    expect([...pair.b.peerBitfield!.indices()]).toEqual([5, 7]);
  });

  it('holds what a peer announces before a magnet has its metadata, then checks it', () => {
    const pair = new ConnectionPair({}, { pieceCount: null });
    pair.open();
    pair.a.sendBitfield(Bitfield.fromIndices(10, [0, 9]));
    pair.a.have(4);
    const { b } = pair.flush();
    expect(b).toEqual([]);
    expect(pair.b.peerBitfield).toBeNull();
    const events = pair.b.setPieceCount(10);
    expect(types(events)).toEqual(['bitfield']);
    expect([...eventsOfType(events, 'bitfield')[0]!.bitfield.indices()]).toEqual([0, 4, 9]);
    expect(pair.b.peerHas(4)).toBe(true);
  });

  it('fails a held bitfield that does not fit the piece count', () => {
    const pair = new ConnectionPair({}, { pieceCount: null });
    pair.open();
    pair.a.sendBitfield(Bitfield.fromIndices(10, [0, 9]));
    pair.flush();
    const [event] = pair.b.setPieceCount(8);
    expect(event).toMatchObject({ type: 'protocol-error', error: { code: 'peer/bitfield-wrong-length' } });
  });

  it('fails held haves beyond the piece count', () => {
    const pair = new ConnectionPair({}, { pieceCount: null });
    pair.open();
    pair.a.haveNone();
    pair.a.have(20);
    expect(types(pair.flush().b)).toEqual(['have-none']);
    const [event] = pair.b.setPieceCount(10);
    expect(event).toMatchObject({ type: 'protocol-error', error: { code: 'peer/have-out-of-range' } });
  });
});

describe('PeerConnection transfer', () => {
  it('runs interested, unchoke, request and piece with byte-exact blocks', () => {
    const pair = new ConnectionPair();
    pair.open();
    pair.a.haveNone();
    pair.b.haveAll();
    pair.flush();
    pair.a.interested();
    expect(types(pair.flush().b)).toEqual(['interested']);
    expect(pair.b.peerInterested).toBe(true);
    pair.b.unchoke();
    expect(types(pair.flush().a)).toEqual(['unchoke']);
    expect(pair.a.peerChoking).toBe(false);

    pair.a.request(0, 0, 16384);
    pair.a.request(9, 0, 5000);
    expect(eventsOfType(pair.flush().b, 'request')).toEqual([
      { type: 'request', index: 0, begin: 0, length: 16384 },
      { type: 'request', index: 9, begin: 0, length: 5000 },
    ]);
    expect(pair.b.pendingPeerRequests).toBe(2);

    const data = block(16384, 1);
    expect(pair.b.piece(0, 0, data)).toBe(true);
    const out = pair.b.takeOutgoing();
    // A 13-byte header, then the caller's block itself: never copied.
    expect(out.length).toBe(2);
    expect([...out[0]!]).toEqual([0, 0, 0x40, 0x09, 7, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(out[1]).toBe(data);
    const events = pair.a.receive(concatBytes(out), 0);
    expect(events).toEqual([{ type: 'piece', index: 0, begin: 0, block: data }]);
    expect(pair.b.pendingPeerRequests).toBe(1);
    // A block nobody asked for (any more) is not sent.
    expect(pair.b.piece(0, 0, data)).toBe(false);
    expect(pair.b.takeOutgoing()).toEqual([]);
  });

  it('sends INTERESTED explicitly, once per change of mind', () => {
    const pair = new ConnectionPair();
    pair.open();
    pair.a.interested();
    pair.a.interested();
    pair.a.notInterested();
    pair.a.interested();
    expect(types(pair.flush().b)).toEqual(['interested', 'not-interested', 'interested']);
  });

  it('rejects pending requests when choking with the fast extension, except allowed fast pieces', () => {
    const pair = new ConnectionPair();
    pair.open();
    pair.b.allowedFast(3);
    expect(eventsOfType(pair.flush().a, 'allowed-fast')).toEqual([{ type: 'allowed-fast', index: 3 }]);
    pair.b.unchoke();
    pair.flush();
    pair.a.request(1, 0, 16384);
    pair.a.request(2, 16384, 16384);
    pair.a.request(3, 0, 16384);
    pair.flush();
    pair.b.choke();
    const { a } = pair.flush();
    expect(a).toEqual([
      { type: 'choke' },
      { type: 'reject', index: 1, begin: 0, length: 16384 },
      { type: 'reject', index: 2, begin: 16384, length: 16384 },
    ]);
    expect(pair.b.pendingPeerRequests).toBe(1);
    expect(pair.b.piece(1, 0, block(16384, 0))).toBe(false);
    expect(pair.b.piece(3, 0, block(16384, 0))).toBe(true);
  });

  it('rejects requests made while choked (fast), and drops them silently without it', () => {
    const fast = new ConnectionPair();
    fast.open();
    fast.a.request(1, 0, 16384);
    expect(fast.flush()).toEqual({ a: [{ type: 'reject', index: 1, begin: 0, length: 16384 }], b: [] });

    const slow = new ConnectionPair({ fast: false });
    slow.open();
    slow.a.request(1, 0, 16384);
    expect(slow.flush()).toEqual({ a: [], b: [] });
    slow.b.unchoke();
    slow.flush();
    slow.a.request(1, 0, 16384);
    slow.a.request(2, 0, 16384);
    slow.flush();
    slow.b.choke();
    expect(slow.flush().a).toEqual([{ type: 'choke' }]);
    expect(slow.b.pendingPeerRequests).toBe(0);
  });

  it('matches cancels to pending requests and answers them with a reject under the fast extension', () => {
    const pair = new ConnectionPair();
    pair.open();
    pair.b.unchoke();
    pair.flush();
    pair.a.request(1, 0, 16384);
    pair.flush();
    pair.a.cancel(1, 0, 16384);
    pair.a.cancel(1, 16384, 16384);
    const { a, b } = pair.flush();
    expect(b).toEqual([{ type: 'cancel', index: 1, begin: 0, length: 16384 }]);
    expect(a).toEqual([{ type: 'reject', index: 1, begin: 0, length: 16384 }]);
    expect(pair.b.piece(1, 0, block(16384, 0))).toBe(false);
  });

  it('lets the caller reject a pending request', () => {
    const pair = new ConnectionPair();
    pair.open();
    pair.b.unchoke();
    pair.flush();
    pair.a.request(4, 0, 100);
    pair.flush();
    expect(pair.b.reject(4, 0, 100)).toBe(true);
    expect(pair.b.reject(4, 0, 100)).toBe(false);
    expect(pair.flush().a).toEqual([{ type: 'reject', index: 4, begin: 0, length: 100 }]);
  });

  it('passes suggest and port through', () => {
    const pair = new ConnectionPair();
    pair.open();
    pair.b.suggest(6);
    pair.b.port(6881);
    expect(pair.flush().a).toEqual([{ type: 'suggest', index: 6 }, { type: 'port', port: 6881 }]);
  });

  it('refuses to send before the peer handshake, and a bitfield after other messages', () => {
    const pair = new ConnectionPair();
    expect(() => pair.a.interested()).toThrow(PeerError);
    expect(() => pair.a.sendBitfield(new Bitfield(10))).toThrow(
      expect.objectContaining({ code: 'peer/invalid-call' }) as Error,
    );
    pair.open();
    pair.a.interested();
    expect(() => pair.a.haveAll()).toThrow(expect.objectContaining({ code: 'peer/invalid-call' }) as Error);
  });
});

describe('PeerConnection timers', () => {
  it('sends a keep-alive after 90 s of silence and times out after 180 s without input', () => {
    const pair = new ConnectionPair();
    pair.open();
    expect(pair.a.nextDeadline()).toBe(90_000);
    expect(pair.a.poll(89_999)).toEqual([]);
    expect(pair.a.takeOutgoing()).toEqual([]);
    expect(pair.a.poll(90_000)).toEqual([]);
    expect(pair.a.takeOutgoing()).toEqual([new Uint8Array(4)]);
    // The keep-alive reaches B, which now hears from A at 90 s.
    expect(pair.b.receive(new Uint8Array(4), 90_000)).toEqual([{ type: 'keep-alive' }]);
    expect(pair.a.nextDeadline()).toBe(180_000);
    expect(pair.b.nextDeadline()).toBe(90_000);
    pair.b.poll(90_000);
    pair.b.takeOutgoing();
    expect(pair.b.nextDeadline()).toBe(180_000);
    expect(pair.b.poll(269_999)).toEqual([]);
    pair.b.takeOutgoing();
    const [event] = pair.b.poll(270_000);
    expect(event).toMatchObject({ type: 'protocol-error', error: { code: 'peer/timeout' } });
    expect(pair.b.nextDeadline()).toBeNull();
    expect(pair.b.poll(1_000_000)).toEqual([]);
  });

  it('uses configured timeouts and a handshake timeout', () => {
    const pair = new ConnectionPair({ timeouts: { handshakeTimeout: 5000, keepAliveInterval: 1000, inactivityTimeout: 3000 } });
    expect(pair.a.nextDeadline()).toBe(3000);
    const [event] = pair.a.poll(3000);
    expect(event).toMatchObject({ type: 'protocol-error', error: { code: 'peer/timeout' } });

    const slow = new ConnectionPair({ timeouts: { handshakeTimeout: 5000 } });
    expect(slow.a.nextDeadline()).toBe(5000);
    expect(slow.a.poll(4999)).toEqual([]);
    const [late] = slow.a.poll(5000);
    expect(late).toMatchObject({ type: 'protocol-error', error: { code: 'peer/handshake-timeout' } });
  });
});
