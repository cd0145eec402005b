import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBencode, type BencodeValue } from '../../../src/core/bencode/encode.js';
import { TrackerError } from '../../../src/core/tracker/errors.js';
import { parseAnnounceResponse, parseScrapeResponse } from '../../../src/core/tracker/http-response.js';
import { encodeCompactPeers } from '../../../src/core/tracker/compact-peers.js';
import { hash20, peerV4, peerV6 } from './arbitraries.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

function failure(fn: () => unknown): TrackerError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TrackerError) return e;
    throw e;
  }
  throw new Error('expected a TrackerError');
}

describe('HTTP announce reply', () => {
  it('reads compact IPv4 (BEP 23) and IPv6 (BEP 7) peers and every field', () => {
    const body = encodeBencode({
      interval: 1800,
      'min interval': 900,
      complete: 7,
      incomplete: 3,
      'tracker id': bytes(0x61, 0xff),
      'warning message': 'slow\ndown',
      'external ip': bytes(203, 0, 113, 9),
      peers: bytes(127, 0, 0, 1, 0x1a, 0xe1, 10, 0, 0, 2, 0, 80, 9, 9),
      peers6: bytes(...new Array<number>(15).fill(0), 1, 0x1a, 0xe2),
    });
    expect(parseAnnounceResponse(body)).toEqual({
      interval: 1800,
      minInterval: 900,
      complete: 7,
      incomplete: 3,
      trackerId: 'a\u00ff',
      warning: 'slow down',
      externalIp: '203.0.113.9',
      peers: [
        { host: '127.0.0.1', port: 6881 },
        { host: '10.0.0.2', port: 80 },
        { host: '::1', port: 6882 },
      ],
    });
  });

  it('reads the dictionary model, skipping entries it cannot use', () => {
    const id = new Uint8Array(20).fill(0x2d);
    const body = encodeBencode({
      interval: 60,
      peers: [
        { ip: '192.0.2.4', port: 6881, 'peer id': id },
        { ip: '[2001:DB8::1]', port: 1 },
        { ip: 'peer.example.org', port: 2 },
        { ip: 'bad host!', port: 3 },
        { ip: '192.0.2.5', port: 0 },
        { ip: '192.0.2.6', port: 70000 },
        { port: 4 },
        'not a dictionary',
      ],
    });
    expect(parseAnnounceResponse(body).peers).toEqual([
      { host: '192.0.2.4', port: 6881, peerId: id },
      { host: '2001:db8::1', port: 1 },
      { host: 'peer.example.org', port: 2 },
    ]);
  });

  it('turns a failure reason into tracker/failure-reason with the tracker text and BEP 31 retry', () => {
    const error = failure(() => parseAnnounceResponse(encodeBencode({ 'failure reason': 'torrent not\r\nregistered', 'retry in': 30 })));
    expect(error.code).toBe('tracker/failure-reason');
    expect(error.message).toBe('tracker refused the request: torrent not registered');
    expect(error.details).toEqual({ reason: 'torrent not registered', retryIn: 30 });
    expect(failure(() => parseAnnounceResponse(encodeBencode({ 'failure reason': 'banned', 'retry in': 'never' }))).details.retryIn).toBe('never');
  });

  it('defaults a missing interval, and drops advisory fields of the wrong type', () => {
    expect(parseAnnounceResponse(encodeBencode({ peers: new Uint8Array(0), complete: 'x', 'min interval': -5, 'tracker id': 3 }))).toEqual({
      interval: 1800,
      peers: [],
    });
  });

  it('rejects replies that are not a bencoded dictionary, or peers of the wrong type', () => {
    expect(failure(() => parseAnnounceResponse(text('<html>502 Bad Gateway</html>'))).code).toBe('tracker/bad-response');
    expect(failure(() => parseAnnounceResponse(text('li1ee'))).message).toBe('HTTP tracker reply: expected a dictionary, got a list');
    expect(failure(() => parseAnnounceResponse(text('d8:intervali60ee trailing'))).code).toBe('tracker/bad-response');
    expect(failure(() => parseAnnounceResponse(encodeBencode({ interval: 60, peers: 5 }))).message).toBe(
      'HTTP tracker reply: peers must be a byte string or a list, not an integer',
    );
    expect(failure(() => parseAnnounceResponse(new Uint8Array(1024 * 1024 + 1))).code).toBe('tracker/bad-response');
  });

  it('keeps at most 2000 peers in all', () => {
    const body = encodeBencode({ interval: 1, peers: new Uint8Array(6 * 1500).fill(1), peers6: new Uint8Array(18 * 1500).fill(1) });
    const peers = parseAnnounceResponse(body).peers;
    expect(peers).toHaveLength(2000);
    expect(peers[1499]!.host).toBe('1.1.1.1');
    expect(peers[1500]!.host).toBe('101:101:101:101:101:101:101:101');
  });

  it('round-trips compact peer lists through a reply', () => {
    fc.assert(
      fc.property(fc.array(peerV4, { maxLength: 50 }), fc.array(peerV6, { maxLength: 50 }), fc.nat(), (v4, v6, interval) => {
        const body = encodeBencode({ interval, peers: encodeCompactPeers(v4, 'ipv4'), peers6: encodeCompactPeers(v6, 'ipv6') });
        expect(parseAnnounceResponse(body)).toEqual({ interval, peers: [...v4, ...v6] });
      }),
    );
  });
});

