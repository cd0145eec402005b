import type { Batch } from './batches.js';
import { CreateError } from './errors.js';
import type { CreateSource } from './types.js';

export interface PipelineOptions {
  readonly inFlight: number;
  readonly bufferLength: number;
  readonly allocate: (byteLength: number) => Uint8Array;
}

async function fill(source: CreateSource, batch: Batch, buffer: Uint8Array): Promise<void> {
  for (const seg of batch.segments) {
    const target = buffer.subarray(seg.bufferOffset, seg.bufferOffset + seg.length);
    if (source.readInto !== undefined) {
      await source.readInto(seg.sourceIndex, seg.fileOffset, target);
    } else {
      const bytes = await source.read(seg.sourceIndex, seg.fileOffset, seg.length);
      if (bytes.length !== seg.length) {
        throw new CreateError('create/short-read', `file ${seg.sourceIndex} gave ${bytes.length} bytes where ${seg.length} were expected`);
      }
      target.set(bytes);
    }
  }
  // Padding bytes are zeros; the buffer may hold a previous batch.
  buffer.fill(0, batch.dataLength, batch.length);
}

interface Loading {
  readonly batch: Batch;
  readonly ready: Promise<Uint8Array>;
}

/**
 * Reads batches in order while up to `inFlight` of them are being hashed. The read of the next
 * batch is issued before the current one goes to the hasher, so a hasher that works on the calling
 * thread (the sidecar pool when all its workers are busy) overlaps with the read. Each batch owns
 * one buffer from the start of its read until its hashing settles.
 */
export async function runPipeline(
  batches: Iterable<Batch>,
  source: CreateSource,
  options: PipelineOptions,
  hashBatch: (batch: Batch, data: Uint8Array) => Promise<void>,
): Promise<void> {
  const free: Uint8Array[] = [];
  let allocated = 0;
  const pending = new Set<Promise<void>>();
  // An object, so the checks below see what the hashing callbacks record.
  const state: { failure: { error: unknown } | null } = { failure: null };

  const takeBufferNow = (): Uint8Array | null => {
    const buffer = free.pop();
    if (buffer !== undefined) return buffer;
    if (allocated >= options.inFlight) return null;
    allocated++;
    return options.allocate(options.bufferLength);
  };
  const takeBuffer = async (): Promise<Uint8Array> => {
    // Let the caller hand the batch it holds to the hasher first: that is what frees a buffer.
    await null;
    for (;;) {
      if (state.failure !== null) throw state.failure.error;
      const buffer = takeBufferNow();
      if (buffer !== null) return buffer;
      await Promise.race(pending);
    }
  };
  const start = (batch: Batch): Loading => {
    const now = takeBufferNow();
    const ready =
      now !== null
        ? fill(source, batch, now).then(() => now)
        : takeBuffer().then(async (buffer) => {
            await fill(source, batch, buffer);
            return buffer;
          });
    // A read that fails after hashing already failed must not go unhandled.
    ready.catch(() => undefined);
    return { batch, ready };
  };

  const iterator = batches[Symbol.iterator]();
  let step = iterator.next();
  let loading: Loading | null = step.done === true ? null : start(step.value);
  while (loading !== null && state.failure === null) {
    const buffer = await loading.ready;
    const { batch } = loading;
    step = iterator.next();
    loading = step.done === true ? null : start(step.value);
    const job: Promise<void> = hashBatch(batch, buffer.subarray(0, batch.length)).then(
      () => {
        pending.delete(job);
        free.push(buffer);
      },
      (error: unknown) => {
        pending.delete(job);
        state.failure ??= { error };
      },
    );
    pending.add(job);
  }
  await Promise.all(pending);
  if (state.failure !== null) throw state.failure.error;
}
