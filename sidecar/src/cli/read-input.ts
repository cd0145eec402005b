import { readFile } from 'node:fs/promises';
import { SluiceError } from '../../../src/core/errors.js';
import type { Metainfo } from '../../../src/core/metainfo/model.js';
import { parseMetainfo } from '../../../src/core/metainfo/parse.js';
import { nodeHasher } from '../hash/node-hasher.js';

export class InputError extends SluiceError<'cli/cannot-read'> {
  override readonly name = 'InputError';
  constructor(message: string) {
    super('cli/cannot-read', message);
  }
}

/** Torrent files are small; a bound keeps a mistaken path (a video, /dev/zero) from filling memory. */
export const MAX_TORRENT_FILE_BYTES = 64 * 1024 * 1024;

export async function readTorrentFile(path: string): Promise<Uint8Array> {
  try {
    const { open } = await import('node:fs/promises');
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      if (size > MAX_TORRENT_FILE_BYTES) {
        throw new InputError(`'${path}' is ${size} bytes, too large to be a torrent file (limit ${MAX_TORRENT_FILE_BYTES})`);
      }
    } finally {
      await handle.close();
    }
    const data = await readFile(path);
    return new Uint8Array(data.buffer, data.byteOffset, data.length);
  } catch (err) {
    if (err instanceof SluiceError) throw err;
    throw new InputError(`cannot read '${path}': ${describeFsError(err)}`);
  }
}

/** The metainfo of a .torrent file; when the file is not a valid torrent, the error names it (and keeps the parser's code). */
export async function readMetainfoFile(path: string): Promise<Metainfo> {
  const bytes = await readTorrentFile(path);
  try {
    return await parseMetainfo(bytes, nodeHasher);
  } catch (err) {
    if (!(err instanceof SluiceError)) throw err;
    throw new SluiceError(err.code, `'${path}' is not a valid torrent file: ${err.message}`);
  }
}

export function describeFsError(err: unknown): string {
  const code = (err as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ENOSPC':
      return 'no space left on device';
    default:
      return err instanceof Error ? err.message.split('\n')[0]! : String(err);
  }
}
