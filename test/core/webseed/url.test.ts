import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodePathSegment, isWebSeedUrl, webSeedFileUrl } from '../../../src/core/webseed/index.js';
import { buildLayout } from './layouts.js';

const single = buildLayout('v1', 16384, [{ path: ['My File (1).mkv'], length: 10 }], { name: 'My File (1).mkv', singleFile: true });
const multi = buildLayout(
  'v1',
  16384,
  [
    { path: ['a b', 'ünïcödé ✓.txt'], length: 10 },
    { path: ['x+y&z?#%.bin'], length: 10 },
  ],
  { name: 'My Album' },
);

describe('webSeedFileUrl (BEP 19)', () => {
  it('single-file torrent: a URL not ending in / is the file itself', () => {
    expect(webSeedFileUrl('http://seed.example/any/name.mkv', single, 0)).toBe('http://seed.example/any/name.mkv');
  });

  it('single-file torrent: a URL ending in / gets the file name, percent-encoded', () => {
    expect(webSeedFileUrl('https://seed.example/pub/', single, 0)).toBe('https://seed.example/pub/My%20File%20%281%29.mkv');
  });

  it('multi-file torrent: URL + name + path, each segment percent-encoded as UTF-8', () => {
    expect(webSeedFileUrl('http://seed.example/pub/', multi, 0)).toBe(
      'http://seed.example/pub/My%20Album/a%20b/%C3%BCn%C3%AFc%C3%B6d%C3%A9%20%E2%9C%93.txt',
    );
    expect(webSeedFileUrl('http://seed.example/pub/', multi, 1)).toBe('http://seed.example/pub/My%20Album/x%2By%26z%3F%23%25.bin');
  });

  it('multi-file torrent: a missing trailing slash is added', () => {
    expect(webSeedFileUrl('http://seed.example/pub', multi, 1)).toBe('http://seed.example/pub/My%20Album/x%2By%26z%3F%23%25.bin');
    expect(webSeedFileUrl('http://seed.example', multi, 1)).toBe('http://seed.example/My%20Album/x%2By%26z%3F%23%25.bin');
  });

  it('keeps a query string at the end and drops a fragment', () => {
    expect(webSeedFileUrl('http://seed.example/pub/?sig=a%2Fb&e=1#frag', multi, 1)).toBe(
      'http://seed.example/pub/My%20Album/x%2By%26z%3F%23%25.bin?sig=a%2Fb&e=1',
    );
    expect(webSeedFileUrl('http://seed.example/f.mkv?token=1', single, 0)).toBe('http://seed.example/f.mkv?token=1');
    expect(webSeedFileUrl('http://seed.example/pub/?token=1', single, 0)).toBe('http://seed.example/pub/My%20File%20%281%29.mkv?token=1');
  });

  it('refuses what is not an http(s) URL', () => {
    for (const bad of ['', 'ftp://seed.example/', 'http:///path', 'http://', 'javascript:alert(1)', 'http://seed.example/a b', 'http://seed.example/\n', `http://seed.example/${'a'.repeat(5000)}`]) {
      expect(isWebSeedUrl(bad), JSON.stringify(bad.slice(0, 40))).toBe(false);
      expect(() => webSeedFileUrl(bad, single, 0)).toThrow(expect.objectContaining({ code: 'webseed/bad-url' }));
    }
    expect(isWebSeedUrl('HTTPS://[::1]:8080/x/')).toBe(true);
    expect(isWebSeedUrl('http://127.0.0.1:8080')).toBe(true);
  });
});

describe('encodePathSegment', () => {
  it('keeps only RFC 3986 unreserved characters', () => {
    expect(encodePathSegment("AZaz09-._~!*'()/ ")).toBe('AZaz09-._~%21%2A%27%28%29%2F%20');
  });

  it('turns a lone surrogate into U+FFFD rather than throwing', () => {
    expect(encodePathSegment('a\uD800b')).toBe('a%EF%BF%BDb');
  });

  it('decodes back to the segment, for any well-formed string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (s) => {
        const encoded = encodePathSegment(s);
        expect(encoded).toMatch(/^[A-Za-z0-9\-._~%]*$/);
        expect(decodeURIComponent(encoded)).toBe(s);
      }),
    );
  });
});
