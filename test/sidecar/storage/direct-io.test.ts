import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { alignedPieceBuffer, isAlignedAt } from '../../../sidecar/src/storage/aligned-buffers.js';
import type { DirectWriter } from '../../../sidecar/src/storage/direct-writer.js';
import { fsStorage } from '../../../sidecar/src/storage/fs-store.js';
import { FIXTURE_ID, fileBytes, makeFixture, pieceBytes, shuffled, type StorageFixture } from '../../contracts/storage-layouts.js';

const dirs: string[] = [];
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-direct-io-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A piece's bytes in page-aligned memory, as the Node session's piece buffers are. */
function alignedPiece(fixture: StorageFixture, index: number): Uint8Array {
  const bytes = pieceBytes(fixture, index);
  const buffer = alignedPieceBuffer(bytes.length);
  buffer.set(bytes);
  return buffer;
}

async function writeAndCompare(fixture: StorageFixture, directIo: boolean): Promise<number> {
  const dir = await freshDir();
  const store = await fsStorage({ directory: dir, directIo }).open(fixture.layout, { id: FIXTURE_ID });
  for (const i of shuffled(fixture.layout.pieceCount)) await store.writePiece(i, alignedPiece(fixture, i));
  const direct = (store as unknown as { direct: DirectWriter }).direct.directBytes;
  // Read back through the store (the page cache) and from the files themselves.
  for (let i = 0; i < fixture.layout.pieceCount; i++) expect(Buffer.from((await store.readPiece(i))!).equals(Buffer.from(pieceBytes(fixture, i))), `piece ${i}`).toBe(true);
  await store.close();
  const { layout } = fixture;
  for (let f = 0; f < layout.files.length; f++) {
    const file = layout.files[f]!;
    if (file.padding) continue;
    const path = layout.singleFile ? join(dir, ...file.path) : join(dir, layout.name, ...file.path);
    expect(Buffer.from(await readFile(path)).equals(Buffer.from(fileBytes(fixture, f))), file.path.join('/')).toBe(true);
  }
  return direct;
}

describe('direct I/O writes of page-aligned pieces', () => {
  it('hands out page-aligned memory for large, page-multiple buffers only', () => {
    expect(isAlignedAt(alignedPieceBuffer(1 << 20), 0)).toBe(true);
    expect(isAlignedAt(alignedPieceBuffer(1 << 20), 4096)).toBe(true);
    expect(isAlignedAt(alignedPieceBuffer(1 << 20), 100)).toBe(false);
    expect(isAlignedAt(alignedPieceBuffer(16384), 0)).toBe(false);
    expect(isAlignedAt(alignedPieceBuffer(65536 + 100), 0)).toBe(false);
    expect(isAlignedAt(new Uint8Array(1 << 20), 0)).toBe(false);
  });

  it('writes a single-file torrent around the page cache, byte-identical', async () => {
    const fixture = makeFixture('single', 'v1', 65536, [{ path: ['big.bin'], length: 9 * 65536 + 777 }], true, 3);
    const direct = await writeAndCompare(fixture, true);
    // Every whole piece went direct; the short last one (777 bytes past a page boundary) through the cache.
    expect(direct).toBe(9 * 65536);
  });

  it('splits slices at unaligned file boundaries: the aligned middle direct, the edges through the cache (random layouts)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 300_000 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(65536, 131072, 69632),
        fc.integer({ min: 1, max: 1000 }),
        async (lengths, pieceLength, seed) => {
          if (lengths.reduce((a, b) => a + b, 0) === 0) return;
          const fixture = makeFixture('multi', 'v1', pieceLength, lengths.map((length, i) => ({ path: [`d${i % 2}`, `f${i}.bin`], length })), false, seed);
          await writeAndCompare(fixture, true);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('with directIo off, writes the same bytes through the page cache only', async () => {
    const fixture = makeFixture('single', 'v1', 65536, [{ path: ['big.bin'], length: 5 * 65536 }], true, 4);
    expect(await writeAndCompare(fixture, false)).toBe(0);
  });
});
