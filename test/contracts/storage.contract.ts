import { describe, expect, it } from 'vitest';
import type { StorageFactory, StorageOpenOptions, TorrentStorage } from '../../src/core/ports/storage.js';
import { StorageError } from '../../src/core/storage/errors.js';
import {
  allFixtures,
  FIXTURE_ID,
  MULTI,
  multiFixture,
  PADDED,
  paddedFixture,
  pieceBytes,
  shuffled,
  type StorageFixture,
} from './storage-layouts.js';

export interface StorageContractOptions {
  /** Whether data survives close and reopen through the same factory. */
  readonly persistent: boolean;
}

/** Resolves with the code of the StorageError `promise` rejects with (anything else fails the test). */
export async function storageErrorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).message).not.toContain('\n');
    return (error as StorageError).code;
  }
  throw new Error('expected a StorageError, but the call succeeded');
}

async function writeAll(store: TorrentStorage, fixture: StorageFixture): Promise<void> {
  for (const i of shuffled(fixture.layout.pieceCount)) await store.writePiece(i, pieceBytes(fixture, i));
}

async function expectAllPieces(store: TorrentStorage, fixture: StorageFixture): Promise<void> {
  for (let i = 0; i < fixture.layout.pieceCount; i++) {
    expect(await store.readPiece(i), `piece ${i}`).toEqual(pieceBytes(fixture, i));
  }
}

function wantedExcept(fixture: StorageFixture, ...unwanted: number[]): StorageOpenOptions {
  return { id: FIXTURE_ID, wanted: fixture.layout.files.map((_, i) => !unwanted.includes(i)) };
}

/**
 * The storage plug point's contract (src/core/ports/storage.ts). `makeFactory` gives a factory over
 * a fresh, empty place for each test; opening the same factory twice must see the same data when
 * the store is persistent.
 */
