import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WireError } from '../../../src/core/wire/errors.js';
import {
  encodeExtendedHandshake,
  parseExtendedHandshake,
} from '../../../src/core/wire/extended-handshake.js';
import type { ExtendedHandshake } from '../../../src/core/wire/extended-handshake.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const ascii = (b: Uint8Array): string => new TextDecoder().decode(b);

function errorOf(fn: () => unknown): WireError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WireError);
    return error as WireError;
  }
  throw new Error('expected a WireError');
}

const name = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 });
const arbHandshake: fc.Arbitrary<ExtendedHandshake> = fc.record(
  {
    extensions: fc.uniqueArray(fc.tuple(name, fc.integer({ min: 0, max: 255 })), { selector: ([n]) => n, maxLength: 6 }).map((e) => new Map(e)),
    client: fc.string({ unit: 'grapheme', maxLength: 20 }),
    port: fc.integer({ min: 1, max: 65535 }),
    requestQueue: fc.integer({ min: 1, max: 1_000_000 }),
    metadataSize: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    yourIp: fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 })),
    ipv4: fc.uint8Array({ minLength: 4, maxLength: 4 }),
    ipv6: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    uploadOnly: fc.boolean(),
  },
  { requiredKeys: ['extensions'] },
);

describe('extended handshake', () => {
  it('parses what it encodes', () => {
    fc.assert(
      fc.property(arbHandshake, (handshake) => {
        expect(parseExtendedHandshake(encodeExtendedHandshake(handshake))).toEqual(handshake);
      }),
      { numRuns: 300 },
    );
  });

  it('encodes the canonical dictionary, keys sorted', () => {
    const payload = encodeExtendedHandshake({
      extensions: new Map([
        ['ut_pex', 2],
        ['ut_metadata', 1],
      ]),
      client: 'Sluice 0.1',
      port: 6881,
      requestQueue: 250,
      metadataSize: 31235,
      yourIp: new Uint8Array([127, 0, 0, 1]),
    });
    expect(ascii(payload)).toBe(
      'd1:md11:ut_metadatai1e6:ut_pexi2ee13:metadata_sizei31235e1:pi6881e4:reqqi250e1:v10:Sluice 0.16:yourip4:\x7f\x00\x00\x01e',
    );
  });

  it('reads a libtorrent-style handshake and keeps only the keys it knows', () => {
    const payload = text(
      'd12:complete_agoi-1e1:md11:lt_donthavei7e10:share_modei8e11:upload_onlyi3e12:ut_holepunchi4e' +
        '11:ut_metadatai2e6:ut_pexi1ee13:metadata_sizei5398e4:reqqi500e11:upload_onlyi1e1:v17:libtorrent 2.0.11' +
        '6:yourip4:\x0a\x00\x00\x02e',
    );
    expect(parseExtendedHandshake(payload)).toEqual({
      extensions: new Map([
        ['lt_donthave', 7],
        ['share_mode', 8],
        ['upload_only', 3],
        ['ut_holepunch', 4],
        ['ut_metadata', 2],
        ['ut_pex', 1],
      ]),
      client: 'libtorrent 2.0.11',
      metadataSize: 5398,
      requestQueue: 500,
      uploadOnly: true,
      yourIp: new Uint8Array([10, 0, 0, 2]),
    });
  });

  it('drops optional keys of the wrong type or range instead of failing', () => {
    const payload = text(
      'd4:ipv43:abc4:ipv62:xy1:md1:ai1e1:bi300e1:c1:x1:di-1ee13:metadata_sizei0e1:p4:68814:reqqi-5e1:vi5e6:yourip5:abcdee',
    );
    expect(parseExtendedHandshake(payload)).toEqual({ extensions: new Map([['a', 1]]) });
    expect(parseExtendedHandshake(text('de'))).toEqual({ extensions: new Map() });
    expect(parseExtendedHandshake(text('d1:mi3ee'))).toEqual({ extensions: new Map() });
  });

  it('treats "__proto__" as an ordinary extension name', () => {
    const handshake = { extensions: new Map([['__proto__', 5]]) };
    const payload = encodeExtendedHandshake(handshake);
    expect(ascii(payload)).toBe('d1:md9:__proto__i5eee');
    expect(parseExtendedHandshake(payload)).toEqual(handshake);
  });

  it('refuses a payload that is not one bencoded dictionary', () => {
    const list = errorOf(() => parseExtendedHandshake(text('li1ee')));
    expect([list.code, list.message]).toEqual([
      'wire/bad-extended-handshake',
      'extended handshake is a bencoded list, not a dictionary',
    ]);
    const truncated = errorOf(() => parseExtendedHandshake(text('d1:md')));
    expect(truncated.code).toBe('wire/bad-extended-handshake');
    expect(truncated.message.startsWith('extended handshake is not valid bencode: ')).toBe(true);
    expect(errorOf(() => parseExtendedHandshake(text('dee'))).code).toBe('wire/bad-extended-handshake');
    expect(errorOf(() => parseExtendedHandshake(new Uint8Array())).code).toBe('wire/bad-extended-handshake');
  });

  it('never throws anything but a WireError on random payloads', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string({ maxLength: 60 }).map((s) => text(`d1:m${s}`))), (payload) => {
        try {
          parseExtendedHandshake(payload);
        } catch (error) {
          expect(error).toBeInstanceOf(WireError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuses to encode values that do not fit their keys', () => {
    const none = new Map<string, number>();
    expect(errorOf(() => encodeExtendedHandshake({ extensions: new Map([['ut_pex', 256]]) })).message).toBe(
      'extension ut_pex has id 256, expected 0..255',
    );
    expect(errorOf(() => encodeExtendedHandshake({ extensions: none, port: 0 })).message).toBe('port must be in 1..65535, got 0');
    expect(errorOf(() => encodeExtendedHandshake({ extensions: none, requestQueue: 0 })).message).toBe('reqq must be positive, got 0');
    expect(errorOf(() => encodeExtendedHandshake({ extensions: none, metadataSize: 1.5 })).message).toBe(
      'metadata_size must be positive, got 1.5',
    );
    expect(errorOf(() => encodeExtendedHandshake({ extensions: none, yourIp: new Uint8Array(6) })).message).toBe(
      'yourip must be 4 or 16 bytes, got 6',
    );
    expect(errorOf(() => encodeExtendedHandshake({ extensions: none, ipv4: new Uint8Array(16) })).code).toBe('wire/invalid-field');
    expect(errorOf(() => encodeExtendedHandshake({ extensions: none, ipv6: new Uint8Array(4) })).code).toBe('wire/invalid-field');
  });
});
