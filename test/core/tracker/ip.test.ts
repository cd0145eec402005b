import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIp, formatIpv6, parseIp, parseIpv4, parseIpv6 } from '../../../src/core/tracker/ip.js';

const v6 = (text: string): Uint8Array => {
  const bytes = parseIpv6(text);
  if (bytes === null) throw new Error(`test address did not parse: ${text}`);
  return bytes;
};

describe('IP text', () => {
  it('formats IPv6 as RFC 5952 says', () => {
    expect(formatIpv6(v6('2001:0db8:0000:0000:0000:0000:0000:0001'))).toBe('2001:db8::1');
    expect(formatIpv6(v6('2001:db8:0:1:1:1:1:1'))).toBe('2001:db8:0:1:1:1:1:1'); // a single zero group stays
    expect(formatIpv6(v6('2001:0:0:1:0:0:0:1'))).toBe('2001:0:0:1::1'); // the longest run is compressed
    expect(formatIpv6(v6('2001:db8:0:0:1:0:0:1'))).toBe('2001:db8::1:0:0:1'); // the first of equal runs
    expect(formatIpv6(v6('::1'))).toBe('::1');
    expect(formatIpv6(v6('::'))).toBe('::');
    expect(formatIpv6(v6('FE80::ABCD'))).toBe('fe80::abcd');
    expect(formatIpv6(v6('::ffff:192.0.2.1'))).toBe('::ffff:192.0.2.1');
  });

  it('parses an embedded dotted quad into the last two groups', () => {
    expect(Array.from(v6('::ffff:1.2.3.4'))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]);
  });

  it('rejects text that is not an address', () => {
    for (const bad of ['', ':', ':::', '1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '12345::', 'g::', '1.2.3.4::', '::1.2.3']) {
      expect(parseIpv6(bad), bad).toBeNull();
    }
    for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', 'a.b.c.d', '1..2.3', '']) {
      expect(parseIpv4(bad), bad).toBeNull();
    }
    expect(parseIp('[::1]')).toEqual(v6('::1'));
    expect(formatIp(new Uint8Array(5))).toBeNull();
  });

  it('round-trips every 4- and 16-byte address through text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 })), (bytes) => {
        expect(parseIp(formatIp(bytes)!)).toEqual(bytes);
      }),
    );
  });

  it('round-trips sparse IPv6 addresses (many zero groups) through text', () => {
    const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
        const bytes = new Uint8Array(groups.flatMap((g) => [g >> 8, g & 255]));
        expect(parseIpv6(formatIpv6(bytes))).toEqual(bytes);
      }),
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.[]x'), maxLength: 50 }), (text) => {
        const parsed = parseIp(text);
        expect(parsed === null || parsed.length === 4 || parsed.length === 16).toBe(true);
      }),
    );
  });
});
