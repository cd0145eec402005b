import { createStore, get, promisifyRequest, setMany, type UseStore } from 'idb-keyval';
import type { FileState, StorageLayout, StorageOpenOptions } from '../../core/ports/storage.js';
import { StorageError } from '../../core/storage/errors.js';
import { PieceMap } from '../../core/storage/piece-map.js';
import { GuardedLock } from '../../core/storage/guarded-lock.js';
import { toStorageError } from './dom-errors.js';
import { checkStorageId } from './opfs-paths.js';
import type { BrowserStorageFactory, BrowserTorrentStorage } from './types.js';

export interface IndexedDbStorageOptions {
  /** Default `sluice-storage`; tests use a fresh name each. */
  readonly databaseName?: string;
}

/** Key kinds inside one torrent's key range: `[id, PIECE, index]` and `[id, FILE, fileIndex]`. */
const PIECE = 0;
const FILE = 1;

/** Every key of torrent `id` (array keys sort after numbers, so `[id, []]` ends the range). */
function torrentRange(id: string, kind?: number): IDBKeyRange {
  return kind === undefined ? IDBKeyRange.bound([id], [id, []]) : IDBKeyRange.bound([id, kind], [id, kind, []]);
}

/**
 * The fallback for browsers without sync access handles: one IndexedDB record per verified piece, a
 * Blob (browsers keep large IndexedDB blobs as files, so a finished file is a Blob of slices of them
 * and is never assembled in memory), plus one record per file that "exists" holding its mtime. A
 * piece and the mtimes it changes are one transaction: a quota failure aborts it whole and leaves
 * every earlier piece as it was. Records go through idb-keyval (one object store, array keys).
 * Files never move: an unwanted file's bytes are already in their pieces, so wanting it only
 * records that it exists.
 */
export function indexedDbStorage(options: IndexedDbStorageOptions = {}): BrowserStorageFactory {
  let store: UseStore | undefined;
  return {
    kind: 'indexeddb',
    async open(layout, openOptions) {
      const databaseName = options.databaseName ?? 'sluice-storage';
      store ??= createStore(databaseName, 'torrents');
      return IdbStore.open(layout, openOptions, store, `indexeddb:${databaseName}`);
    },
  };
}

class IdbStore implements BrowserTorrentStorage {
  private readonly lock = new GuardedLock(() => this.closed, toStorageError);
  private closed = false;
  private lastStamp = 0;

  private constructor(
    /** The database's name: resume data saved for another database is not trusted here. */
    readonly location: string,
    private readonly map: PieceMap,
    private readonly id: string,
    private readonly db: UseStore,
    private readonly wanted: boolean[],
    private readonly stored: Set<number>,
    /** mtime of each file that exists (a record is there). */
    private readonly mtimes: Map<number, number>,
  ) {
    for (const m of mtimes.values()) this.lastStamp = Math.max(this.lastStamp, m);
  }

  static async open(layout: StorageLayout, options: StorageOpenOptions, db: UseStore, location: string): Promise<IdbStore> {
    const map = new PieceMap(layout);
    checkStorageId(options.id);
    const wanted = layout.files.map((_, i) => options.wanted?.[i] ?? true);
    try {
      // All three requests are made before the first await, so they share one transaction.
      const [pieceKeys, fileKeys, fileValues] = await db('readonly', (s) => Promise.all([
        promisifyRequest(s.getAllKeys(torrentRange(options.id, PIECE))),
        promisifyRequest(s.getAllKeys(torrentRange(options.id, FILE))),
        promisifyRequest(s.getAll(torrentRange(options.id, FILE))),
      ]));
      const indexOf = (key: IDBValidKey) => (key as [string, number, number])[2];
      const stored = new Set(pieceKeys.map(indexOf).filter((i) => i < layout.pieceCount));
      const mtimes = new Map<number, number>();
      fileKeys.forEach((key, i) => {
        const value: unknown = fileValues[i];
        if (indexOf(key) < layout.files.length && typeof value === 'number') mtimes.set(indexOf(key), value);
      });
      const store = new IdbStore(location, map, options.id, db, wanted, stored, mtimes);
      await store.settle(layout.files.map((_, i) => i).filter((i) => wanted[i]));
      return store;
    } catch (error) {
      throw toStorageError(error, `opening storage for ${options.id}`);
    }
  }

