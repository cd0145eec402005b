import type { CreateSource } from '../../../src/core/create/types.js';

/** File contents held in memory; `withReadInto: false` leaves only the plain `read` path. */
export function memorySource(contents: readonly Uint8Array[], withReadInto = true): CreateSource & { reads: number } {
  const source = {
    reads: 0,
    async read(fileIndex: number, offset: number, length: number): Promise<Uint8Array> {
      source.reads++;
      return contents[fileIndex]!.subarray(offset, offset + length);
    },
  };
  if (!withReadInto) return source;
  return Object.assign(source, {
    async readInto(fileIndex: number, offset: number, target: Uint8Array): Promise<void> {
      source.reads++;
      target.set(contents[fileIndex]!.subarray(offset, offset + target.length));
    },
  });
}
