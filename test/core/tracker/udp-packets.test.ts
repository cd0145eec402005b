import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/core/util/hex.js';
import { TrackerError } from '../../../src/core/tracker/errors.js';
import {
  decodeUdpRequest,
  decodeUdpResponse,
  encodeUdpRequest,
  encodeUdpResponse,
  type UdpRequest,
  type UdpResponse,
} from '../../../src/core/tracker/udp-packets.js';
import { counter, event, hash20, peerV4, peerV6, uint32 } from './arbitraries.js';

const hex = (text: string): Uint8Array => Uint8Array.from(text.match(/../g)!.map((b) => parseInt(b, 16)));

function expectTrackerError(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TrackerError);
    expect((error as TrackerError).code).toBe(code);
    return;
  }
  throw new Error('expected a TrackerError');
}

const connectionId = fc.bigInt({ min: 0n, max: 0xffffffffffffffffn });

const announceRequest = fc.record({
  action: fc.constant('announce' as const),
  connectionId,
  transactionId: uint32,
  infoHash: hash20,
  peerId: hash20,
  downloaded: counter,
  left: counter,
  uploaded: counter,
  event,
  ip: uint32,
  key: uint32,
  numWant: fc.integer({ min: -1, max: 0x7fffffff }),
  port: fc.integer({ min: 0, max: 65535 }),
  urlData: fc.option(fc.uint8Array({ minLength: 1, maxLength: 1024 }), { nil: undefined }),
});

const request: fc.Arbitrary<UdpRequest> = fc.oneof(
  fc.record({ action: fc.constant('connect' as const), transactionId: uint32 }),
  announceRequest.map(({ urlData, ...rest }) => (urlData === undefined ? rest : { ...rest, urlData })),
  fc.record({ action: fc.constant('scrape' as const), connectionId, transactionId: uint32, infoHashes: fc.array(hash20, { maxLength: 74 }) }),
);

const error = fc.record({
  action: fc.constant('error' as const),
  transactionId: uint32,
  message: fc.string({ unit: fc.constantFrom(...'abc XYZ-é0:'), maxLength: 80 }).map((s) => s.replace(/\s+/g, ' ').trim()),
});

function responses(peer: fc.Arbitrary<{ host: string; port: number }>): fc.Arbitrary<UdpResponse> {
  return fc.oneof(
    fc.record({ action: fc.constant('connect' as const), transactionId: uint32, connectionId }),
    fc.record({ action: fc.constant('announce' as const), transactionId: uint32, interval: uint32, leechers: uint32, seeders: uint32, peers: fc.array(peer, { maxLength: 60 }) }),
    fc.record({
      action: fc.constant('scrape' as const),
      transactionId: uint32,
      entries: fc.array(fc.record({ seeders: uint32, completed: uint32, leechers: uint32 }), { maxLength: 74 }),
    }),
    error,
  );
}

