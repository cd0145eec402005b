import fc from 'fast-check';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { contentTypeFor, mediaKind, planRange, rangeResponseHead } from '../../../src/core/stream/http-range.js';

// range-parser is what Express and `send` use; a well-formed single range must be read as it reads it
// (range-parser is installed here as a dependency of the dev tools).
const rangeParser = createRequire(import.meta.url)('range-parser') as (size: number, header: string) => number | Array<{ start: number; end: number }>;

describe('planRange', () => {
  const size = 1000;
  it.each([
    ['bytes=0-499', 0, 500],
    ['bytes=500-', 500, 1000],
    ['bytes=-100', 900, 1000],
    ['bytes=0-1', 0, 2], // Safari's probe
    ['bytes=900-5000', 900, 1000], // last beyond the end is clamped
    ['bytes=-5000', 0, 1000], // suffix longer than the file is the whole file
    ['bytes=999-999', 999, 1000],
    ['bytes = 10 - 19', 10, 20],
    ['Bytes=10-19', 10, 20],
    ['bytes=2000-3000, 10-19', 10, 20], // several ranges: the first satisfiable one
    ['bytes=10-19,30-39', 10, 20],
  ])('%s -> 206 [%d, %d)', (header, start, end) => {
    expect(planRange(header, size)).toEqual({ kind: 'partial', start, end });
  });

  it.each(['bytes=1000-', 'bytes=1000-1001', 'bytes=-0', 'bytes=5000-6000, 2000-'])('%s -> 416', (header) => {
    expect(planRange(header, size)).toEqual({ kind: 'unsatisfiable' });
  });

  it.each([null, undefined, '', 'items=0-1', 'bytes=', 'bytes=abc', 'bytes=5-3', 'bytes=--1', `bytes=0-${'9'.repeat(2000)}`])(
    'ignores %s and serves the whole file',
    (header) => {
      expect(planRange(header, size)).toEqual({ kind: 'full', start: 0, end: size });
    },
  );

  it('an empty file has no satisfiable range', () => {
    expect(planRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(planRange('bytes=-10', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('agrees with range-parser on every single range', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1 << 30 }),
        fc.oneof(
          fc.tuple(fc.nat(2 ** 31), fc.nat(2 ** 31)).map(([a, b]) => `bytes=${Math.min(a, b)}-${Math.max(a, b)}`),
          fc.nat(2 ** 31).map((a) => `bytes=${a}-`),
          fc.integer({ min: 1, max: 2 ** 31 }).map((n) => `bytes=-${n}`),
        ),
        (size, header) => {
          // range-parser refuses a suffix longer than the file; RFC 9110 §14.1.2 serves the whole file (tested above).
          fc.pre(!(header.startsWith('bytes=-') && Number(header.slice(7)) > size));
          const ours = planRange(header, size);
          const theirs = rangeParser(size, header);
          if (theirs === -1) expect(ours.kind).toBe('unsatisfiable');
          else {
            expect(Array.isArray(theirs)).toBe(true);
            const [r] = theirs as Array<{ start: number; end: number }>;
            expect(ours).toEqual({ kind: 'partial', start: r!.start, end: r!.end + 1 });
          }
        },
      ),
    );
  });

  it('never plans a byte outside the file, whatever the header', () => {
    fc.assert(
      fc.property(fc.nat(2 ** 40), fc.string({ maxLength: 80 }), (size, tail) => {
        const plan = planRange(`bytes=${tail}`, size);
        if (plan.kind !== 'unsatisfiable') {
          expect(plan.start).toBeGreaterThanOrEqual(0);
          expect(plan.end).toBeLessThanOrEqual(size);
          expect(plan.start).toBeLessThan(plan.end === 0 ? 1 : plan.end + 1);
          if (plan.kind === 'partial') expect(plan.end).toBeGreaterThan(plan.start);
        }
      }),
    );
  });
});

describe('rangeResponseHead', () => {
  it('206 carries Content-Range and the range length', () => {
    expect(rangeResponseHead({ kind: 'partial', start: 10, end: 20 }, 1000, 'a.mp4')).toEqual({
      status: 206,
      headers: { 'Accept-Ranges': 'bytes', 'Content-Type': 'video/mp4', 'Cache-Control': 'no-store', 'Content-Length': '10', 'Content-Range': 'bytes 10-19/1000' },
    });
  });
  it('200 carries the whole length', () => {
    expect(rangeResponseHead({ kind: 'full', start: 0, end: 1000 }, 1000, 'a.webm').headers).toMatchObject({ 'Content-Length': '1000', 'Content-Type': 'video/webm' });
  });
  it('416 names the size', () => {
    const head = rangeResponseHead({ kind: 'unsatisfiable' }, 1000, 'x.bin');
    expect(head.status).toBe(416);
    expect(head.headers['Content-Range']).toBe('bytes */1000');
    expect(head.headers['Content-Type']).toBe('application/octet-stream');
  });
});

describe('contentTypeFor / mediaKind', () => {
  it.each([
    ['Film.MP4', 'video/mp4', 'video'],
    ['song.mp3', 'audio/mpeg', 'audio'],
    ['cover.jpg', 'image/jpeg', 'image'],
    ['page.html', 'text/plain; charset=utf-8', null],
    ['README', 'application/octet-stream', null],
    ['trailing.', 'application/octet-stream', null],
  ])('%s', (name, type, kind) => {
    expect(contentTypeFor(name)).toBe(type);
    expect(mediaKind(name)).toBe(kind);
  });
});
