import { rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { FileState, StorageFactory, StorageLayout, StorageOpenOptions, TorrentStorage } from '../../../src/core/ports/storage.js';
import { StorageError } from '../../../src/core/storage/errors.js';
import { PieceMap, type PieceSlice } from '../../../src/core/storage/piece-map.js';
import { GuardedLock } from '../../../src/core/storage/guarded-lock.js';
import { errnoCode, openFile as nodeOpenFile, readFully, toStorageError, writeFully, type OpenFile } from './file-io.js';
import { DirectWriter } from './direct-writer.js';
import { HandleCache } from './handle-cache.js';
import { PartFile } from './part-file.js';

export interface FsStorageOptions {
  /** The download folder: a single-file torrent is `<directory>/<name>`, others `<directory>/<name>/<path...>`. */
  readonly directory: string;
  /** Write page-aligned pieces around the page cache (O_DIRECT) where the file system allows. Default true. */
  readonly directIo?: boolean;
  /** Idle file handles kept open (least recently used are closed first). Default 32. */
  readonly maxOpenFiles?: number;
  /** How files are opened; tests inject failing handles here. Default: `fs.promises.open`. */
  readonly openFile?: OpenFile;
}

const STAT_BATCH = 64;

/**
 * Stores a torrent in its real file layout, written in place with positioned writes (no file is ever
 * buffered whole). Padding files are never created. Bytes of unwanted files that share a piece with
 * wanted ones go to `<directory>/.<id>.parts` (see part-file.ts) until the file is wanted.
 */
export function fsStorage(options: FsStorageOptions): StorageFactory {
  return {
    async open(layout, openOptions) {
      return FsStore.open(layout, openOptions, options);
    },
  };
}

type Existence = 'yes' | 'no' | undefined;

class FsStore implements TorrentStorage {
  private readonly lock = new GuardedLock(() => this.closed, toStorageError);
  private readonly exists: Existence[];
  private closed = false;
  /** Exposed for tests and benchmarks: how much went around the page cache. */
  readonly direct: DirectWriter;

  private constructor(
    /** The absolute download folder. */
    readonly location: string,
    private readonly map: PieceMap,
    private readonly paths: readonly string[],
    private readonly wanted: boolean[],
    private readonly handles: HandleCache,
    private readonly part: PartFile,
    private readonly partPath: string,
    private readonly root: string | null,
    directIo: boolean,
  ) {
    this.exists = paths.map(() => undefined);
    this.direct = directIo ? new DirectWriter() : new DirectWriter(false);
  }

  static async open(layout: StorageLayout, options: StorageOpenOptions, fs: FsStorageOptions): Promise<FsStore> {
    const map = new PieceMap(layout);
    if (!/^[0-9a-f]{2,128}$/.test(options.id)) {
      throw new StorageError('storage/bad-path', `storage id "${options.id.slice(0, 80)}" is not lower-case hex`);
    }
    const directory = resolve(fs.directory);
    const root = layout.singleFile ? null : inside(directory, [layout.name]);
    const paths = layout.files.map((file) =>
      file.padding ? '' : inside(directory, layout.singleFile ? file.path : [layout.name, ...file.path]));
    const wanted = layout.files.map((_, i) => options.wanted?.[i] ?? true);
    const openFile = fs.openFile ?? nodeOpenFile;
    const partPath = join(directory, `.${options.id}.parts`);
    try {
      const part = await PartFile.load(partPath, layout.pieceLength, layout.pieceCount, openFile);
      const store = new FsStore(directory, map, paths, wanted, new HandleCache(openFile, fs.maxOpenFiles ?? 32), part, partPath, root, fs.directIo ?? true);
      await store.settleWanted();
      return store;
    } catch (error) {
      throw toStorageError(error, `opening storage in ${directory}`);
    }
  }

  async writePiece(index: number, data: Uint8Array): Promise<void> {
    const size = this.map.pieceSize(index);
    if (data.length !== size) {
      throw new StorageError('storage/out-of-range', `piece ${index} is ${size} bytes, got ${data.length}`);
    }
    return this.lock.shared(`writing piece ${index}`, async () => {
      const toPart: PieceSlice[] = [];
      for (const s of this.map.slices(index)) {
        if (s.padding) continue;
        if (this.wanted[s.fileIndex] || (await this.onDisk(s.fileIndex))) {
          const file = this.layout.files[s.fileIndex]!;
          const path = this.paths[s.fileIndex]!;
          await this.handles.use(path, file.length, true, (h) => this.direct.write(path, h, data, s.pieceOffset, s.length, s.fileOffset));
          this.exists[s.fileIndex] = 'yes';
        } else {
          toPart.push(s);
        }
      }
      if (toPart.length > 0) await this.part.write(index, data, toPart);
    });
  }

  async read(index: number, begin: number, length: number): Promise<Uint8Array> {
    const slices = this.map.slicesIn(index, begin, length);
    const out = new Uint8Array(length);
    const whole = await this.lock.shared(`reading piece ${index}`, () => this.readSlices(index, slices, out, begin));
    if (!whole) throw new StorageError('storage/missing', `piece ${index} is not on disk`);
    return out;
  }

  async readPiece(index: number): Promise<Uint8Array | null> {
    const slices = this.map.slices(index);
    const out = new Uint8Array(this.map.pieceSize(index));
    const whole = await this.lock.shared(`reading piece ${index}`, () => this.readSlices(index, slices, out, 0));
    return whole ? out : null;
  }

  async setFileWanted(fileIndex: number, wanted: boolean): Promise<void> {
    this.map.checkFile(fileIndex);
    await this.lock.exclusive(`selecting file ${fileIndex}`, async () => {
      this.wanted[fileIndex] = wanted;
      if (wanted) await this.settleFile(fileIndex);
    });
  }

  async fileStates(): Promise<readonly (FileState | null)[]> {
    return this.lock.shared('reading file states', async () => {
      const states: (FileState | null)[] = [];
      for (let i = 0; i < this.paths.length; i += STAT_BATCH) {
        const batch = this.paths.slice(i, i + STAT_BATCH).map((path) => (path === '' ? null : fileState(path)));
        states.push(...(await Promise.all(batch)));
      }
      return states;
    });
  }

  async flush(): Promise<void> {
    await this.lock.shared('flushing', async () => {
      await this.handles.syncAll();
      await this.part.sync();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.lock.exclusive('closing', async () => {
      this.closed = true;
      try {
        await this.direct.closeAll();
        await this.handles.closeAll(true);
        await this.part.sync();
      } finally {
        await this.part.close();
      }
    }).catch((error: unknown) => {
      // Closing a closed store is a no-op, even when two closes race.
      if (!(error instanceof StorageError && error.code === 'storage/closed')) throw error;
    });
  }

  async deleteData(): Promise<void> {
    await this.lock.always(async () => {
      this.closed = true;
      try {
        await this.direct.closeAll();
        await this.handles.closeAll(false);
        await this.part.remove();
        const folders = new Set<string>();
        for (const path of this.paths) {
          if (path === '') continue;
          await unlink(path).catch(ignore('ENOENT'));
          const root = this.root;
          if (root === null) continue;
          for (let d = dirname(path); d === root || d.startsWith(root + sep); d = dirname(d)) folders.add(d);
        }
        // Deepest first, and only folders left empty: other people's files stay.
        for (const folder of [...folders].sort((a, b) => b.length - a.length)) {
          await rmdir(folder).catch(ignore('ENOENT', 'ENOTEMPTY', 'EEXIST'));
        }
      } catch (error) {
        throw toStorageError(error, 'deleting data');
      }
    });
  }

  private get layout(): StorageLayout {
    return this.map.layout;
  }

  /** False when a byte is missing (file absent or too short, or no part-file slot). */
  private async readSlices(index: number, slices: readonly PieceSlice[], out: Uint8Array, begin: number): Promise<boolean> {
    for (const s of slices) {
      if (s.padding) continue; // zeros, already
      const at = s.pieceOffset - begin;
      if (this.part.has(index) && !(await this.onDisk(s.fileIndex))) {
        if (!(await this.part.read(index, out, at, s.pieceOffset, s.length))) return false;
        continue;
      }
      try {
        const whole = await this.handles.use(this.paths[s.fileIndex]!, undefined, false, (h) =>
          readFully(h, out, at, s.length, s.fileOffset));
        if (!whole) return false;
      } catch (error) {
        if (errnoCode(error) === 'ENOENT') return false;
        throw error;
      }
    }
    return true;
  }

  /** Moves bytes of wanted files out of the part file (a priority changed while we were closed). */
  private async settleWanted(): Promise<void> {
    const files = new Set<number>();
    for (const piece of this.part.pieces()) {
      for (const s of this.map.slices(piece)) if (!s.padding && this.wanted[s.fileIndex]) files.add(s.fileIndex);
    }
    for (let i = 0; i < this.layout.files.length; i++) {
      const file = this.layout.files[i]!;
      if (file.length === 0 && !file.padding && this.wanted[i]) files.add(i);
    }
    for (const f of files) await this.settleFile(f);
  }

  /** Gives a wanted file its place on disk: an empty file is created, bytes in the part file move in. */
  private async settleFile(fileIndex: number): Promise<void> {
    const file = this.layout.files[fileIndex]!;
    if (file.padding || (await this.onDisk(fileIndex))) return;
    const path = this.paths[fileIndex]!;
    if (file.length === 0) {
      await this.handles.use(path, 0, false, async () => undefined);
      this.exists[fileIndex] = 'yes';
      return;
    }
    const pieces = this.map.piecesOfFile(fileIndex).filter((p) => this.part.has(p));
    if (pieces.length === 0) return;
    for (const piece of pieces) {
      for (const s of this.map.slices(piece)) {
        if (s.fileIndex !== fileIndex) continue;
        const bytes = new Uint8Array(s.length);
        if (!(await this.part.read(piece, bytes, 0, s.pieceOffset, s.length))) {
          throw new StorageError('storage/missing', `part file ends inside piece ${piece}`);
        }
        await this.handles.use(path, file.length, true, (h) => writeFully(h, bytes, 0, s.length, s.fileOffset));
      }
    }
    // Durable in the file before the part file forgets it.
    await this.handles.syncAll();
    this.exists[fileIndex] = 'yes';
    for (const piece of pieces) {
      let stillNeeded = false;
      for (const s of this.map.slices(piece)) {
        if (!s.padding && !(await this.onDisk(s.fileIndex))) stillNeeded = true;
      }
      if (!stillNeeded) await this.part.free(piece);
    }
  }

  private async onDisk(fileIndex: number): Promise<boolean> {
    let known = this.exists[fileIndex];
    if (known === undefined) {
      known = (await fileState(this.paths[fileIndex]!)) === null ? 'no' : 'yes';
      this.exists[fileIndex] = known;
    }
    return known === 'yes';
  }

}

/** The absolute path of `parts` under `directory`, refusing anything that would land outside it. */
function inside(directory: string, parts: readonly string[]): string {
  const shown = parts.join('/').slice(0, 200);
  if (parts.length === 0 || parts.some((p) => p === '' || p.includes('\0'))) {
    throw new StorageError('storage/bad-path', `file path "${shown}" has an empty or NUL part`);
  }
  const path = resolve(directory, ...parts);
  const rel = relative(directory, path);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new StorageError('storage/bad-path', `file path "${shown}" leaves the download folder`);
  }
  return path;
}

async function fileState(path: string): Promise<FileState | null> {
  try {
    const s = await stat(path);
    return { size: s.size, mtime: Math.trunc(s.mtimeMs) };
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return null;
    throw error;
  }
}

function ignore(...codes: string[]): (error: unknown) => void {
  return (error) => {
    if (!codes.includes(errnoCode(error) ?? '')) throw error;
  };
}
