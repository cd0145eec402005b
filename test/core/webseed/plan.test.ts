import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pieceSize } from '../../../src/core/metainfo/layout.js';
import { blockRuns, rangeHeader, WebSeedPlanner, type RangePlan, type WebSeedLayout } from '../../../src/core/webseed/index.js';
import { buildLayout, fixture, type FileSpec } from './layouts.js';

const BASE = 'http://seed.example/pub/';

/** The plan without URLs, as [fileIndex, first, last, bufferOffset] rows. */
function rows(plan: RangePlan): number[][] {
  return plan.requests.map((r) => [r.fileIndex, r.first, r.last, r.bufferOffset]);
}

function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    const e = error as { code: string; message: string };
    return { code: e.code, message: e.message };
  }
  throw new Error('expected a throw');
}

describe('WebSeedPlanner', () => {
  it('single-file torrent: the URL is the file, one request per piece', () => {
    const layout = buildLayout('v1', 32768, [{ path: ['sample.bin'], length: 40000 }], { name: 'sample.bin', singleFile: true });
    const planner = new WebSeedPlanner('http://seed.example/files/sample.bin', layout);
    const p0 = planner.piece(0);
    const p1 = planner.piece(1);
    expect(p0.requests).toEqual([
      { url: 'http://seed.example/files/sample.bin', fileIndex: 0, first: 0, last: 32767, length: 32768, fileLength: 40000, bufferOffset: 0 },
    ]);
    expect(rangeHeader(p0.requests[0]!)).toBe('bytes=0-32767');
    expect([p1.length, rows(p1)]).toEqual([7232, [[0, 32768, 39999, 0]]]);
    expect(rangeHeader(p1.requests[0]!)).toBe('bytes=32768-39999');
  });

  it('multi-file torrent: a piece spanning three files is three requests, each at its place in the piece', () => {
    const layout = buildLayout('v1', 16384, [
      { path: ['a.txt'], length: 1000 },
      { path: ['b.txt'], length: 500 },
      { path: ['sub', 'c.bin'], length: 40000 },
    ]);
    const planner = new WebSeedPlanner(BASE, layout);
    const p0 = planner.piece(0);
    expect(rows(p0)).toEqual([
      [0, 0, 999, 0],
      [1, 0, 499, 1000],
      [2, 0, 14883, 1500],
    ]);
    expect(p0.requests.map((r) => r.url)).toEqual([
      'http://seed.example/pub/album/a.txt',
      'http://seed.example/pub/album/b.txt',
      'http://seed.example/pub/album/sub/c.bin',
    ]);
    expect(rows(planner.piece(1))).toEqual([[2, 14884, 31267, 0]]);
    expect([planner.piece(2).length, rows(planner.piece(2))]).toEqual([41500 - 32768, [[2, 31268, 39999, 0]]]);
  });

  it('padding files (BEP 47, real libtorrent torrent) are never requested: their bytes stay zero', async () => {
    const m = await fixture('libtorrent-v1-padded');
    const planner = new WebSeedPlanner('http://127.0.0.1:8080/seed/', m);
    // a.txt (1000) + .pad (15384) | c.bin (33000) + .pad (16152) | empty | b.bin (70000) + .pad | ünïcödé (5000) + .pad
    expect([planner.piece(0).length, rows(planner.piece(0))]).toEqual([16384, [[0, 0, 999, 0]]]);
    expect(rows(planner.piece(1))).toEqual([[2, 0, 16383, 0]]);
    expect(rows(planner.piece(3))).toEqual([[2, 32768, 32999, 0]]);
    expect(rows(planner.piece(4))).toEqual([[5, 0, 16383, 0]]);
    const last = planner.piece(9);
    expect([last.length, rows(last)]).toEqual([16384, [[7, 0, 4999, 0]]]);
    expect(last.requests[0]!.url).toBe('http://127.0.0.1:8080/seed/album/sub/%C3%BCn%C3%AFc%C3%B6d%C3%A9%20%E2%9C%93.txt');
    for (let i = 0; i < m.pieceCount; i++) {
      for (const r of planner.piece(i).requests) expect(m.files[r.fileIndex]!.padding, `piece ${i}`).toBe(false);
    }
  });

  it('v2 alignment gaps (real libtorrent v2 torrent): a piece ends with its file, a range over a gap skips it', async () => {
    const m = await fixture('libtorrent-v2');
    const planner = new WebSeedPlanner('http://127.0.0.1:8080/seed/', m);
    // a.txt 1000 @0 | c.bin 33000 @16384 | empty.txt @65536 | b.bin 70000 @65536 | ünïcödé 5000 @147456
    expect([planner.piece(0).length, rows(planner.piece(0))]).toEqual([1000, [[0, 0, 999, 0]]]);
    expect([planner.piece(3).length, rows(planner.piece(3))]).toEqual([232, [[1, 32768, 32999, 0]]]);
    expect(rows(planner.piece(4))).toEqual([[3, 0, 16383, 0]]);
    expect([planner.piece(9).length, rows(planner.piece(9))]).toEqual([5000, [[4, 0, 4999, 0]]]);
    const overGap = planner.range(3 * 16384, 2 * 16384);
    expect(rows(overGap)).toEqual([
      [1, 32768, 32999, 0],
      [3, 0, 16383, 16384],
    ]);
  });

  it('refuses pieces and ranges outside the torrent with webseed/bad-request', () => {
    const layout = buildLayout('v1', 16384, [{ path: ['a'], length: 20000 }]);
    const planner = new WebSeedPlanner(BASE, layout);
    expect(errorOf(() => planner.piece(2))).toEqual({ code: 'webseed/bad-request', message: 'piece 2 is outside 0..1' });
    expect(errorOf(() => planner.piece(-1)).code).toBe('webseed/bad-request');
    expect(errorOf(() => planner.piece(0.5)).code).toBe('webseed/bad-request');
    expect(errorOf(() => planner.range(19999, 2))).toEqual({
      code: 'webseed/bad-request',
      message: "range of 2 bytes at 19999 is outside the torrent's 20000 bytes",
    });
    expect(errorOf(() => planner.range(-1, 1)).code).toBe('webseed/bad-request');
  });

  it('refuses a URL that is not http(s) when it is created', () => {
    const layout = buildLayout('v1', 16384, [{ path: ['a'], length: 1 }]);
    expect(errorOf(() => new WebSeedPlanner('ftp://seed.example/', layout))).toEqual({
      code: 'webseed/bad-url',
      message: 'web seed URL is not a usable http(s) URL: ftp://seed.example/',
    });
  });
});

