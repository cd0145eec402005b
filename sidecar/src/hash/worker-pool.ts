import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SluiceError } from '../../../src/core/errors.js';
import type { HashAlgorithm, Hasher } from '../../../src/core/ports/hasher.js';
import { digestBlocksSync, digestSync } from './node-hasher.js';
import { HASH_WORKER_SOURCE } from './worker-source.js';

/** Below this a round trip to a worker costs more than hashing here (merkle layers, info dicts). */
export const INLINE_BELOW = 64 * 1024;

export interface HasherPool {
  /** Spreads calls over the workers; several calls in flight keep every worker busy. */
  readonly hasher: Hasher;
  /** Shared memory: the workers hash bytes in these buffers without a copy. */
  allocate(byteLength: number): Uint8Array;
  readonly workers: number;
  /** Ends the workers; calls still in flight fail. */
  close(): Promise<void>;
}

interface Job {
  resolve(out: Uint8Array): void;
  reject(error: Error): void;
}

interface Slot {
  readonly worker: Worker;
  readonly jobs: Map<number, Job>;
  online: boolean;
}

interface Reply {
  id: number;
  out?: Uint8Array;
  error?: string;
}

/** One worker per core by default: the main thread mostly waits on reads, so this does not oversubscribe. */
export function defaultPoolSize(): number {
  return Math.max(1, Math.min(availableParallelism(), 8));
}

export interface HasherPoolOptions {
  /** Worker threads. */
  readonly workers?: number;
  /**
   * When the calling thread hashes a large input itself instead of queueing it:
   * - 'never': always a worker (the caller's event loop never blocks on hashing);
   * - 'while-starting': until a worker is up (worker start costs tens of milliseconds);
   * - 'when-busy': also whenever every worker already has a job, so (cores - 1) workers plus
   *   the caller fill every core.
   */
  readonly callerHelps?: 'never' | 'while-starting' | 'when-busy';
}

/** The one piece of the WebAssembly global used here (the sidecar's TypeScript libs do not declare it). */
declare const WebAssembly: {
  Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => { buffer: SharedArrayBuffer };
};

const WASM_PAGE = 65536;

/**
 * Shared memory for read buffers, page-aligned when it can be (shared WebAssembly memory is): the
 * kernel's copy from the page cache into malloc's blocks, 16 bytes into a page, costs more.
 */
function allocateShared(byteLength: number): Uint8Array {
  if (typeof WebAssembly === 'object' && byteLength >= WASM_PAGE) {
    const pages = Math.ceil(byteLength / WASM_PAGE);
    return new Uint8Array(new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }).buffer, 0, byteLength);
  }
  return new Uint8Array(new SharedArrayBuffer(byteLength));
}

export function createHasherPool(options: HasherPoolOptions = {}): HasherPool {
  const workers = options.workers ?? defaultPoolSize();
  const callerHelps = options.callerHelps ?? 'never';
  const slots: Slot[] = [];
  let nextId = 1;
  let broken: Error | null = null;

  const failAll = (error: Error) => {
    broken ??= error;
    for (const slot of slots) {
      for (const job of slot.jobs.values()) job.reject(error);
      slot.jobs.clear();
    }
  };

  for (let i = 0; i < workers; i++) {
    const worker = new Worker(HASH_WORKER_SOURCE, { eval: true });
    const slot: Slot = { worker, jobs: new Map(), online: false };
    worker.once('online', () => {
      slot.online = true;
    });
    // An idle pool must not keep the process alive; a busy one must.
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const job = slot.jobs.get(reply.id);
      if (job === undefined) return;
      slot.jobs.delete(reply.id);
      if (slot.jobs.size === 0) worker.unref();
      if (reply.out !== undefined) job.resolve(reply.out);
      else job.reject(new SluiceError('hash/worker-failed', `hash worker failed: ${reply.error ?? 'no reason given'}`));
    });
    worker.on('error', (error) => failAll(new SluiceError('hash/worker-failed', `hash worker crashed: ${error.message}`)));
    worker.on('exit', () => failAll(new SluiceError('hash/pool-closed', 'the hash worker pool is closed')));
    slots.push(slot);
  }

  const submit = (algorithm: HashAlgorithm, data: Uint8Array, blockSize: number): Promise<Uint8Array> => {
    if (broken !== null) return Promise.reject(broken);
    let slot = slots[0]!;
    for (const s of slots) if (s.jobs.size < slot.jobs.size) slot = s;
    const id = nextId++;
    const shared = data.buffer instanceof SharedArrayBuffer;
    // A plain buffer is copied once (the caller keeps its own); shared memory crosses as is.
    const payload = shared ? data : data.slice();
    return new Promise<Uint8Array>((resolve, reject) => {
      slot.jobs.set(id, { resolve, reject });
      slot.worker.ref();
      slot.worker.postMessage({ id, algorithm, data: payload, blockSize }, shared ? [] : [payload.buffer as ArrayBuffer]);
    });
  };

  const inline = (length: number): boolean => {
    if (length < INLINE_BELOW) return true;
    if (callerHelps === 'never') return false;
    if (callerHelps === 'while-starting') return slots.every((s) => !s.online);
    return slots.every((s) => !s.online || s.jobs.size > 0);
  };

  const hasher: Hasher = {
    async digest(algorithm, data) {
      return inline(data.length) ? digestSync(algorithm, data) : submit(algorithm, data, 0);
    },
    async digestBlocks(algorithm, data, blockSize) {
      return inline(data.length) ? digestBlocksSync(algorithm, data, blockSize) : submit(algorithm, data, blockSize);
    },
  };

  return {
    hasher,
    workers,
    allocate: allocateShared,
    async close() {
      failAll(new SluiceError('hash/pool-closed', 'the hash worker pool is closed'));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
