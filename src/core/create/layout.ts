import { CreateError } from './errors.js';
import { compareTreePaths } from './path-order.js';
import { autoPieceLength, isValidPieceLength } from './piece-length.js';
import type { CreateOptions } from './types.js';

/**
 * libtorrent refuses torrents with more than 2^21 pieces by default (load_torrent_limits.max_pieces);
 * a torrent other clients cannot open is no use.
 */
export const MAX_PIECES = 0x200000;
/**
 * A hybrid torrent spends about 14 bencode tokens per file (list entry, pad entry, tree node);
 * 100,000 files stays well inside libtorrent's default 3,000,000-token limit.
 */
export const MAX_FILES = 100_000;

/** A content file placed in piece space. */
export interface LayoutFile {
  /** Index into CreateOptions.files (what CreateSource reads). */
  readonly sourceIndex: number;
  readonly path: readonly string[];
  readonly length: number;
  /** Offset of its first byte in piece space. */
  readonly offset: number;
  /** BEP 47 padding bytes after it (hybrid only: aligns the next file, and the tail, to a piece). */
  readonly padAfter: number;
}

export interface TorrentLayout {
  readonly name: string;
  readonly singleFile: boolean;
  readonly hybrid: boolean;
  readonly pieceLength: number;
  readonly pieceCount: number;
  /** Content plus padding. */
  readonly pieceSpaceLength: number;
  /** Content only. */
  readonly totalLength: number;
  /** In torrent order (tree order for hybrid, as given for v1). */
  readonly files: readonly LayoutFile[];
}

function checkPart(part: string, what: string, code: 'create/bad-path' | 'create/bad-name' = 'create/bad-path'): void {
  if (part === '' || part === '.' || part === '..' || part.includes('/') || part.includes('\0')) {
    throw new CreateError(code, `${what} '${part.slice(0, 64)}' is not a usable file name`);
  }
}

function checkPaths(files: readonly { path: readonly string[] }[]): void {
  const filesSeen = new Set<string>();
  const dirsSeen = new Set<string>();
  for (const f of files) {
    if (f.path.length === 0) throw new CreateError('create/bad-path', 'a file in the torrent has an empty path');
    for (const part of f.path) checkPart(part, 'path part');
    const key = f.path.join('\0');
    if (filesSeen.has(key) || dirsSeen.has(key)) {
      throw new CreateError('create/duplicate-path', `'${f.path.join('/').slice(0, 128)}' appears twice, or as a file and a folder`);
    }
    filesSeen.add(key);
    for (let i = 1; i < f.path.length; i++) {
      const dir = f.path.slice(0, i).join('\0');
      if (filesSeen.has(dir)) {
        throw new CreateError('create/duplicate-path', `'${f.path.slice(0, i).join('/').slice(0, 128)}' is both a file and a folder`);
      }
      dirsSeen.add(dir);
    }
  }
}

/** Validates the options and places every file in piece space. Throws CreateError. */
export function planLayout(options: CreateOptions): TorrentLayout {
  const { files, singleFile } = options;
  const hybrid = options.hybrid === true;
  checkPart(options.name, 'torrent name', 'create/bad-name');
  if (files.length === 0) throw new CreateError('create/no-files', 'there are no files to put in the torrent');
  if (files.length > MAX_FILES) {
    throw new CreateError('create/too-many-files', `${files.length} files; the limit is ${MAX_FILES}`);
  }
  if (singleFile && files.length !== 1) {
    throw new CreateError('create/single-file-count', `a single-file torrent needs exactly one file, got ${files.length}`);
  }
  let totalLength = 0;
  for (const f of files) {
    if (!Number.isSafeInteger(f.length) || f.length < 0) {
      throw new CreateError('create/bad-length', `file '${f.path.join('/').slice(0, 128)}' has a bad length ${f.length}`);
    }
    totalLength += f.length;
  }
  if (!Number.isSafeInteger(totalLength)) throw new CreateError('create/bad-length', 'the files are too large in total');
  if (totalLength === 0) throw new CreateError('create/empty', 'nothing to share: every file is empty');
  if (!singleFile) checkPaths(files);

  const pieceLength = options.pieceLength ?? autoPieceLength(totalLength);
  if (!isValidPieceLength(pieceLength)) {
    throw new CreateError('create/bad-piece-length', `piece length ${pieceLength} is not a power of two from 16 KiB to 16 MiB`);
  }

  const order = files.map((f, i) => ({ f, i }));
  // BEP 52: a hybrid's v1 file list must follow the file tree's order.
  if (hybrid) order.sort((a, b) => compareTreePaths(a.f.path, b.f.path));
  const placed: LayoutFile[] = [];
  let offset = 0;
  for (const { f, i } of order) {
    const rest = f.length % pieceLength;
    const padAfter = hybrid && !singleFile && rest !== 0 ? pieceLength - rest : 0;
    placed.push({ sourceIndex: i, path: singleFile ? [options.name] : f.path, length: f.length, offset, padAfter });
    offset += f.length + padAfter;
  }
  const pieceCount = Math.ceil(offset / pieceLength);
  if (pieceCount > MAX_PIECES) {
    throw new CreateError('create/too-many-pieces', `${pieceCount} pieces; the limit is ${MAX_PIECES} (use a larger piece length)`);
  }
  return { name: options.name, singleFile, hybrid, pieceLength, pieceCount, pieceSpaceLength: offset, totalLength, files: placed };
}