describe('blockRuns', () => {
  const layout = buildLayout('v1', 32768, [
    { path: ['a'], length: 50000 },
    { path: ['b'], length: 50000 },
  ]);

  it('joins back-to-back blocks, across pieces and in any order, remembering where each block sits', () => {
    const blocks = [
      { piece: 1, begin: 0, length: 16384 },
      { piece: 0, begin: 16384, length: 16384 },
      { piece: 0, begin: 0, length: 16384 },
    ];
    expect(blockRuns(layout, blocks)).toEqual([
      {
        spaceOffset: 0,
        length: 49152,
        parts: [
          { block: 2, offset: 0 },
          { block: 1, offset: 16384 },
          { block: 0, offset: 32768 },
        ],
      },
    ]);
  });

  it('splits at holes, and between v2 pieces separated by an alignment gap', async () => {
    expect(blockRuns(layout, [{ piece: 0, begin: 0, length: 16384 }, { piece: 1, begin: 0, length: 16384 }]).map((r) => [r.spaceOffset, r.length])).toEqual([
      [0, 16384],
      [32768, 16384],
    ]);
    const v2 = await fixture('libtorrent-v2');
    const runs = blockRuns(v2, [{ piece: 3, begin: 0, length: 232 }, { piece: 4, begin: 0, length: 16384 }]);
    expect(runs.map((r) => [r.spaceOffset, r.length])).toEqual([
      [49152, 232],
      [65536, 16384],
    ]);
  });

  it('refuses a block that is not inside its piece', () => {
    expect(errorOf(() => blockRuns(layout, [{ piece: 3, begin: 0, length: 16384 }]))).toEqual({
      code: 'webseed/bad-request',
      message: 'block 3:0+16384 is not inside the torrent',
    });
    expect(errorOf(() => blockRuns(layout, [{ piece: 3, begin: 1, length: 3424 }])).code).toBe('webseed/bad-request');
    expect(errorOf(() => blockRuns(layout, [{ piece: 0, begin: 0, length: 0 }])).code).toBe('webseed/bad-request');
  });
});

