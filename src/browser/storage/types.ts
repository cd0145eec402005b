import type { StorageFactory, StorageLayout, StorageOpenOptions, TorrentStorage } from '../../core/ports/storage.js';

/** Which store the browser engine uses; `memory` only in tests. */
export type BrowserStorageKind = 'opfs' | 'indexeddb' | 'memory';

/** The storage port plus what only a browser needs: handing a finished file to the person. */
export interface BrowserTorrentStorage extends TorrentStorage {
  /**
   * File `fileIndex`'s bytes as a Blob for a download link or `<video>`, or null when the file is
   * not stored. Call it for a file whose pieces are all verified: unwritten ranges read as zeros
   * (OPFS) or make the answer null (IndexedDB). OPFS returns the `File` itself, never a copy.
   */
  fileBlob(fileIndex: number): Promise<Blob | null>;
}

export interface BrowserStorageFactory extends StorageFactory {
  readonly kind: BrowserStorageKind;
  open(layout: StorageLayout, options: StorageOpenOptions): Promise<BrowserTorrentStorage>;
}