describe('UDP tracker packets (BEP 15)', () => {
  it('encodes a connect request with the protocol id', () => {
    expect(toHex(encodeUdpRequest({ action: 'connect', transactionId: 0xdeadbeef }))).toBe('0000041727101980' + '00000000' + 'deadbeef');
  });

  it('encodes an announce request field by field', () => {
    const packet = encodeUdpRequest({
      action: 'announce',
      connectionId: 0x0102030405060708n,
      transactionId: 9,
      infoHash: new Uint8Array(20).fill(0xaa),
      peerId: new Uint8Array(20).fill(0xbb),
      downloaded: 2 ** 40,
      left: 5,
      uploaded: 6,
      event: 'stopped',
      ip: 0,
      key: 0x12345678,
      numWant: -1,
      port: 6881,
      urlData: new TextEncoder().encode('/announce?passkey=x'),
    });
    expect(toHex(packet)).toBe(
      '0102030405060708' + '00000001' + '00000009' + 'aa'.repeat(20) + 'bb'.repeat(20) +
        '0000010000000000' + '0000000000000005' + '0000000000000006' + '00000003' + '00000000' + '12345678' + 'ffffffff' + '1ae1' +
        '0213' + toHex(new TextEncoder().encode('/announce?passkey=x')),
    );
  });

  it('splits BEP 41 URL data into 255-byte options', () => {
    const urlData = new Uint8Array(300).fill(0x61);
    const base = { action: 'announce' as const, connectionId: 1n, transactionId: 1, infoHash: new Uint8Array(20), peerId: new Uint8Array(20) };
    const packet = encodeUdpRequest({ ...base, downloaded: 0, left: 0, uploaded: 0, event: undefined, ip: 0, key: 0, numWant: -1, port: 1, urlData });
    expect(packet.length).toBe(98 + 2 + 255 + 2 + 45);
    expect([packet[98], packet[99], packet[98 + 257], packet[98 + 258]]).toEqual([2, 255, 2, 45]);
  });

  it('decodes an IPv4 announce reply as bittorrent-tracker writes it', () => {
    const packet = hex('00000001' + '0000002a' + '00000258' + '00000003' + '00000002' + '7f000001' + '1ae1' + 'c0a80001' + '0050');
    expect(decodeUdpResponse(packet, 'ipv4')).toEqual({
      action: 'announce',
      transactionId: 42,
      interval: 600,
      leechers: 3,
      seeders: 2,
      peers: [
        { host: '127.0.0.1', port: 6881 },
        { host: '192.168.0.1', port: 80 },
      ],
    });
  });

  it('decodes an IPv6 announce reply with 18-byte peers', () => {
    const packet = hex('00000001' + '00000001' + '0000003c' + '00000000' + '00000001' + '00000000000000000000000000000001' + '1ae1');
    expect(decodeUdpResponse(packet, 'ipv6')).toMatchObject({ peers: [{ host: '::1', port: 6881 }] });
  });

  it('decodes an error reply into one sanitised line', () => {
    const packet = new Uint8Array([0, 0, 0, 3, 0, 0, 0, 7, ...new TextEncoder().encode('torrent\nnot\tregistered\u0000')]);
    expect(decodeUdpResponse(packet, 'ipv4')).toEqual({ action: 'error', transactionId: 7, message: 'torrent not registered' });
  });

  it('round-trips every request', () => {
    fc.assert(fc.property(request, (r) => {
      expect(decodeUdpRequest(encodeUdpRequest(r))).toEqual(r);
    }));
  });

  it('round-trips every IPv4 reply', () => {
    fc.assert(fc.property(responses(peerV4), (r) => {
      expect(decodeUdpResponse(encodeUdpResponse(r, 'ipv4'), 'ipv4')).toEqual(r);
    }));
  });

  it('round-trips every IPv6 reply', () => {
    fc.assert(fc.property(responses(peerV6), (r) => {
      expect(decodeUdpResponse(encodeUdpResponse(r, 'ipv6'), 'ipv6')).toEqual(r);
    }));
  });

  it('rejects malformed packets with typed errors', () => {
    expectTrackerError(() => decodeUdpResponse(new Uint8Array(7), 'ipv4'), 'tracker/bad-response');
    expectTrackerError(() => decodeUdpResponse(hex('00000000' + '00000001' + '0000'), 'ipv4'), 'tracker/bad-response');
    expectTrackerError(() => decodeUdpResponse(hex('00000001' + '00000001' + '00000000'), 'ipv4'), 'tracker/bad-response');
    expectTrackerError(() => decodeUdpResponse(hex('00000009' + '00000001'), 'ipv4'), 'tracker/bad-response');
    expectTrackerError(() => decodeUdpRequest(hex('0000041727101980' + '00000002' + '00000001' + '00')), 'tracker/bad-request');
    expectTrackerError(() => decodeUdpRequest(hex('0000000000000001' + '00000000' + '00000001')), 'tracker/bad-request');
  });

  it('refuses to encode out-of-range fields', () => {
    const base = { action: 'announce' as const, connectionId: 1n, transactionId: 1, infoHash: new Uint8Array(20), peerId: new Uint8Array(20) };
    const fields = { downloaded: 0, left: 0, uploaded: 0, event: undefined, ip: 0, key: 0, numWant: -1, port: 1 };
    expectTrackerError(() => encodeUdpRequest({ ...base, ...fields, infoHash: new Uint8Array(19) }), 'tracker/bad-request');
    expectTrackerError(() => encodeUdpRequest({ ...base, ...fields, left: -1 }), 'tracker/bad-request');
    expectTrackerError(() => encodeUdpRequest({ ...base, ...fields, port: 65536 }), 'tracker/bad-request');
    expectTrackerError(() => encodeUdpRequest({ ...base, ...fields, urlData: new Uint8Array(1025) }), 'tracker/bad-request');
    expectTrackerError(() => encodeUdpRequest({ action: 'connect', transactionId: 2 ** 32 }), 'tracker/bad-request');
  });

  it('never fails on random bytes with anything but a TrackerError', () => {
    const isTrackerErrorOrValue = (fn: () => unknown): boolean => {
      try {
        fn();
        return true;
      } catch (e) {
        return e instanceof TrackerError;
      }
    };
    const packet = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.tuple(fc.integer({ min: 0, max: 4 }), fc.uint8Array({ maxLength: 200 })).map(([action, rest]) => new Uint8Array([0, 0, 0, action, ...rest])),
      fc.tuple(fc.integer({ min: 0, max: 4 }), fc.uint8Array({ maxLength: 200 })).map(
        ([action, rest]) => new Uint8Array([0, 0, 4, 0x17, 0x27, 0x10, 0x19, 0x80, 0, 0, 0, action, ...rest]),
      ),
    );
    fc.assert(
      fc.property(packet, fc.constantFrom('ipv4' as const, 'ipv6' as const), (bytes, family) => {
        expect(isTrackerErrorOrValue(() => decodeUdpResponse(bytes, family))).toBe(true);
        expect(isTrackerErrorOrValue(() => decodeUdpRequest(bytes))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps at most 2000 peers from one reply', () => {
    const packet = new Uint8Array(20 + 6 * 2500).fill(1);
    packet.set([0, 0, 0, 1], 0);
    const decoded = decodeUdpResponse(packet, 'ipv4');
    expect(decoded.action === 'announce' && decoded.peers.length).toBe(2000);
  });

  it('rejects a scrape request of 75 hashes', () => {
    expectTrackerError(
      () => encodeUdpRequest({ action: 'scrape', connectionId: 1n, transactionId: 1, infoHashes: Array.from({ length: 75 }, () => new Uint8Array(20)) }),
      'tracker/bad-request',
    );
  });
});
