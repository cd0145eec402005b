import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { CreateError } from '../../../src/core/create/errors.js';
import { MAX_FILES } from '../../../src/core/create/layout.js';
import { compareTreePaths } from '../../../src/core/create/path-order.js';
import type { CreateFile } from '../../../src/core/create/types.js';

export interface WalkedPath {
  /** The torrent name: the file's or folder's base name. */
  readonly name: string;
  readonly singleFile: boolean;
  /** Sorted part by part, byte-wise: the BEP 52 file tree order, so v1 and hybrid list files alike. */
  readonly files: readonly CreateFile[];
  /** The file on disk for each entry of `files`. */
  readonly absolutePaths: readonly string[];
}

function fsError(path: string, error: unknown): CreateError {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return new CreateError('create/not-found', `'${path}' does not exist`);
  return new CreateError('create/read-failed', `cannot read '${path}': ${code ?? String(error)}`);
}

/**
 * Lists the regular files under `path` (or `path` itself). Symbolic links are followed, as mktorrent
 * and libtorrent do; a link back to a folder being walked is an error. Sockets, FIFOs and devices
 * are left out; so are empty folders, which a torrent cannot hold.
 */
export async function walkPath(path: string): Promise<WalkedPath> {
  const root = resolve(path);
  const name = basename(root);
  let top;
  try {
    top = await stat(root);
  } catch (error) {
    throw fsError(path, error);
  }
  if (top.isFile()) {
    return { name, singleFile: true, files: [{ path: [name], length: top.size }], absolutePaths: [root] };
  }
  if (!top.isDirectory()) throw new CreateError('create/unsupported-file', `'${path}' is neither a file nor a folder`);

  const found: { file: CreateFile; absolute: string }[] = [];
  const walk = async (dir: string, parts: readonly string[], ancestors: ReadonlySet<string>): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      throw fsError(dir, error);
    }
    for (const entry of entries) {
      const absolute = join(dir, entry.name);
      let info;
      try {
        info = entry.isSymbolicLink() ? await stat(absolute) : entry;
      } catch (error) {
        throw fsError(absolute, error);
      }
      if (info.isDirectory()) {
        const real = await realpath(absolute);
        if (ancestors.has(real)) throw new CreateError('create/symlink-loop', `'${absolute}' links back to a folder that contains it`);
        await walk(absolute, [...parts, entry.name], new Set([...ancestors, real]));
      } else if (info.isFile()) {
        const size = 'size' in info ? info.size : (await stat(absolute)).size;
        found.push({ file: { path: [...parts, entry.name], length: size }, absolute });
        if (found.length > MAX_FILES) {
          throw new CreateError('create/too-many-files', `'${path}' holds more than ${MAX_FILES} files`);
        }
      }
    }
  };
  await walk(root, [], new Set([await realpath(root)]));
  found.sort((a, b) => compareTreePaths(a.file.path, b.file.path));
  return { name, singleFile: false, files: found.map((f) => f.file), absolutePaths: found.map((f) => f.absolute) };
}
