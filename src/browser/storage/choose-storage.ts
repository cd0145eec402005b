import { memoryStorage } from '../../core/storage/memory-store.js';
import { StorageError } from '../../core/storage/errors.js';
import { indexedDbStorage, type IndexedDbStorageOptions } from './idb-store.js';
import { hasSyncAccessHandles, opfsStorage, type OpfsStorageOptions } from './opfs-store.js';
import type { BrowserStorageFactory, BrowserTorrentStorage } from './types.js';

export interface ChooseStorageOptions {
  /** Tests only: keep pieces in memory, whatever the browser can do. */
  readonly memory?: boolean;
  readonly opfs?: OpfsStorageOptions;
  readonly indexedDb?: IndexedDbStorageOptions;
}

/**
 * The engine worker's store, by feature detection: OPFS when this scope has sync access handles
 * (a dedicated worker in Chromium 102+, Firefox 111+, Safari 15.2+), else IndexedDB. Memory only
 * when asked for: silently losing a download on reload is not a fallback.
 */
export function chooseStorage(options: ChooseStorageOptions = {}): BrowserStorageFactory {
  if (options.memory) return memoryBrowserStorage;
  if (hasSyncAccessHandles()) return opfsStorage(options.opfs);
  if (typeof indexedDB !== 'undefined') return indexedDbStorage(options.indexedDb);
  throw new StorageError('storage/io', 'this browser offers neither OPFS sync access handles nor IndexedDB to store downloads');
}

/** The core memory store with `fileBlob`, for tests of the browser engine. */
export const memoryBrowserStorage: BrowserStorageFactory = {
  kind: 'memory',
  async open(layout, options): Promise<BrowserTorrentStorage> {
    const store = await memoryStorage.open(layout, options);
    return Object.assign(store, {
      async fileBlob(fileIndex: number): Promise<Blob | null> {
        const file = layout.files[fileIndex];
        if (file === undefined) throw new StorageError('storage/out-of-range', `file ${fileIndex} is outside 0..${layout.files.length - 1}`);
        if ((await store.fileStates())[fileIndex] === null) return null;
        const parts: Uint8Array<ArrayBuffer>[] = [];
        for (let at = file.offset; at < file.offset + file.length;) {
          const piece = Math.floor(at / layout.pieceLength);
          const bytes = await store.readPiece(piece);
          if (bytes === null) return null;
          const begin = at - piece * layout.pieceLength;
          const length = Math.min(bytes.length - begin, file.offset + file.length - at);
          parts.push(bytes.slice(begin, begin + length));
          at += length;
        }
        return new Blob(parts);
      },
    });
  },
};
