import { closeSync, openSync, readSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { CreateError } from '../../../src/core/create/errors.js';
import { SluiceError } from '../../../src/core/errors.js';
import { digestSync } from './node-hasher.js';
import { hashClaimedChunks, type ChunkDeps } from './piece-chunks.js';
import { PIECE_WORKER_SOURCE } from './piece-worker-source.js';

/**
 * Bytes each thread reads and hashes per claim (rounded to whole pieces, at least one). Small
 * enough that the buffer is still in cache when it is hashed after the read's copy and that the
 * last claims even out the cores; large enough that the shared counter and progress messages cost
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

export interface PieceWorkersOptions {
  /** Worker threads (0 is allowed when the caller hashes). */
  readonly workers: number;
  /**
   * The calling thread claims chunks too, with blocking reads: one worker fewer to start, and it
   * starts hashing at once while the workers boot — but its event loop is blocked until the
   * hashing ends. For a command that has nothing else to do (`sluice create`, `seed` before its
   * session starts), not for a running session.
   */
  readonly callerHashes?: boolean;
  readonly chunkBytes?: number;
}

export interface PieceWorkers {
  /** Reads and hashes every v1 piece; resolves to the 20-byte SHA-1s end to end. Once per pool. */
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

const callerDeps: ChunkDeps = {
  openSync,
  readSync,
  closeSync,
  sha1: (data) => digestSync('sha1', data),
  fail: (code, message) => new CreateError(code === 'short-read' ? 'create/short-read' : 'create/read-failed', message),
};

function replyError(reply: Reply): Error {
  const message = reply.error ?? 'no reason given';
  if (reply.code === 'short-read') return new CreateError('create/short-read', message);
  if (reply.code === 'read-failed') return new CreateError('create/read-failed', message);
  return new SluiceError('hash/worker-failed', `hash worker failed: ${message}`);
}

/**
 * Threads that each open the files themselves and read with blocking reads into their own buffer,
 * so no buffer crosses threads: only progress and, at the end, the shared piece hashes. Workers
 * are started before the job is known, so their start-up overlaps whatever the caller does next.
 */
export function startPieceWorkers(options: PieceWorkersOptions): PieceWorkers {
  const callerHashes = options.callerHashes ?? false;
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const count = callerHashes ? Math.max(0, options.workers) : Math.max(1, options.workers);
  const workers = Array.from({ length: count }, () => {
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
    const chunk = {
      paths: job.paths,
      lengths: job.lengths,
      pieceLength: job.pieceLength,
      chunkPieces: Math.max(1, Math.floor(chunkBytes / job.pieceLength)),
      next: new Int32Array(new SharedArrayBuffer(4)),
      pieces: new Uint8Array(new SharedArrayBuffer(pieceCount * 20)),
    };
    return new Promise<Uint8Array>((resolve, reject) => {
      let running = workers.length + (callerHashes ? 1 : 0);
      let failed = false;
      const fail = (error: Error) => {
        if (failed) return;
        failed = true;
        // Stops the other threads at their next claim.
        Atomics.store(chunk.next, 0, 0x3fffffff);
        reject(error);
      };
      const finished = () => {
        if (--running === 0 && !failed) resolve(chunk.pieces);
      };
      for (const worker of workers) {
        worker.ref();
        worker.on('message', (reply: Reply) => {
          if (reply.bytes !== undefined) {
            if (!failed) job.onBytes?.(reply.bytes);
            return;
          }
          worker.unref();
          if (reply.done === true) finished();
          else fail(replyError(reply));
        });
        worker.once('error', (error) => fail(new SluiceError('hash/worker-failed', `hash worker crashed: ${error.message}`)));
        worker.once('exit', () => fail(new SluiceError('hash/pool-closed', 'the hash workers are closed')));
        worker.postMessage(chunk);
      }
      if (callerHashes) {
        try {
          hashClaimedChunks(chunk, callerDeps, (bytes) => job.onBytes?.(bytes));
          finished();
        } catch (error) {
          fail(error as Error);
        }
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
