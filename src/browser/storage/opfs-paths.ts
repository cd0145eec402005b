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

/**
 * The torrent files already on disk below `root`, by their path parts joined with `/`, with their
 * handles: one listing per folder on the torrent's paths instead of one lookup per file (a fresh
 * torrent costs one listing however many files it has). Only folders some file's path goes through
 * are entered.
 */
export async function filesOnDisk(root: FileSystemDirectoryHandle, paths: readonly (readonly string[])[]): Promise<Map<string, FileSystemFileHandle>> {
  const folders = new Set<string>();
  for (const parts of paths) for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join('/'));
  const found = new Map<string, FileSystemFileHandle>();
  const walk = async (dir: FileSystemDirectoryHandle, prefix: string): Promise<void> => {
    const below: Promise<void>[] = [];
    for await (const [name, handle] of dir.entries()) {
      const path = prefix === '' ? name : `${prefix}/${name}`;
      if (handle.kind === 'file') found.set(path, handle as FileSystemFileHandle);
      else if (folders.has(path)) below.push(walk(handle as FileSystemDirectoryHandle, path));
    }
    await Promise.all(below);
  };
  await walk(root, '');
  return found;
}