  async writePiece(index: number, data: Uint8Array): Promise<void> {
    const size = this.map.pieceSize(index);
    if (data.length !== size) throw new StorageError('storage/out-of-range', `piece ${index} is ${size} bytes, got ${data.length}`);
    await this.lock.shared(`writing piece ${index}`, async () => {
      const copy = data.slice();
      const stamp = this.stamp();
      const touched: number[] = [];
      for (const s of this.map.slices(index)) {
        if (s.padding) copy.fill(0, s.pieceOffset, s.pieceOffset + s.length);
        else if (this.wanted[s.fileIndex] || this.mtimes.has(s.fileIndex)) touched.push(s.fileIndex);
      }
      await setMany([[[this.id, PIECE, index], new Blob([copy])], ...touched.map((f): [IDBValidKey, number] => [[this.id, FILE, f], stamp])], this.db);
      this.stored.add(index);
      for (const f of touched) this.mtimes.set(f, stamp);
    });
  }

  async read(index: number, begin: number, length: number): Promise<Uint8Array> {
    this.map.slicesIn(index, begin, length);
    const bytes = await this.lock.shared(`reading piece ${index}`, () => this.readRange(index, begin, length));
    if (bytes === null) throw new StorageError('storage/missing', `piece ${index} is not stored`);
    return bytes;
  }

  async readPiece(index: number): Promise<Uint8Array | null> {
    const size = this.map.pieceSize(index);
    return this.lock.shared(`reading piece ${index}`, () => this.readRange(index, 0, size));
  }

  async setFileWanted(fileIndex: number, wanted: boolean): Promise<void> {
    this.map.checkFile(fileIndex);
    await this.lock.exclusive(`selecting file ${fileIndex}`, async () => {
      this.wanted[fileIndex] = wanted;
      if (wanted) await this.settle([fileIndex]);
    });
  }

  async fileStates(): Promise<readonly (FileState | null)[]> {
    return this.lock.shared('reading file states', async () =>
      this.map.layout.files.map((file, i) => {
        const mtime = this.mtimes.get(i);
        return mtime === undefined ? null : { size: file.length, mtime };
      }));
  }

  async fileBlob(fileIndex: number): Promise<Blob | null> {
    this.map.checkFile(fileIndex);
    return this.lock.shared(`reading file ${fileIndex}`, async () => {
      if (!this.mtimes.has(fileIndex)) return null;
      const parts: Blob[] = [];
      for (const piece of this.map.piecesOfFile(fileIndex)) {
        const blob = await get<Blob>([this.id, PIECE, piece], this.db);
        if (blob === undefined) return null;
        for (const s of this.map.slices(piece)) {
          if (s.fileIndex === fileIndex) parts.push(blob.slice(s.pieceOffset, s.pieceOffset + s.length));
        }
      }
      return new Blob(parts);
    });
  }

  /** Every write already waited for its transaction to complete. */
  async flush(): Promise<void> {
    await this.lock.shared('flushing', async () => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.lock.exclusive('closing', async () => {
      this.closed = true;
    }).catch((error: unknown) => {
      if (!(error instanceof StorageError && error.code === 'storage/closed')) throw error;
    });
  }

  async deleteData(): Promise<void> {
    await this.lock.always(async () => {
      this.closed = true;
      try {
        await this.db('readwrite', (s) => {
          s.delete(torrentRange(this.id));
          return promisifyRequest(s.transaction);
        });
      } catch (error) {
        throw toStorageError(error, 'deleting data');
      }
    });
  }

  private async readRange(index: number, begin: number, length: number): Promise<Uint8Array | null> {
    if (!this.stored.has(index)) return null;
    const blob = await get<Blob>([this.id, PIECE, index], this.db);
    if (blob === undefined) return null;
    const bytes = new Uint8Array(await blob.slice(begin, begin + length).arrayBuffer());
    return bytes.length === length ? bytes : null;
  }

  /** Records as existing each of `files` that is wanted and has bytes (or is empty): what "moving it in" means here. */
  private async settle(files: readonly number[]): Promise<void> {
    const stamp = this.stamp();
    const now = files.filter((i) => {
      const file = this.map.layout.files[i]!;
      if (file.padding || this.mtimes.has(i)) return false;
      return file.length === 0 || this.map.piecesOfFile(i).some((p) => this.stored.has(p));
    });
    if (now.length === 0) return;
    await setMany(now.map((f): [IDBValidKey, number] => [[this.id, FILE, f], stamp]), this.db);
    for (const f of now) this.mtimes.set(f, stamp);
  }

  /** A wall-clock mtime in ms that grows with every change, as resume validation needs. */
  private stamp(): number {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return this.lastStamp;
  }

}
