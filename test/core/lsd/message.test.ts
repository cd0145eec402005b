import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeLsdAnnounce, LsdError, LSD_IPV4_GROUP, LSD_IPV6_GROUP, LSD_MAX_INFO_HASHES, parseLsdAnnounce } from '../../../src/core/lsd/message.js';
import { fromHex } from '../../../src/core/util/hex.js';

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const HASH = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';

function rejects(text: string | Uint8Array, code: string, message: string): void {
  let thrown: unknown;
  try {
    parseLsdAnnounce(typeof text === 'string' ? ascii(text) : text);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(LsdError);
  expect(thrown).toMatchObject({ code, message });
}

describe('LSD announce (BEP 14)', () => {
  it('writes the datagram libtorrent writes', () => {
    const bytes = encodeLsdAnnounce({ group: LSD_IPV4_GROUP, port: 6881, infoHash: fromHex(HASH)!, cookie: '5f1e' });
    expect(new TextDecoder().decode(bytes)).toBe(
      `BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 6881\r\nInfohash: ${HASH}\r\ncookie: 5f1e\r\n\r\n\r\n`,
    );
    expect(new TextDecoder().decode(encodeLsdAnnounce({ group: LSD_IPV6_GROUP, port: 1, infoHash: fromHex(HASH)! }))).toBe(
      `BT-SEARCH * HTTP/1.1\r\nHost: [ff15::efc0:988f]:6771\r\nPort: 1\r\nInfohash: ${HASH}\r\n\r\n\r\n`,
    );
  });

  it('reads any header case, bare LF line ends, several info hashes, and ignores unknown headers', () => {
    const other = 'ffffffffffffffffffffffffffffffffffffffff';
    const parsed = parseLsdAnnounce(ascii(`BT-SEARCH * HTTP/1.1\nHOST: 239.192.152.143:6771\nport:  51413\nX-Thing: y\ninfohash: ${HASH.toUpperCase()}\nInfoHash: ${other}\n\n`));
    expect(parsed.port).toBe(51413);
    expect(parsed.cookie).toBeNull();
    expect(parsed.infoHashes.map((h) => Buffer.from(h).toString('hex'))).toEqual([HASH, other]);
  });

  it('round-trips every port, hash and cookie', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.option(fc.stringMatching(/^[0-9a-z]{1,16}$/), { nil: undefined }), (port, infoHash, cookie) => {
        const parsed = parseLsdAnnounce(encodeLsdAnnounce({ group: LSD_IPV4_GROUP, port, infoHash, ...(cookie !== undefined ? { cookie } : {}) }));
        expect(parsed).toEqual({ port, infoHashes: [infoHash], cookie: cookie ?? null });
      }),
    );
  });

  it('rejects what is not an announce, each with its own one-line reason', () => {
    rejects(`GET / HTTP/1.1\r\nPort: 1\r\nInfohash: ${HASH}\r\n\r\n`, 'lsd/not-an-announce', 'LSD message does not start with "BT-SEARCH * HTTP/1.1"');
    rejects(`BT-SEARCH * HTTP/1.1\r\nInfohash: ${HASH}\r\n\r\n`, 'lsd/bad-port', 'LSD message has no Port header');
    rejects(`BT-SEARCH * HTTP/1.1\r\nPort: 0\r\nInfohash: ${HASH}\r\n\r\n`, 'lsd/bad-port', "LSD Port '0' is not a port number");
    rejects(`BT-SEARCH * HTTP/1.1\r\nPort: 70000\r\nInfohash: ${HASH}\r\n\r\n`, 'lsd/bad-port', "LSD Port '70000' is not a port number");
    rejects('BT-SEARCH * HTTP/1.1\r\nPort: 1\r\n\r\n', 'lsd/bad-info-hash', 'LSD message has no Infohash header');
    rejects('BT-SEARCH * HTTP/1.1\r\nPort: 1\r\nInfohash: 1234\r\n\r\n', 'lsd/bad-info-hash', "LSD Infohash '1234' is not 40 hex digits");
    rejects(`BT-SEARCH * HTTP/1.1\r\nPort: 1\r\nno colon here\r\n\r\n`, 'lsd/bad-header', 'LSD header line 2 has no "name: value" form');
    rejects(`BT-SEARCH * HTTP/1.1\r\nPort: 1\r\ncookie: ${'x'.repeat(65)}\r\nInfohash: ${HASH}\r\n\r\n`, 'lsd/bad-cookie', 'LSD cookie is longer than 64 characters');
    const many = Array.from({ length: LSD_MAX_INFO_HASHES + 1 }, () => `Infohash: ${HASH}\r\n`).join('');
    rejects(`BT-SEARCH * HTTP/1.1\r\nPort: 1\r\n${many}\r\n`, 'lsd/too-many-info-hashes', 'LSD message names more than 32 info hashes');
    rejects(new Uint8Array(4097), 'lsd/too-long', 'LSD message of 4097 bytes is over the 4096-byte limit');
  });

  it('never throws anything but an LsdError on random bytes or mangled announces', () => {
    const valid = encodeLsdAnnounce({ group: LSD_IPV4_GROUP, port: 6881, infoHash: fromHex(HASH)!, cookie: 'abc' });
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 5000 }),
      fc.tuple(fc.nat(valid.length), fc.uint8Array({ maxLength: 64 })).map(([at, junk]) => Uint8Array.from([...valid.subarray(0, at), ...junk, ...valid.subarray(at)])),
    );
    fc.assert(
      fc.property(input, (bytes) => {
        try {
          const parsed = parseLsdAnnounce(bytes);
          expect(parsed.infoHashes.length).toBeGreaterThan(0);
          expect(parsed.port).toBeGreaterThan(0);
        } catch (err) {
          expect(err).toBeInstanceOf(LsdError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
