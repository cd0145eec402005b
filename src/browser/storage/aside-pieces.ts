import type { PieceSlice } from '../../core/storage/piece-map.js';
import { checkWritten, isNotFound } from './dom-errors.js';

/**
 * Pieces whose bytes fall partly in unwanted files, kept aside in the torrent's `aside` folder (one
 * OPFS file per piece, named by its index) until those files are wanted: the OPFS counterpart of the
 * filesystem store's part file. Only boundary pieces land here (the engine downloads pieces of wanted
 * files), so they are few. A file whose size is not its piece's size (a write cut short by a crash) is
 * dropped when the folder is loaded; resume always rechecks pieces touching unwanted files anyway.
 */
export class AsidePieces {
  private constructor(
    private readonly folder: FileSystemDirectoryHandle,
    private readonly stored: Set<number>,
  ) {}

  static async load(folder: FileSystemDirectoryHandle, pieceSize: (index: number) => number, pieceCount: number): Promise<AsidePieces> {
    const stored = new Set<number>();
    const stale: string[] = [];
    for await (const [name, handle] of folder.entries()) {
      const index = /^(0|[1-9][0-9]{0,9})$/.test(name) ? Number(name) : -1;
      const ok = handle.kind === 'file' && index < pieceCount && index >= 0
        && (await (handle as FileSystemFileHandle).getFile()).size === pieceSize(index);
      if (ok) stored.add(index);
      else stale.push(name);
    }
    for (const name of stale) await folder.removeEntry(name, { recursive: true });
    return new AsidePieces(folder, stored);
  }

  has(index: number): boolean {
    return this.stored.has(index);
  }

  pieces(): number[] {
    return [...this.stored];
  }

  /** Keeps the whole piece (its padding bytes are already zero in `data`). */
  async write(index: number, data: Uint8Array): Promise<void> {
    this.stored.delete(index); // until the new bytes are all there
    const file = await this.folder.getFileHandle(String(index), { create: true });
    const handle = await file.createSyncAccessHandle();
    try {
      handle.truncate(0);
      checkWritten(handle.write(data, { at: 0 }), data.length, `keeping piece ${index} aside`);
      handle.flush();
    } finally {
      handle.close();
    }
    this.stored.add(index);
  }

  /** Copies `slice` of piece `index` into `out` at `at`; false when the piece is not kept aside. */
  async read(index: number, slice: PieceSlice, out: Uint8Array, at: number): Promise<boolean> {
    if (!this.stored.has(index)) return false;
    try {
      const file = await (await this.folder.getFileHandle(String(index))).getFile();
      const bytes = new Uint8Array(await file.slice(slice.pieceOffset, slice.pieceOffset + slice.length).arrayBuffer());
      if (bytes.length !== slice.length) return false;
      out.set(bytes, at);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async free(index: number): Promise<void> {
    this.stored.delete(index);
    await this.folder.removeEntry(String(index)).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
  }
}
