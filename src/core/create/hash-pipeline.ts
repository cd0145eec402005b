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

/**
 * Reads batches one after another while up to `inFlight` of them are being hashed: the hasher (a
 * worker pool in the sidecar) works on earlier batches while the next one is read. Each in-flight
 * batch owns one buffer until its hashing settles.
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

  const takeBuffer = async (): Promise<Uint8Array> => {
    while (free.length === 0) {
      if (allocated < options.inFlight) {
        allocated++;
        return options.allocate(options.bufferLength);
      }
      await Promise.race(pending);
      if (state.failure !== null) throw state.failure.error;
    }
    return free.pop()!;
  };

  for (const batch of batches) {
    if (state.failure !== null) break;
    const buffer = await takeBuffer();
    await fill(source, batch, buffer);
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
