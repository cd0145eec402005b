import { createTorrent } from '../../../src/core/create/create.js';
import type { CreateOptions, CreateTuning, CreatedTorrent } from '../../../src/core/create/types.js';
import { nodeHasher } from '../hash/node-hasher.js';
import { startPieceWorkers } from '../hash/piece-workers.js';
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
  /**
   * v1: the calling thread hashes too, alongside one worker fewer (default false). Uses ~8% less CPU
   * (one worker isolate fewer) but measured slower in wall time on the shared 2-core VM; its event
   * loop is blocked until the hashing ends, so never inside a running session.
   */
  readonly callerHashes?: boolean;
}

/**
 * Creates a torrent of a file or folder. v1: worker threads open the files themselves, read whole
 * pieces with blocking reads and hash them, so the calling thread only waits. Hybrid: large reads
 * here, SHA-1 and the SHA-256 leaves hashed on a worker pool.
 */
export async function createTorrentFromPath(path: string, options: CreateFromPathOptions = {}): Promise<CreatedTorrent> {
  const walked = await walkPath(path);
  const name = options.name ?? walked.name;
  const files = walked.singleFile ? [{ path: [name], length: walked.files[0]!.length }] : walked.files;
  const total = files.reduce((sum, f) => sum + f.length, 0);
  const workers = options.workers ?? defaultPoolSize();
  const parallel = workers > 0 && total >= POOL_THRESHOLD;
  const callerHashes = options.callerHashes ?? false;
  const pieceWorkers =
    parallel && options.hybrid !== true
      ? startPieceWorkers({ workers: callerHashes && options.workers === undefined ? workers - 1 : workers, callerHashes })
      : null;
  const pool = parallel && pieceWorkers === null ? createHasherPool({ workers, callerHelps: 'while-starting' }) : null;
  const source = fsCreateSource(walked.absolutePaths);
  const tuning: CreateTuning | undefined =
    pieceWorkers !== null
      ? {
          hashV1Pieces: (plan, onBytes) =>
            pieceWorkers.hash({
              paths: plan.files.map((f) => walked.absolutePaths[f.sourceIndex]!),
              lengths: plan.files.map((f) => f.length),
              pieceLength: plan.pieceLength,
              onBytes,
            }),
        }
      : pool !== null
        ? { allocate: pool.allocate }
        : undefined;
  try {
    return await createTorrent({ ...options, name, files, singleFile: walked.singleFile }, source, pool?.hasher ?? nodeHasher, tuning);
  } finally {
    await source.close();
    await pool?.close();
    await pieceWorkers?.close();
  }
}