describe('HTTP scrape reply', () => {
  it('reports requested hashes in request order, skipping ones the tracker left out', () => {
    const a = new Uint8Array(20).fill(1);
    const b = new Uint8Array(20).fill(2);
    const c = new Uint8Array(20).fill(3);
    const body = encodeBencode({
      files: Object.fromEntries([
        [String.fromCharCode(...a), { complete: 5, downloaded: 10, incomplete: 2 }],
        [String.fromCharCode(...c), { complete: 1 }],
      ]),
    });
    // encodeBencode writes string keys as UTF-8; these hashes are ASCII control bytes, so they stay raw.
    expect(parseScrapeResponse(body, [c, b, a])).toEqual([
      { infoHash: c, complete: 1, downloaded: 0, incomplete: 0 },
      { infoHash: a, complete: 5, downloaded: 10, incomplete: 2 },
    ]);
  });

  it('rejects a failure reason and a reply without files', () => {
    expect(failure(() => parseScrapeResponse(encodeBencode({ 'failure reason': 'no scrape here' }), [])).code).toBe('tracker/failure-reason');
    expect(failure(() => parseScrapeResponse(encodeBencode({ flags: {} }), [])).message).toBe('HTTP tracker reply: scrape reply has no files');
  });
});

describe('HTTP reply parsers under fuzzing', () => {
  const onlyTrackerErrors = (fn: () => unknown): void => {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof TrackerError)) throw e;
    }
  };

  it('never fail on random bytes with anything but a TrackerError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(hash20, { maxLength: 3 }), (body, hashes) => {
        onlyTrackerErrors(() => parseAnnounceResponse(body));
        onlyTrackerErrors(() => parseScrapeResponse(body, hashes));
      }),
      { numRuns: 2000 },
    );
  });

  it('never fail on well-formed bencode of any shape with anything but a TrackerError', () => {
    const { value } = fc.letrec<{ value: BencodeValue }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.integer({ min: -10, max: 70000 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.constantFrom('127.0.0.1', '::1', 'host.example', 'never', ''),
        fc.array(tie('value'), { maxLength: 5 }),
        fc.dictionary(
          fc.constantFrom('interval', 'min interval', 'peers', 'peers6', 'ip', 'port', 'peer id', 'failure reason', 'warning message',
            'tracker id', 'complete', 'incomplete', 'external ip', 'files', 'downloaded', 'retry in', 'x'),
          tie('value'),
          { maxKeys: 6 },
        ),
      ),
    }));
    fc.assert(
      fc.property(value, (v) => {
        const body = encodeBencode(v);
        onlyTrackerErrors(() => parseAnnounceResponse(body));
        onlyTrackerErrors(() => parseScrapeResponse(body, [new Uint8Array(20)]));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('HTTP scrape reply from bittorrent-tracker', () => {
  it('accepts keys written as UTF-8 of one character per hash byte (bittorrent-tracker 11 with bencode 4)', () => {
    const hash = Uint8Array.from({ length: 20 }, (_, i) => 0x70 + i * 7);
    const key = new TextEncoder().encode(String.fromCharCode(...hash));
    expect(key.length).toBeGreaterThan(20);
    const body = new TextEncoder().encode('d5:filesd');
    const tail = new TextEncoder().encode('d8:completei2e10:downloadedi3e10:incompletei4eeee');
    const full = new Uint8Array([...body, ...new TextEncoder().encode(`${key.length}:`), ...key, ...tail]);
    expect(parseScrapeResponse(full, [hash])).toEqual([{ infoHash: hash, complete: 2, downloaded: 3, incomplete: 4 }]);
  });
});
