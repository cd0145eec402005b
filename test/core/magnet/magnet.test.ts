import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatMagnet,
  MagnetError,
  magnetFromMetainfo,
  MAX_MAGNET_LENGTH,
  parseMagnet,
  type MagnetLink,
} from '../../../src/core/magnet/index.js';
import { toBase32 } from '../../../src/core/util/base32.js';
import { fromHex, toHex } from '../../../src/core/util/hex.js';

const V1 = 'c9e15763f722f23e98a29decdfae341b98d53056';
const V2 = 'caf1e1c30e81cb361b9ee167c4aa64228a7fa4fa9f6105232b28ad099f3a302e';

function empty(overrides: Partial<MagnetLink> = {}): MagnetLink {
  return {
    infoHash: null,
    infoHashV2: null,
    name: null,
    trackers: [],
    webSeeds: [],
    exactSources: [],
    acceptableSources: [],
    selectOnly: [],
    peers: [],
    extra: [],
    ...overrides,
  };
}

function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MagnetError);
    const err = e as MagnetError;
    return { code: err.code, message: err.message };
  }
  throw new Error('expected a MagnetError');
}

describe('parseMagnet', () => {
  it('reads every field of a hybrid magnet, keeping list order and unknown parameters', () => {
    const uri =
      `magnet:?xt=urn:btih:${V1.toUpperCase()}&xt=urn:btmh:1220${V2}&dn=Big+Buck%20Bunny%2B` +
      '&tr=udp%3A%2F%2Ftracker.b%3A80&tr=wss://tracker.a&ws=https%3A%2F%2Fseed%2Ffile&xs=http://x/t.torrent' +
      '&as=http://a/b&so=0,2,4-6&x.pe=10.0.0.1:6881&x.pe=%5B2001:db8::1%5D:51413&x.pe=peer.example:1&kt=a+b&ix=3';
    const link = parseMagnet(uri);
    expect(link).toEqual({
      infoHash: fromHex(V1),
      infoHashV2: fromHex(V2),
      name: 'Big Buck Bunny+',
      trackers: ['udp://tracker.b:80', 'wss://tracker.a'],
      webSeeds: ['https://seed/file'],
      exactSources: ['http://x/t.torrent'],
      acceptableSources: ['http://a/b'],
      selectOnly: [
        { first: 0, last: 0 },
        { first: 2, last: 2 },
        { first: 4, last: 6 },
      ],
      peers: [
        { host: '10.0.0.1', port: 6881 },
        { host: '2001:db8::1', port: 51413 },
        { host: 'peer.example', port: 1 },
      ],
      extra: [
        ['kt', 'a+b'],
        ['ix', '3'],
      ],
    });
    expect(formatMagnet(link)).toBe(
      `magnet:?xt=urn:btih:${V1}&xt=urn:btmh:1220${V2}&dn=Big%20Buck%20Bunny%2B` +
        '&tr=udp%3A%2F%2Ftracker.b%3A80&tr=wss%3A%2F%2Ftracker.a&ws=https%3A%2F%2Fseed%2Ffile' +
        '&xs=http%3A%2F%2Fx%2Ft.torrent&as=http%3A%2F%2Fa%2Fb&so=0,2,4-6&x.pe=10.0.0.1%3A6881' +
        '&x.pe=%5B2001%3Adb8%3A%3A1%5D%3A51413&x.pe=peer.example%3A1&kt=a%2Bb&ix=3',
    );
  });

  it('accepts a base32 btih, xt.1 numbering, and a v2-only magnet', () => {
    const bytes = fromHex(V1)!;
    expect(parseMagnet(`MAGNET:?xt.1=urn:btih:${toBase32(bytes).toLowerCase()}`).infoHash).toEqual(bytes);
    const v2 = parseMagnet(`magnet:?xt=urn:btmh:1220${V2}`);
    expect([v2.infoHash, toHex(v2.infoHashV2!)]).toEqual([null, V2]);
  });

  it('keeps an xt of another network as an extra parameter', () => {
    const link = parseMagnet(`magnet:?xt=urn:ed2k:abc&xt=urn:btih:${V1}`);
    expect(link.extra).toEqual([['xt', 'urn:ed2k:abc']]);
    expect(formatMagnet(link)).toBe(`magnet:?xt=urn:btih:${V1}&xt=urn%3Aed2k%3Aabc`);
  });

  it('rejects bad links with a typed error and a one-line message', () => {
    const cases: [string, string, string][] = [
      ['http://example.com/?xt=urn:btih:' + V1, 'magnet/not-a-magnet', "not a magnet link (it must start with 'magnet:?')"],
      ['magnet:?dn=x', 'magnet/missing-xt', 'magnet link has no BitTorrent info hash (xt=urn:btih:… or xt=urn:btmh:…)'],
      ['magnet:?xt=urn:ed2k:abc', 'magnet/missing-xt', 'magnet link has no BitTorrent info hash (xt=urn:btih:… or xt=urn:btmh:…)'],
      ['magnet:?xt=urn:btih:abcd', 'magnet/bad-btih', 'magnet btih info hash must be 40 hex or 32 base32 characters, got 4 characters'],
      [`magnet:?xt=urn:btih:${'g'.repeat(40)}`, 'magnet/bad-btih', 'magnet btih info hash must be 40 hex or 32 base32 characters, got 40 characters'],
      [`magnet:?xt=urn:btih:${'1'.repeat(32)}`, 'magnet/bad-btih', 'magnet btih info hash must be 40 hex or 32 base32 characters, got 32 characters'],
      [`magnet:?xt=urn:btmh:1114${V2}`, 'magnet/bad-btmh', 'magnet btmh info hash must be a SHA-256 multihash: 1220 then 64 hex digits'],
      [`magnet:?xt=urn:btih:${V1}&xt=urn:btih:${'0'.repeat(40)}`, 'magnet/conflicting-xt', 'magnet link has two different info hashes of the same kind'],
      [`magnet:?xt=urn:btih:${V1}&dn=a&dn=b`, 'magnet/duplicate-param', 'magnet link has more than one dn (name)'],
      [`magnet:?xt=urn:btih:${V1}&tr=%zz`, 'magnet/bad-encoding', "magnet parameter '%zz' has a bad percent escape"],
      [`magnet:?xt=urn:btih:${V1}&so=3-1`, 'magnet/bad-select-only', "magnet so='3-1' is not a list like 0,2,4-6"],
      [`magnet:?xt=urn:btih:${V1}&so=1,,2`, 'magnet/bad-select-only', "magnet so='1,,2' is not a list like 0,2,4-6"],
      [`magnet:?xt=urn:btih:${V1}&x.pe=1.2.3.4`, 'magnet/bad-peer', "magnet x.pe peer '1.2.3.4' is not host:port or [ipv6]:port"],
      [`magnet:?xt=urn:btih:${V1}&x.pe=1.2.3.4:0`, 'magnet/bad-peer', "magnet x.pe peer '1.2.3.4:0' is not host:port or [ipv6]:port"],
      [`magnet:?xt=urn:btih:${V1}&x.pe=[zz]:1`, 'magnet/bad-peer', "magnet x.pe peer '[zz]:1' is not host:port or [ipv6]:port"],
    ];
    for (const [uri, code, message] of cases) expect(errorOf(() => parseMagnet(uri))).toEqual({ code, message });
  });

  it('bounds its input', () => {
    const long = `magnet:?xt=urn:btih:${V1}&dn=${'a'.repeat(MAX_MAGNET_LENGTH)}`;
    expect(errorOf(() => parseMagnet(long))).toEqual({
      code: 'magnet/too-long',
      message: `magnet link is ${long.length} characters; the limit is ${MAX_MAGNET_LENGTH}`,
    });
    const atLimit = `magnet:?xt=urn:btih:${V1}&dn=`;
    expect(parseMagnet(atLimit + 'a'.repeat(MAX_MAGNET_LENGTH - atLimit.length)).name?.length).toBe(MAX_MAGNET_LENGTH - atLimit.length);
  });

  it('throws nothing but MagnetError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.boolean(), (tail, prefixed) => {
        try {
          parseMagnet((prefixed ? 'magnet:?' : '') + tail);
        } catch (e) {
          expect(e).toBeInstanceOf(MagnetError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

const RESERVED = new Set(['xt', 'dn', 'tr', 'ws', 'xs', 'as', 'so', 'x.pe']);
const text = fc.string({ unit: 'grapheme', maxLength: 20 });
const hostname = fc.stringMatching(/^[A-Za-z0-9.-]{1,20}$/);
const peer = fc.record({ host: fc.oneof(fc.ipV4(), fc.ipV6(), hostname), port: fc.integer({ min: 1, max: 65535 }) });
const range = fc
  .tuple(fc.integer({ min: 0, max: 0x7fffffff }), fc.integer({ min: 0, max: 1000 }))
  .map(([first, span]) => ({ first, last: Math.min(0x7fffffff, first + span) }));
const extraKey = text.filter((k) => !RESERVED.has(k) && !/^xt\.[0-9]+$/.test(k));
const link: fc.Arbitrary<MagnetLink> = fc
  .record({
    infoHash: fc.option(fc.uint8Array({ minLength: 20, maxLength: 20 })),
    infoHashV2: fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 })),
    name: fc.option(text),
    trackers: fc.array(text, { maxLength: 4 }),
    webSeeds: fc.array(text, { maxLength: 3 }),
    exactSources: fc.array(text, { maxLength: 2 }),
    acceptableSources: fc.array(text, { maxLength: 2 }),
    selectOnly: fc.array(range, { maxLength: 4 }),
    peers: fc.array(peer, { maxLength: 4 }),
    extra: fc.array(fc.tuple(extraKey, text), { maxLength: 3 }),
  })
  .filter((l) => l.infoHash !== null || l.infoHashV2 !== null);

describe('formatMagnet', () => {
  it('round-trips: parseMagnet(formatMagnet(x)) equals x', () => {
    fc.assert(
      fc.property(link, (l) => {
        expect(parseMagnet(formatMagnet(l))).toEqual(l);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps every field of a parsed link: formatting is stable after one parse', () => {
    fc.assert(
      fc.property(link, (l) => {
        const once = formatMagnet(l);
        expect(formatMagnet(parseMagnet(once))).toBe(once);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses links it could not parse back', () => {
    expect(errorOf(() => formatMagnet(empty()))).toEqual({ code: 'magnet/missing-xt', message: 'a magnet link needs a v1 or v2 info hash' });
    expect(errorOf(() => formatMagnet(empty({ infoHash: new Uint8Array(19) })))).toEqual({
      code: 'magnet/bad-btih',
      message: 'a v1 info hash is 20 bytes',
    });
    expect(errorOf(() => formatMagnet(empty({ infoHash: new Uint8Array(20), name: 'a\ud800' })))).toEqual({
      code: 'magnet/bad-encoding',
      message: 'magnet value contains an unpaired UTF-16 surrogate',
    });
  });
});

describe('magnetFromMetainfo', () => {
  it('carries both hashes, the name, each tracker once in tier order, and the web seeds', () => {
    const uri = magnetFromMetainfo({
      infoHash: fromHex(V1),
      infoHashV2: fromHex(V2),
      name: 'My Folder',
      announce: [['udp://a:1', 'udp://b:2'], ['udp://a:1', 'https://c/announce']],
      urlList: ['https://seed/'],
    });
    expect(uri).toBe(
      `magnet:?xt=urn:btih:${V1}&xt=urn:btmh:1220${V2}&dn=My%20Folder&tr=udp%3A%2F%2Fa%3A1&tr=udp%3A%2F%2Fb%3A2` +
        '&tr=https%3A%2F%2Fc%2Fannounce&ws=https%3A%2F%2Fseed%2F',
    );
  });
});
