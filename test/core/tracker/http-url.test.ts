import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnnounceRequest } from '../../../src/core/ports/tracker.js';
import { buildAnnounceUrl, buildScrapeUrl, percentEncodeBytes, scrapeUrlFor } from '../../../src/core/tracker/http-url.js';
import { TrackerError } from '../../../src/core/tracker/errors.js';

const request: AnnounceRequest = {
  infoHash: Uint8Array.from({ length: 20 }, (_, i) => i * 13),
  peerId: new TextEncoder().encode('-SL0001-abcdefghij~.'),
  port: 6881,
  uploaded: 1,
  downloaded: 2,
  left: 3,
};

/** Inverse of percent-encoding, byte-wise (decodeURIComponent insists on UTF-8). */
function unescapeBytes(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%') {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(text.charCodeAt(i));
  }
  return Uint8Array.from(out);
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof TrackerError) return e.code;
    throw e;
  }
  return 'no error';
}

describe('HTTP tracker URLs', () => {
  it('builds the announce query with raw bytes percent-encoded and compact=1', () => {
    const url = buildAnnounceUrl('http://tracker.example:6969/announce', { ...request, event: 'started', numWant: 80, key: 0xbeef, trackerId: 'ab\u00ff' });
    expect(url).toBe(
      'http://tracker.example:6969/announce?info_hash=%00%0D%1A%274AN%5Bhu%82%8F%9C%A9%B6%C3%D0%DD%EA%F7' +
        '&peer_id=-SL0001-abcdefghij~.&port=6881&uploaded=1&downloaded=2&left=3&compact=1' +
        '&event=started&numwant=80&key=0000BEEF&trackerid=ab%FF',
    );
  });

  it('keeps the query the announce URL already has, and drops its fragment', () => {
    expect(buildAnnounceUrl('https://t.example/a/announce?passkey=s3cr%2Ft#frag', request)).toMatch(
      /^https:\/\/t\.example\/a\/announce\?passkey=s3cr%2Ft&info_hash=/,
    );
    expect(buildAnnounceUrl('http://t.example/announce?', request)).toMatch(/^http:\/\/t\.example\/announce\?info_hash=/);
    expect(buildAnnounceUrl('http://t.example/announce?a=1&', request)).toMatch(/^http:\/\/t\.example\/announce\?a=1&info_hash=/);
  });

  it('percent-encodes any bytes reversibly, leaving only unreserved characters bare', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = percentEncodeBytes(bytes);
        expect(text).toMatch(/^([A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/);
        expect(unescapeBytes(text)).toEqual(bytes);
      }),
    );
  });

  it('derives scrape URLs as BEP 48 shows', () => {
    const cases: [string, string | null][] = [
      ['http://example.com/announce', 'http://example.com/scrape'],
      ['http://example.com/x/announce', 'http://example.com/x/scrape'],
      ['http://example.com/announce.php', 'http://example.com/scrape.php'],
      ['http://example.com/a', null],
      ['http://example.com/announce?x2%0644', 'http://example.com/scrape?x2%0644'],
      ['http://example.com/announce?x=2/4', 'http://example.com/scrape?x=2/4'],
      ['http://example.com/x%064announce', null],
      ['http://example.com', null],
      ['http://example.com/', null],
    ];
    for (const [announce, scrape] of cases) expect(scrapeUrlFor(announce), announce).toBe(scrape);
  });

  it('builds a scrape query with one info_hash per hash', () => {
    const a = new Uint8Array(20).fill(0xff);
    const b = new Uint8Array(20).fill(0x41);
    expect(buildScrapeUrl('http://t.example/scrape?k=v', [a, b])).toBe(
      `http://t.example/scrape?k=v&info_hash=${'%FF'.repeat(20)}&info_hash=${'A'.repeat(20)}`,
    );
  });

  it('rejects bad URLs and bad requests with typed errors', () => {
    expect(code(() => buildAnnounceUrl('udp://t.example:80', request))).toBe('tracker/bad-url');
    expect(code(() => buildAnnounceUrl('http://t.example/ann ounce', request))).toBe('tracker/bad-url');
    expect(code(() => buildAnnounceUrl(`http://t.example/${'a'.repeat(5000)}`, request))).toBe('tracker/bad-url');
    expect(code(() => scrapeUrlFor('ftp://x/announce'))).toBe('tracker/bad-url');
    expect(code(() => buildAnnounceUrl('http://t/announce', { ...request, infoHash: new Uint8Array(32) }))).toBe('tracker/bad-request');
    expect(code(() => buildAnnounceUrl('http://t/announce', { ...request, uploaded: -1 }))).toBe('tracker/bad-request');
    expect(code(() => buildAnnounceUrl('http://t/announce', { ...request, left: 1.5 }))).toBe('tracker/bad-request');
    expect(code(() => buildAnnounceUrl('http://t/announce', { ...request, key: 2 ** 32 }))).toBe('tracker/bad-request');
    expect(code(() => buildScrapeUrl('http://t/scrape', []))).toBe('tracker/bad-request');
    expect(code(() => buildScrapeUrl('http://t/scrape', Array.from({ length: 75 }, () => new Uint8Array(20))))).toBe('tracker/bad-request');
  });
});
