import { Worker } from 'node:worker_threads';
import { CreateError } from '../../../src/core/create/errors.js';
import { SluiceError } from '../../../src/core/errors.js';
import { PIECE_WORKER_SOURCE } from './piece-worker-source.js';

/**
 * Bytes each worker reads and hashes per claim (rounded to whole pieces, at least one). Small
 * enough that the buffer stays in cache between the read's copy and the hashing, and that the
 * last claims even out two cores; large enough that the shared counter and progress messages cost
 * nothing.
 */
export const DEFAULT_CHUNK_BYTES = 2 * 1024 * 1024;

export interface PieceJob {
  /** The files, laid end to end in this order (v1 piece space, no padding). */
  readonly paths: readonly string[];
  readonly lengths: readonly number[];
  readonly pieceLength: number;
  readonly onBytes?: (bytes: number) => void;
}

export interface PieceWorkers {
  /** Reads and hashes every v1 piece on the workers; resolves to the 20-byte SHA-1s end to end. Once per pool. */
  hash(job: PieceJob): Promise<Uint8Array>;
  /** Ends the workers (a job still running fails). */
  close(): Promise<void>;
}

interface Reply {
  bytes?: number;
  done?: boolean;
  error?: string;
  code?: string;
}

/**
 * Worker threads that each open the files themselves and read with blocking reads into their own
 * buffer, so the main thread neither reads nor moves buffers: it only waits. Started before the
 * job is known, so their start-up overlaps the caller's walk.
 */
export function startPieceWorkers(count: number, chunkBytes = DEFAULT_CHUNK_BYTES): PieceWorkers {
  const workers = Array.from({ length: Math.max(1, count) }, () => {
    const worker = new Worker(PIECE_WORKER_SOURCE, { eval: true });
    // Idle workers waiting for a job must not keep the process alive.
    worker.unref();
    return worker;
  });
  let used = false;

  const hash = (job: PieceJob): Promise<Uint8Array> => {
    if (used) return Promise.reject(new SluiceError('hash/pool-closed', 'piece workers take one job'));
    used = true;
    const total = job.lengths.reduce((a, b) => a + b, 0);
    const pieceCount = Math.ceil(total / job.pieceLength);
    const pieces = new Uint8Array(new SharedArrayBuffer(pieceCount * 20));
    const next = new Int32Array(new SharedArrayBuffer(4));
    const chunkPieces = Math.max(1, Math.floor(chunkBytes / job.pieceLength));
    return new Promise<Uint8Array>((resolve, reject) => {
      let running = workers.length;
      let failed = false;
      const fail = (error: Error) => {
        if (failed) return;
        failed = true;
        // Stops the other workers at their next claim.
        Atomics.store(next, 0, 0x3fffffff);
        reject(error);
      };
      for (const worker of workers) {
        worker.ref();
        worker.on('message', (reply: Reply) => {
          if (reply.bytes !== undefined) {
            if (!failed) job.onBytes?.(reply.bytes);
          } else if (reply.done === true) {
            worker.unref();
            if (--running === 0 && !failed) resolve(pieces);
          } else {
            worker.unref();
            const message = reply.error ?? 'no reason given';
            if (reply.code === 'short-read') fail(new CreateError('create/short-read', message));
            else if (reply.code === 'read-failed') fail(new CreateError('create/read-failed', message));
            else fail(new SluiceError('hash/worker-failed', `hash worker failed: ${message}`));
          }
        });
        worker.once('error', (error) => fail(new SluiceError('hash/worker-failed', `hash worker crashed: ${error.message}`)));
        worker.once('exit', () => fail(new SluiceError('hash/pool-closed', 'the hash workers are closed')));
        worker.postMessage({ paths: job.paths, lengths: job.lengths, pieceLength: job.pieceLength, chunkPieces, next, pieces });
      }
    });
  };

  return {
    hash,
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
