import type { StorageLayout } from '../../core/ports/storage.js';
import { StorageError } from '../../core/storage/errors.js';
import { isNotFound } from './dom-errors.js';

/**
 * Torrent paths are untrusted. The metainfo parser already refuses these parts, but a layout can
 * reach a store from elsewhere (a saved torrent list, a test), so the store checks again: a part
 * that is empty, `.`, `..`, or holds a separator or NUL is refused rather than rewritten, because
 * rewriting could make two files of the torrent collide.
 */
function checkPart(part: string, shown: string): void {
  if (part === '' || part === '.' || part === '..' || /[/\\\0]/.test(part)) {
    throw new StorageError('storage/bad-path', `file path "${shown}" has an empty, dot, separator or NUL part`);
  }
}

/** Each file's path below the torrent's `files` folder, as the filesystem store lays it out; `[]` for padding. */
export function filePaths(layout: StorageLayout): string[][] {
  return layout.files.map((file) => {
    if (file.padding) return [];
    const parts = layout.singleFile ? [...file.path] : [layout.name, ...file.path];
    const shown = parts.join('/').slice(0, 200);
    if (parts.length === 0) throw new StorageError('storage/bad-path', 'a file has an empty path');
    for (const part of parts) checkPart(part, shown);
    return parts;
  });
}

export function checkStorageId(id: string): void {
  if (!/^[0-9a-f]{2,128}$/.test(id)) throw new StorageError('storage/bad-path', `storage id "${id.slice(0, 80)}" is not lower-case hex`);
}

/** The folder at `parts` below `root`; null when it does not exist and `create` is false. */
export async function folderAt(root: FileSystemDirectoryHandle, parts: readonly string[], create: boolean): Promise<FileSystemDirectoryHandle | null> {
  let dir = root;
  for (const part of parts) {
    try {
      dir = await dir.getDirectoryHandle(part, { create });
    } catch (error) {
      if (!create && isNotFound(error)) return null;
      throw error;
    }
  }
  return dir;
}

/** The file at `parts` below `root`, with its folders; null when it does not exist and `create` is false. */
export async function fileAt(root: FileSystemDirectoryHandle, parts: readonly string[], create: boolean): Promise<FileSystemFileHandle | null> {
  const dir = await folderAt(root, parts.slice(0, -1), create);
  if (dir === null) return null;
  try {
    return await dir.getFileHandle(parts[parts.length - 1]!, { create });
  } catch (error) {
    if (!create && isNotFound(error)) return null;
    throw error;
  }
}
