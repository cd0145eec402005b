import { createTorrent } from '../../../src/core/create/create.js';
import type { CreateOptions, CreatedTorrent } from '../../../src/core/create/types.js';
import { nodeHasher } from '../hash/node-hasher.js';
import { createHasherPool, defaultPoolSize } from '../hash/worker-pool.js';
import { fsCreateSource } from './fs-source.js';
import { walkPath } from './walk.js';

export { walkPath, type WalkedPath } from './walk.js';
export { fsCreateSource, type FsCreateSource } from './fs-source.js';

/** Below this, starting worker threads costs more than it saves. */
export const POOL_THRESHOLD = 16 * 1024 * 1024;

export interface CreateFromPathOptions extends Omit<CreateOptions, 'name' | 'files' | 'singleFile'> {
  /** Torrent name; defaults to the file's or folder's base name. */
  readonly name?: string;
  /**
   * Hash worker threads; 0 hashes on the calling thread. Defaults to one per core: the calling
   * thread only issues reads and hashes while the workers start, so this does not oversubscribe.
   */
  readonly workers?: number;
}

/** Creates a torrent of a file or folder: walks it, reads it with large reads, hashes on a worker pool. */
export async function createTorrentFromPath(path: string, options: CreateFromPathOptions = {}): Promise<CreatedTorrent> {
  const walked = await walkPath(path);
  const name = options.name ?? walked.name;
  const files = walked.singleFile ? [{ path: [name], length: walked.files[0]!.length }] : walked.files;
  const total = files.reduce((sum, f) => sum + f.length, 0);
  const workers = options.workers ?? defaultPoolSize();
  const pool = workers > 0 && total >= POOL_THRESHOLD ? createHasherPool({ workers, callerHelps: 'while-starting' }) : null;
  const source = fsCreateSource(walked.absolutePaths);
  try {
    return await createTorrent(
      { ...options, name, files, singleFile: walked.singleFile },
      source,
      pool?.hasher ?? nodeHasher,
      pool === null ? undefined : { allocate: pool.allocate },
    );
  } finally {
    await source.close();
    await pool?.close();
  }
}
