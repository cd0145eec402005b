import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';
import { filePieces, parseMetainfo, pieceSize, pieceSlices, spaceSlices } from '../../../src/core/metainfo/index.js';
import type { Metainfo } from '../../../src/core/metainfo/model.js';
import { SluiceError } from '../../../src/core/errors.js';

const dir = new URL('../../fixtures/torrents/', import.meta.url);
const load = (name: string): Promise<Metainfo> => parseMetainfo(readFileSync(new URL(name, dir)), nodeHasher);
const FIXTURES = JSON.parse(readFileSync(new URL('hashes.json', dir), 'utf8')) as Record<string, unknown>;

const slices = (m: Metainfo, i: number) => pieceSlices(m, i).map((s) => [m.files[s.fileIndex]!.path.join('/'), s.fileOffset, s.length]);

describe('piece layout', () => {
  test('v1: pieces run across files; the last piece is short', async () => {
    const m = await load('mktorrent-multi.torrent');
    expect([0, 1, 2, 3].map((i) => pieceSize(m, i))).toEqual([32768, 32768, 32768, 10696]);
    expect(slices(m, 0)).toEqual([['a.txt', 0, 1000], ['c.bin', 0, 31768]]);
    expect(slices(m, 1)).toEqual([['c.bin', 31768, 1232], ['sub/b.bin', 0, 31536]]);
    expect(slices(m, 3)).toEqual([['sub/b.bin', 64304, 5696], ['sub/ünïcödé ✓.txt', 0, 5000]]);
    expect(m.files.map((_, i) => filePieces(m, i))).toEqual([
      { start: 0, end: 1 }, { start: 0, end: 2 }, { start: 1, end: 1 }, { start: 1, end: 4 }, { start: 3, end: 4 },
    ]);
  });

  test('hybrid: padding files fill every piece', async () => {
    const m = await load('libtorrent-hybrid.torrent');
    expect(pieceSize(m, 0)).toBe(16384);
    expect(pieceSize(m, 9)).toBe(16384);
    expect(slices(m, 0)).toEqual([['a.txt', 0, 1000], ['.pad/15384', 0, 15384]]);
    expect(slices(m, 3)).toEqual([['c.bin', 32768, 232], ['.pad/16152', 0, 16152]]);
  });

  test('v2-only: a piece ends with its file', async () => {
    const m = await load('libtorrent-v2.torrent');
    expect(Array.from({ length: m.pieceCount }, (_, i) => pieceSize(m, i))).toEqual([1000, 16384, 16384, 232, 16384, 16384, 16384, 16384, 4464, 5000]);
    expect(slices(m, 3)).toEqual([['c.bin', 32768, 232]]);
    expect(slices(m, 9)).toEqual([['sub/ünïcödé ✓.txt', 0, 5000]]);
    expect(filePieces(m, 3)).toEqual({ start: 4, end: 9 });
    expect(spaceSlices(m, 1000, 15384)).toEqual([]);
  });

  test.each(Object.keys(FIXTURES))('%s: the pieces cover every file exactly once, in order', async (name) => {
    const m = await load(name);
    const seen = m.files.map(() => 0);
    let total = 0;
    for (let i = 0; i < m.pieceCount; i++) {
      total += pieceSize(m, i);
      let at = i * m.pieceLength;
      for (const s of pieceSlices(m, i)) {
        expect(s.spaceOffset).toBe(m.files[s.fileIndex]!.offset + s.fileOffset);
        expect(s.spaceOffset).toBeGreaterThanOrEqual(at);
        at = s.spaceOffset + s.length;
        expect(s.fileOffset).toBe(seen[s.fileIndex]);
        seen[s.fileIndex]! += s.length;
        const range = filePieces(m, s.fileIndex);
        expect(i >= range.start && i < range.end).toBe(true);
      }
    }
    expect(seen).toEqual(m.files.map((f) => f.length));
    expect(total).toBe(m.version === 'v2' ? m.length : m.pieceSpaceLength);
  });

  test('out-of-range indices are typed errors', async () => {
    const m = await load('mktorrent-single.torrent');
    expect(() => pieceSize(m, 2)).toThrow(SluiceError);
    expect(() => pieceSize(m, -1)).toThrow('piece -1 is outside 0..1');
    expect(() => filePieces(m, 1)).toThrow('file 1 is outside 0..0');
  });
});