export function storageContract(
  name: string,
  makeFactory: () => Promise<StorageFactory>,
  options: StorageContractOptions,
): void {
  const open = async (fixture: StorageFixture, openOptions: StorageOpenOptions = { id: FIXTURE_ID }) => {
    const factory = await makeFactory();
    return { factory, store: await factory.open(fixture.layout, openOptions) };
  };

  describe(`storage contract: ${name}`, () => {
    for (const [label, fixture] of allFixtures()) {
      describe(label, () => {
        it('reads back every piece and every sub-range written, in any order', async () => {
          const { store } = await open(fixture);
          await writeAll(store, fixture);
          await expectAllPieces(store, fixture);
          for (let i = 0; i < fixture.layout.pieceCount; i++) {
            const piece = pieceBytes(fixture, i);
            for (let begin = 0; begin <= piece.length; begin++) {
              for (let length = 0; begin + length <= piece.length; length++) {
                expect(await store.read(i, begin, length)).toEqual(piece.slice(begin, begin + length));
              }
            }
          }
          await store.close();
        });

        it('reports the size of every stored file and nothing for padding', async () => {
          const { store } = await open(fixture);
          await writeAll(store, fixture);
          const states = await store.fileStates();
          expect(states).toHaveLength(fixture.layout.files.length);
          fixture.layout.files.forEach((file, i) => {
            if (file.padding) expect(states[i], `file ${i}`).toBeNull();
            else {
              expect(states[i]?.size, `file ${i}`).toBe(file.length);
              expect(Number.isSafeInteger(states[i]?.mtime), `file ${i}`).toBe(true);
            }
          });
          await store.close();
        });

        it('has nothing before anything is written', async () => {
          const { store } = await open(fixture);
          for (let i = 0; i < fixture.layout.pieceCount; i++) expect(await store.readPiece(i)).toBeNull();
          expect(await storageErrorCode(store.read(0, 0, 1))).toBe('storage/missing');
          const states = await store.fileStates();
          fixture.layout.files.forEach((file, i) => {
            // Wanted empty files exist from the start; no other file does.
            expect(states[i], `file ${i}`).toEqual(file.length === 0 && !file.padding ? { size: 0, mtime: expect.any(Number) } : null);
          });
          await store.close();
        });

        it('keeps no reference to the written buffer', async () => {
          const { store } = await open(fixture);
          const data = pieceBytes(fixture, 0);
          await store.writePiece(0, data);
          data.fill(0xee);
          expect(await store.readPiece(0)).toEqual(pieceBytes(fixture, 0));
          await store.close();
        });

        it('takes concurrent writes', async () => {
          const { store } = await open(fixture);
          await Promise.all(shuffled(fixture.layout.pieceCount).map((i) => store.writePiece(i, pieceBytes(fixture, i))));
          await expectAllPieces(store, fixture);
          await store.close();
        });
      });
    }

    it('reads a piece whose neighbours were never written', async () => {
      const fixture = multiFixture();
      const { store } = await open(fixture);
      await store.writePiece(0, pieceBytes(fixture, 0));
      expect(await store.readPiece(0)).toEqual(pieceBytes(fixture, 0));
      expect(await store.read(0, 8, 4)).toEqual(pieceBytes(fixture, 0).slice(8, 12));
      // Piece 4 lies wholly in d.bin, which no write has touched.
      expect(await store.readPiece(4)).toBeNull();
      expect(await storageErrorCode(store.read(4, 0, 8))).toBe('storage/missing');
      await store.close();
    });

    it('refuses indices, ranges and sizes outside the layout', async () => {
      const fixture = multiFixture();
      const { store } = await open(fixture);
      const piece = pieceBytes(fixture, 0);
      expect(await storageErrorCode(store.writePiece(-1, piece))).toBe('storage/out-of-range');
      expect(await storageErrorCode(store.writePiece(5, piece))).toBe('storage/out-of-range');
      expect(await storageErrorCode(store.writePiece(1.5, piece))).toBe('storage/out-of-range');
      expect(await storageErrorCode(store.writePiece(0, piece.subarray(1)))).toBe('storage/out-of-range');
      expect(await storageErrorCode(store.writePiece(4, piece))).toBe('storage/out-of-range'); // the last piece is 8 bytes
      await store.writePiece(0, piece);
      expect(await storageErrorCode(store.read(0, 10, 7))).toBe('storage/out-of-range');
      expect(await storageErrorCode(store.read(0, -1, 2))).toBe('storage/out-of-range');
      expect(await storageErrorCode(store.readPiece(5))).toBe('storage/out-of-range');
      expect(await storageErrorCode(store.setFileWanted(6, true))).toBe('storage/out-of-range');
      expect(await store.readPiece(0)).toEqual(piece);
      await store.close();
    });

    it('never stores padding bytes: they read back as zeros', async () => {
      const fixture = paddedFixture();
      const { store } = await open(fixture);
      const dirty = pieceBytes(fixture, 1);
      dirty.fill(0x5a, 4, 16); // piece 1 is f1's last 4 bytes then 12 bytes of padding
      await store.writePiece(1, dirty);
      expect(await store.readPiece(1)).toEqual(pieceBytes(fixture, 1));
      expect(await store.read(1, 2, 6)).toEqual(new Uint8Array([...pieceBytes(fixture, 1).slice(2, 4), 0, 0, 0, 0]));
      expect((await store.fileStates())[PADDED.pad1]).toBeNull();
      await store.close();
    });

    it('does not create unwanted files, yet pieces touching them read back', async () => {
      const fixture = multiFixture();
      const { store } = await open(fixture, wantedExcept(fixture, MULTI.b, MULTI.emptyInDir));
      await writeAll(store, fixture);
      const states = await store.fileStates();
      expect(states[MULTI.b]).toBeNull();
      expect(states[MULTI.emptyInDir]).toBeNull();
      expect(states[MULTI.a]?.size).toBe(10);
      expect(states[MULTI.c]?.size).toBe(5);
      await expectAllPieces(store, fixture);
      expect(await store.read(2, 0, 15)).toEqual(pieceBytes(fixture, 2).slice(0, 15)); // b.bin's bytes only
      await store.close();
    });

    it('moves the bytes into the file when it becomes wanted', async () => {
      const fixture = multiFixture();
      const { store } = await open(fixture, wantedExcept(fixture, MULTI.b, MULTI.emptyInDir));
      await writeAll(store, fixture);
      await store.setFileWanted(MULTI.b, true);
      await store.setFileWanted(MULTI.emptyInDir, true);
      const states = await store.fileStates();
      expect(states[MULTI.b]?.size).toBe(37);
      expect(states[MULTI.emptyInDir]?.size).toBe(0);
      await expectAllPieces(store, fixture);
      await store.close();
    });

    it('keeps a file that already exists when it is deselected', async () => {
      const fixture = multiFixture();
      const { store } = await open(fixture);
      await writeAll(store, fixture);
      await store.setFileWanted(MULTI.b, false);
      expect((await store.fileStates())[MULTI.b]?.size).toBe(37);
      await store.writePiece(1, pieceBytes(fixture, 1));
      await expectAllPieces(store, fixture);
      await store.close();
    });

    it('creates a re-wanted file only once it has bytes', async () => {
      const fixture = multiFixture();
      const { store } = await open(fixture, wantedExcept(fixture, MULTI.d));
      await store.setFileWanted(MULTI.d, true);
      expect((await store.fileStates())[MULTI.d]).toBeNull();
      await store.writePiece(4, pieceBytes(fixture, 4));
      expect((await store.fileStates())[MULTI.d]?.size).toBe(20);
      expect(await store.readPiece(4)).toEqual(pieceBytes(fixture, 4));
      await store.close();
    });

    it('refuses every call after close, and closing twice is fine', async () => {
      const fixture = multiFixture();
      const { store } = await open(fixture);
      await store.writePiece(0, pieceBytes(fixture, 0));
      await store.flush();
      await Promise.all([store.close(), store.close()]);
      await store.close();
      expect(await storageErrorCode(store.writePiece(1, pieceBytes(fixture, 1)))).toBe('storage/closed');
      expect(await storageErrorCode(store.read(0, 0, 1))).toBe('storage/closed');
      expect(await storageErrorCode(store.readPiece(0))).toBe('storage/closed');
      expect(await storageErrorCode(store.setFileWanted(0, false))).toBe('storage/closed');
      expect(await storageErrorCode(store.fileStates())).toBe('storage/closed');
      expect(await storageErrorCode(store.flush())).toBe('storage/closed');
    });

    it('deleteData removes what was stored', async () => {
      const fixture = multiFixture();
      const { factory, store } = await open(fixture, wantedExcept(fixture, MULTI.b));
      await writeAll(store, fixture);
      await store.deleteData();
      expect(await storageErrorCode(store.readPiece(0))).toBe('storage/closed');
      const again = await factory.open(fixture.layout, wantedExcept(fixture, MULTI.b));
      for (let i = 0; i < fixture.layout.pieceCount; i++) expect(await again.readPiece(i)).toBeNull();
      const states = await again.fileStates();
      fixture.layout.files.forEach((file, i) => {
        if (file.length > 0) expect(states[i], `file ${i}`).toBeNull();
      });
      await again.close();
    });

    if (options.persistent) {
      it('keeps everything across close and reopen, unwanted bytes included', async () => {
        const fixture = multiFixture();
        const { factory, store } = await open(fixture, wantedExcept(fixture, MULTI.b));
        await writeAll(store, fixture);
        const before = await store.fileStates();
        await store.close();
        const again = await factory.open(fixture.layout, wantedExcept(fixture, MULTI.b));
        await expectAllPieces(again, fixture);
        expect(await again.fileStates()).toEqual(before);
        await again.close();
      });

      it('names the same location when reopened over the same data, and another over another place', async () => {
        const fixture = multiFixture();
        const { factory, store } = await open(fixture);
        expect(store.location.length).toBeGreaterThan(0);
        await store.close();
        const again = await factory.open(fixture.layout, { id: FIXTURE_ID });
        expect(again.location).toBe(store.location);
        await again.close();
        const elsewhere = await (await makeFactory()).open(fixture.layout, { id: FIXTURE_ID });
        expect(elsewhere.location).not.toBe(store.location);
        await elsewhere.close();
      });

      it('moves bytes into a file that became wanted while closed', async () => {
        const fixture = multiFixture();
        const { factory, store } = await open(fixture, wantedExcept(fixture, MULTI.b));
        await writeAll(store, fixture);
        await store.close();
        const again = await factory.open(fixture.layout, { id: FIXTURE_ID });
        expect((await again.fileStates())[MULTI.b]?.size).toBe(37);
        await expectAllPieces(again, fixture);
        await again.close();
      });
    } else {
      it('starts empty when reopened (not persistent)', async () => {
        const fixture = multiFixture();
        const { factory, store } = await open(fixture);
        await writeAll(store, fixture);
        await store.close();
        const again = await factory.open(fixture.layout, { id: FIXTURE_ID });
        expect(await again.readPiece(0)).toBeNull();
        await again.close();
      });
    }
  });
}
