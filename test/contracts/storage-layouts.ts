import type { MetainfoVersion, TorrentFile } from '../../src/core/metainfo/model.js';
import type { StorageLayout } from '../../src/core/ports/storage.js';

/** A layout with known content: `space` holds every byte of piece space (zeros in padding and gaps). */
export interface StorageFixture {
  readonly layout: StorageLayout;
  readonly space: Uint8Array;
  /** Expected size of each piece, worked out byte by byte (independently of src/core/metainfo/layout.ts). */
  readonly sizes: readonly number[];
}

export interface FixtureFile {
  readonly path: readonly string[];
  readonly length: number;
  readonly padding?: boolean;
}

export const FIXTURE_ID = '0123456789abcdef0123456789abcdef01234567';

/**
 * v1 and hybrid files follow each other; v2 starts every non-empty file on a piece boundary and leaves
 * the gap implicit, as src/core/metainfo/model.ts describes.
 */
export function makeFixture(
  name: string,
  version: MetainfoVersion,
  pieceLength: number,
  fileList: readonly FixtureFile[],
  singleFile = false,
  seed = 1,
): StorageFixture {
  let end = 0;
  const files: TorrentFile[] = fileList.map((f) => {
    const offset = version === 'v2' && f.length > 0 ? Math.ceil(end / pieceLength) * pieceLength : end;
    if (f.length > 0) end = offset + f.length;
    return { path: f.path, length: f.length, offset, padding: f.padding ?? false, attributes: f.padding ? 'p' : '' };
  });
  const pieceSpaceLength = end;
  const pieceCount = Math.ceil(pieceSpaceLength / pieceLength);
  const space = new Uint8Array(pieceSpaceLength);
  const owned = new Uint8Array(pieceSpaceLength);
  let state = seed >>> 0 || 1;
  for (const f of files) {
    for (let i = f.offset; i < f.offset + f.length; i++) {
      owned[i] = 1;
      // xorshift32: content that differs at every offset, so a misplaced byte shows.
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      if (!f.padding) space[i] = (state & 0xff) | 1;
    }
  }
  const sizes: number[] = [];
  for (let p = 0; p < pieceCount; p++) {
    const start = p * pieceLength;
    let last = Math.min(start + pieceLength, pieceSpaceLength) - 1;
    while (last >= start && owned[last] === 0) last--;
    sizes.push(last + 1 - start);
  }
  const layout: StorageLayout = { name, singleFile, version, pieceLength, pieceCount, pieceSpaceLength, files };
  return { layout, space, sizes };
}

export function pieceBytes(fixture: StorageFixture, index: number): Uint8Array {
  const start = index * fixture.layout.pieceLength;
  return fixture.space.slice(start, start + fixture.sizes[index]!);
}

export function fileBytes(fixture: StorageFixture, fileIndex: number): Uint8Array {
  const f = fixture.layout.files[fileIndex]!;
  return fixture.space.slice(f.offset, f.offset + f.length);
}

/** Pieces span files; two empty files, one at the root and one in a folder. */
export function multiFixture(): StorageFixture {
  return makeFixture('multi', 'v1', 16, [
    { path: ['a.bin'], length: 10 },
    { path: ['empty.txt'], length: 0 },
    { path: ['dir', 'b.bin'], length: 37 },
    { path: ['dir', 'sub', 'c.bin'], length: 5 },
    { path: ['dir', 'e.txt'], length: 0 },
    { path: ['d.bin'], length: 20 },
  ]);
}

export const MULTI = { a: 0, empty: 1, b: 2, c: 3, emptyInDir: 4, d: 5 } as const;

export function singleFixture(): StorageFixture {
  return makeFixture('single.bin', 'v1', 16, [{ path: ['single.bin'], length: 45 }], true, 7);
}

/** Aligned files with implicit gaps: pieces 1 and 2 are short (4 and 5 bytes), the last is 8. */
export function v2Fixture(): StorageFixture {
  return makeFixture('aligned', 'v2', 16, [
    { path: ['x.bin'], length: 20 },
    { path: ['y.bin'], length: 5 },
    { path: ['z.txt'], length: 0 },
    { path: ['w.bin'], length: 40 },
  ], false, 3);
}

/** BEP 47 padding files align f2 and f3 to piece boundaries. */
export function paddedFixture(): StorageFixture {
  return makeFixture('padded', 'v1', 16, [
    { path: ['f1.bin'], length: 20 },
    { path: ['.pad', '12'], length: 12, padding: true },
    { path: ['f2.bin'], length: 5 },
    { path: ['.pad', '11'], length: 11, padding: true },
    { path: ['f3.bin'], length: 30 },
  ], false, 5);
}

export const PADDED = { f1: 0, pad1: 1, f2: 2, pad2: 3, f3: 4 } as const;

export function allFixtures(): [string, StorageFixture][] {
  return [
    ['multi-file with pieces spanning files', multiFixture()],
    ['single file', singleFixture()],
    ['v2 aligned with implicit gaps', v2Fixture()],
    ['v1 with padding files', paddedFixture()],
  ];
}

/** A fixed shuffle of 0..count-1, so writes do not arrive in order. */
export function shuffled(count: number): number[] {
  const out = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = (i * 7 + 3) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
