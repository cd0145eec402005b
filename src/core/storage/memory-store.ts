import type { FileState, StorageFactory, StorageLayout, StorageOpenOptions, TorrentStorage } from '../ports/storage.js';
import { StorageError } from './errors.js';
import { PieceMap } from './piece-map.js';

/**
 * A store that keeps each written piece as one buffer, for tests (the browser stores in OPFS or
 * IndexedDB: src/browser/storage/). Memory grows with what is written and nothing else; data is
 * gone when the page or process ends, so its `fileStates` only have to be self-consistent.
 */
export const memoryStorage: StorageFactory = {
  async open(layout, options) {
    return new MemoryStore(layout, options);
  },
};

class MemoryStore implements TorrentStorage {
  /** Its data does not outlive it, so resume data from another run finds every file missing. */
  readonly location = 'memory';
  private readonly map: PieceMap;
  private readonly pieces = new Map<number, Uint8Array>();
  private readonly wanted: boolean[];
  /** Mirrors the filesystem store: a file "exists" once it was wanted and had bytes, or is empty and wanted. */
  private readonly exists: boolean[];
  private readonly mtimes: number[];
  private clock = 0;
  private closed = false;

  constructor(layout: StorageLayout, options: StorageOpenOptions) {
    this.map = new PieceMap(layout);
    this.wanted = layout.files.map((_, i) => options.wanted?.[i] ?? true);
    this.exists = layout.files.map((f, i) => !f.padding && f.length === 0 && this.wanted[i]!);
    this.mtimes = layout.files.map(() => 0);
  }

  async writePiece(index: number, data: Uint8Array): Promise<void> {
    this.checkOpen();
    const size = this.map.pieceSize(index);
    if (data.length !== size) {
      throw new StorageError('storage/out-of-range', `piece ${index} is ${size} bytes, got ${data.length}`);
    }
    const copy = data.slice();
    const stamp = ++this.clock;
    for (const s of this.map.slices(index)) {
      if (s.padding) {
        copy.fill(0, s.pieceOffset, s.pieceOffset + s.length);
      } else if (this.wanted[s.fileIndex] || this.exists[s.fileIndex]) {
        this.exists[s.fileIndex] = true;
        this.mtimes[s.fileIndex] = stamp;
      }
    }
    this.pieces.set(index, copy);
  }

  async read(index: number, begin: number, length: number): Promise<Uint8Array> {
    this.checkOpen();
    this.map.slicesIn(index, begin, length);
    const piece = this.pieces.get(index);
    if (piece === undefined) throw new StorageError('storage/missing', `piece ${index} is not stored`);
    return piece.slice(begin, begin + length);
  }

  async readPiece(index: number): Promise<Uint8Array | null> {
    this.checkOpen();
    this.map.checkIndex(index);
    return this.pieces.get(index)?.slice() ?? null;
  }

  async setFileWanted(fileIndex: number, wanted: boolean): Promise<void> {
    this.checkOpen();
    const pieces = this.map.piecesOfFile(fileIndex);
    this.wanted[fileIndex] = wanted;
    const file = this.map.layout.files[fileIndex]!;
    if (!wanted || this.exists[fileIndex] || file.padding) return;
    if (file.length === 0) {
      this.exists[fileIndex] = true;
      return;
    }
    for (const i of pieces) {
      if (this.pieces.has(i)) {
        this.exists[fileIndex] = true;
        this.mtimes[fileIndex] = ++this.clock;
        return;
      }
    }
  }

  async fileStates(): Promise<readonly (FileState | null)[]> {
    this.checkOpen();
    return this.map.layout.files.map((file, i) => (this.exists[i] ? { size: file.length, mtime: this.mtimes[i]! } : null));
  }

  async flush(): Promise<void> {
    this.checkOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  async deleteData(): Promise<void> {
    this.closed = true;
    this.pieces.clear();
  }

  private checkOpen(): void {
    if (this.closed) throw new StorageError('storage/closed', 'the memory store is closed');
  }
}
