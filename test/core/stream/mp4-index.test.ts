import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mp4IndexLocation } from '../../../src/core/stream/mp4-index.js';
import { concatBytes } from '../../../src/core/util/bytes.js';

/** A box header: 32-bit size (or 1 and a 64-bit size when `large`) and its type, followed by `body` zero bytes. */
function box(type: string, size: number, { large = false, body = 0 } = {}): Uint8Array {
  const header = large ? 16 : 8;
  const out = new Uint8Array(header + body);
  const view = new DataView(out.buffer);
  if (large) {
    view.setUint32(0, 1);
    view.setUint32(8, Math.floor(size / 2 ** 32));
    view.setUint32(12, size % 2 ** 32);
  } else view.setUint32(0, size);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  return out;
}

const concat = (...parts: Uint8Array[]) => concatBytes(parts);

describe('mp4IndexLocation', () => {
  // The layouts ffmpeg writes (the bench's 200 MB files: ftyp 32, free 8, mdat, then moov 14 223 bytes).
  const length = 201_622_845;
  it('moov after mdat (ffmpeg default): the index is everything after mdat', () => {
    const head = concat(box('ftyp', 32, { body: 24 }), box('free', 8), box('mdat', 201_608_582, { body: 1000 }));
    expect(mp4IndexLocation(head, length)).toEqual({ kind: 'after', start: 201_608_622 });
  });

  it('faststart (moov before mdat): nothing at the end is needed', () => {
    const head = concat(box('ftyp', 32, { body: 24 }), box('moov', 14_223, { body: 100 }));
    expect(mp4IndexLocation(head, length)).toEqual({ kind: 'front' });
  });

  it('a fragmented MP4 (moof first after ftyp/styp) needs nothing at the end', () => {
    const head = concat(box('styp', 24, { body: 16 }), box('moof', 500, { body: 10 }));
    expect(mp4IndexLocation(head, 10_000)).toEqual({ kind: 'front' });
  });

  it('an old QuickTime file opening with mdat (no ftyp): the index follows it', () => {
    expect(mp4IndexLocation(concat(box('wide', 8), box('mdat', 5000)), 9000)).toEqual({ kind: 'after', start: 5008 });
  });

  it('reads a 64-bit mdat size (a file over 4 GiB)', () => {
    const big = 5 * 2 ** 32 + 123;
    const head = concat(box('ftyp', 32, { body: 24 }), box('mdat', big, { large: true }));
    expect(mp4IndexLocation(head, 32 + big + 50_000)).toEqual({ kind: 'after', start: 32 + big });
  });

  it.each([
    ['an mdat that runs to the end (size 0)', concat(box('ftyp', 16, { body: 8 }), box('mdat', 0)), 1_000_000],
    ['an mdat that ends exactly at the end of the file', concat(box('ftyp', 16, { body: 8 }), box('mdat', 999_984)), 1_000_000],
    ['an mdat longer than the file', concat(box('ftyp', 16, { body: 8 }), box('mdat', 2_000_000)), 1_000_000],
    ['a box smaller than its header', concat(box('ftyp', 16, { body: 8 }), box('free', 4)), 1_000_000],
    ['a first box no MP4 opens with', concat(box('abcd', 500), box('moov', 100)), 1_000_000],
    ['a box type that is not text', concat(box('ftyp', 16, { body: 8 }), box('\u0000\u0001ab', 16)), 1_000_000],
    ['a head that ends before mdat or moov', box('ftyp', 32, { body: 24 }), 1_000_000],
    ['a 64-bit size cut off by the end of the head', concat(box('ftyp', 16, { body: 8 }), box('mdat', 0).subarray(0, 8)).map((b, i) => (i === 16 + 3 ? 1 : b)), 1_000_000],
    ['an empty head', new Uint8Array(0), 1_000_000],
  ])('%s: unknown', (_, head, fileLength) => {
    expect(mp4IndexLocation(head, fileLength)).toEqual({ kind: 'unknown' });
  });

  it('reads a head given as a view into a larger buffer', () => {
    const bytes = concat(new Uint8Array(100), box('ftyp', 32, { body: 24 }), box('mdat', 5000));
    expect(mp4IndexLocation(bytes.subarray(100), 10_000)).toEqual({ kind: 'after', start: 5032 });
  });

  it('never throws, and any index it names lies inside the file', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), fc.integer({ min: 0, max: 2 ** 40 }), (head, fileLength) => {
        const where = mp4IndexLocation(head, fileLength);
        if (where.kind === 'after') {
          expect(where.start).toBeGreaterThan(0);
          expect(where.start).toBeLessThan(fileLength);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('never throws on box-shaped input either (sizes and types chosen to hit every branch)', () => {
    const anyBox = fc.record({ type: fc.constantFrom('ftyp', 'styp', 'free', 'mdat', 'moov', 'moof', 'wide', 'x\u0000yz'), size: fc.oneof(fc.constantFrom(0, 1, 7, 8, 16), fc.integer({ min: 0, max: 2 ** 32 - 1 })), large: fc.boolean() });
    fc.assert(
      fc.property(fc.array(anyBox, { maxLength: 8 }), fc.integer({ min: 0, max: 2 ** 34 }), (boxes, fileLength) => {
        const head = concat(...boxes.map((b) => box(b.type, b.size, { large: b.large })));
        const where = mp4IndexLocation(head, fileLength);
        if (where.kind === 'after') expect(where.start).toBeLessThan(fileLength);
      }),
      { numRuns: 5000 },
    );
  });
});
