import { open, type FileHandle } from 'node:fs/promises';
import { CreateError } from '../../../src/core/create/errors.js';
import type { CreateSource } from '../../../src/core/create/types.js';

export interface FsCreateSource extends CreateSource {
  close(): Promise<void>;
}

/**
 * Reads files straight into the creator's buffers, one large read per batch segment. The creator
 * reads files in order, so one open handle at a time is enough, however many files there are.
 */
export function fsCreateSource(paths: readonly string[]): FsCreateSource {
  let current: { index: number; handle: FileHandle } | null = null;

  const handleFor = async (index: number): Promise<FileHandle> => {
    if (current?.index === index) return current.handle;
    const path = paths[index];
    if (path === undefined) throw new CreateError('create/read-failed', `no file number ${index}`);
    if (current !== null) {
      const old = current.handle;
      current = null;
      await old.close();
    }
    try {
      current = { index, handle: await open(path, 'r') };
    } catch (error) {
      throw new CreateError('create/read-failed', `cannot open '${path}': ${(error as { code?: string }).code ?? String(error)}`);
    }
    return current.handle;
  };

  const readInto = async (fileIndex: number, offset: number, target: Uint8Array): Promise<void> => {
    const handle = await handleFor(fileIndex);
    let done = 0;
    while (done < target.length) {
      const { bytesRead } = await handle.read(target, done, target.length - done, offset + done);
      if (bytesRead === 0) {
        throw new CreateError('create/short-read', `'${paths[fileIndex]}' got shorter while it was being hashed`);
      }
      done += bytesRead;
    }
  };

  return {
    readInto,
    async read(fileIndex, offset, length) {
      const target = new Uint8Array(length);
      await readInto(fileIndex, offset, target);
      return target;
    },
    async close() {
      const open = current;
      current = null;
      await open?.handle.close();
    },
  };
}