// ---- properties -------------------------------------------------------------------------------

const fileSpec = fc.record({
  length: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40000 })),
  padding: fc.boolean(),
});
const layoutArb = fc
  .record({
    version: fc.constantFrom('v1' as const, 'v2' as const),
    pieceLength: fc.constantFrom(16384, 32768),
    files: fc.array(fileSpec, { minLength: 1, maxLength: 8 }),
  })
  .map(({ version, pieceLength, files }) => {
    // v2 has no padding files (its gaps are implicit); give every torrent at least one byte.
    const specs: FileSpec[] = files.map((f, i) => ({ path: [`f${i}`], length: f.length, padding: version === 'v1' && f.padding }));
    if (!specs.some((s) => s.length > 0 && !s.padding)) specs.push({ path: ['last'], length: 1 });
    return buildLayout(version, pieceLength, specs);
  });

/** Which bytes of piece space hold data of a non-padding file (what must be fetched). */
function dataMask(layout: WebSeedLayout): Uint8Array {
  const mask = new Uint8Array(layout.pieceSpaceLength);
  for (const f of layout.files) if (!f.padding) mask.fill(1, f.offset, f.offset + f.length);
  return mask;
}

describe('planning properties', () => {
  it('the requests of a piece cover exactly its non-padding bytes, each from the right place of the right file', () => {
    fc.assert(
      fc.property(layoutArb, (layout) => {
        const planner = new WebSeedPlanner(BASE, layout);
        const mask = dataMask(layout);
        for (let i = 0; i < layout.pieceCount; i++) {
          const start = i * layout.pieceLength;
          const plan = planner.piece(i);
          expect(plan.length).toBe(pieceSize(layout, i));
          const covered = new Uint8Array(plan.length);
          for (const r of plan.requests) {
            const file = layout.files[r.fileIndex]!;
            // The request's first byte sits where the file's byte `first` sits in piece space.
            const sound = !file.padding && r.length === r.last - r.first + 1 && r.last < file.length && file.offset + r.first === start + r.bufferOffset;
            expect(sound, `piece ${i}: ${JSON.stringify(r)}`).toBe(true);
            for (let k = r.bufferOffset; k <= r.bufferOffset + r.length - 1; k++) covered[k]! += 1;
          }
          // Compared by hand: a deep toEqual on arrays this size dominates the run time.
          const wanted = mask.subarray(start, start + plan.length);
          const firstDiff = covered.findIndex((c, k) => c !== wanted[k]);
          expect(firstDiff, `piece ${i}: byte covered ${covered[firstDiff]} times, wanted ${wanted[firstDiff]}`).toBe(-1);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('block runs hold every block once, in maximal contiguous runs', () => {
    fc.assert(
      fc.property(layoutArb, fc.infiniteStream(fc.boolean()), fc.infiniteStream(fc.nat()), (layout, keep, order) => {
        const blocks = [];
        for (let p = 0; p < layout.pieceCount; p++) {
          const size = pieceSize(layout, p);
          for (let begin = 0; begin < size; begin += 16384) {
            if (keep.next().value) blocks.push({ piece: p, begin, length: Math.min(16384, size - begin) });
          }
        }
        const shuffled = blocks.map((b) => ({ b, key: order.next().value })).sort((x, y) => x.key - y.key).map((x) => x.b);
        const runs = blockRuns(layout, shuffled);
        const seen = new Set<number>();
        for (const [i, run] of runs.entries()) {
          let at = 0;
          for (const part of run.parts) {
            const b = shuffled[part.block]!;
            expect(part.offset).toBe(at);
            expect(b.piece * layout.pieceLength + b.begin).toBe(run.spaceOffset + part.offset);
            at += b.length;
            seen.add(part.block);
          }
          expect(at).toBe(run.length);
          const next = runs[i + 1];
          if (next) expect(next.spaceOffset).toBeGreaterThan(run.spaceOffset + run.length);
        }
        expect(seen.size).toBe(shuffled.length);
      }),
      { numRuns: 100 },
    );
  });
});
