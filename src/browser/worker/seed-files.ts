import { createTorrent, type CreatedTorrent } from '../../core/create/index.js';
import { SluiceError } from '../../core/errors.js';
import { pieceSlices, pieceSize } from '../../core/metainfo/layout.js';
import type { Metainfo } from '../../core/metainfo/model.js';
import { parseMetainfo } from '../../core/metainfo/index.js';
import type { Hasher } from '../../core/ports/hasher.js';
import type { StorageFactory, TorrentStorage } from '../../core/ports/storage.js';
import { toHex } from '../../core/util/hex.js';

export interface SeedFilesOptions {
  readonly files: readonly File[];
  /** Defaults to the single file's name, or the folder the files were picked from, or the first file's name. */
  readonly name?: string;
  /** Each file's path where it was picked or dropped (`folder/sub/file`); defaults to `webkitRelativePath`. */
  readonly paths?: readonly string[];
  readonly trackers: readonly string[];
  readonly hasher: Hasher;
  readonly storage: StorageFactory;
  /** Seconds since the epoch, for `creation date`. */
  readonly now: number;
  readonly onProgress: (hashedBytes: number, totalBytes: number) => void;
  /** Whether the engine already has the torrent of this key: its data is then left alone (it is the same store). */
  readonly known: (id: string) => boolean;
}

export interface SeededFiles {
  readonly created: CreatedTorrent;
  readonly metainfo: Metainfo;
  /** The store already holding every piece, to seed from; null when the engine already had the torrent. */
  readonly store: TorrentStorage | null;
}

/**
 * A torrent made from files the person picked, in the worker: hashed with the creator, then copied
 * piece by piece into the engine's storage so the torrent seeds from there (the picked files may go
 * away with the page). Empty selections and unreadable files are `seed/...` errors.
 */
export async function seedFiles(options: SeedFilesOptions): Promise<SeededFiles> {
  const files = options.files;
  if (files.length === 0) throw new SluiceError('seed/no-files', 'no files were chosen');
  const picked = files.map((f, i) => options.paths?.[i] || f.webkitRelativePath);
  const folder = commonFolder(picked);
  const singleFile = files.length === 1 && folder === null;
  const name = options.name ?? (singleFile ? files[0]!.name : (folder ?? files[0]!.name));
  const paths = files.map((f, i) => relativePath(f, picked[i]!, folder));
  const created = await createTorrent(
    {
      name,
      files: files.map((f, i) => ({ path: singleFile ? [name] : paths[i]!, length: f.size })),
      singleFile,
      announce: options.trackers.map((url) => [url]),
      creationDate: Math.floor(options.now),
      onProgress: options.onProgress,
    },
    { read: (index, offset, length) => readBytes(files[index]!, offset, length) },
    options.hasher,
  );
  const metainfo = await parseMetainfo(created.torrent, options.hasher);
  const byPath = new Map(paths.map((p, i) => [singleFile ? name : p.join('/'), files[i]!]));
  const source = metainfo.files.map((f) => byPath.get(f.path.join('/')) ?? null);
  // The key the session files the torrent under, so a later start opens the same data.
  const id = toHex(metainfo.infoHash ?? metainfo.infoHashV2!.subarray(0, 20));
  if (options.known(id)) return { created, metainfo, store: null };
  const store = await options.storage.open(metainfo, { id });
  try {
    for (let piece = 0; piece < metainfo.pieceCount; piece++) {
      const data = new Uint8Array(pieceSize(metainfo, piece));
      for (const slice of pieceSlices(metainfo, piece)) {
        const file = source[slice.fileIndex];
        if (!file) continue; // padding: zeros
        data.set(await readBytes(file, slice.fileOffset, slice.length), slice.spaceOffset - piece * metainfo.pieceLength);
      }
      await store.writePiece(piece, data);
    }
    await store.flush();
  } catch (err) {
    await store.deleteData().catch(() => {});
    throw err;
  }
  return { created, metainfo, store };
}

async function readBytes(file: File, offset: number, length: number): Promise<Uint8Array> {
  try {
    const bytes = new Uint8Array(await file.slice(offset, offset + length).arrayBuffer());
    if (bytes.length !== length) throw new Error(`read ${bytes.length} of ${length} bytes`);
    return bytes;
  } catch (err) {
    throw new SluiceError('seed/unreadable', `'${file.name}' could not be read: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The folder all files were picked from (an `<input webkitdirectory>`), if any. */
function commonFolder(picked: readonly string[]): string | null {
  const first = picked[0]?.split('/')[0];
  if (!first || picked.some((p) => p.split('/')[0] !== first || !p.includes('/'))) return null;
  return first;
}

function relativePath(file: File, picked: string, folder: string | null): string[] {
  if (folder !== null) return picked.split('/').slice(1);
  // Several things dropped at once (files beside folders): each keeps the path it was dropped with.
  return picked.includes('/') ? picked.split('/') : [file.name];
}
