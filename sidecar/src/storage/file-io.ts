import { open } from 'node:fs/promises';
import { StorageError } from '../../../src/core/storage/errors.js';

/** The part of `fs.promises.FileHandle` the store uses; tests inject failing ones through it. */
export interface StorageFileHandle {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  truncate(length: number): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** Opens `path` with Node `fs` open flags ('r+' existing file, 'wx+' new file). */
export type OpenFile = (path: string, flags: 'r+' | 'wx+') => Promise<StorageFileHandle>;

export const openFile: OpenFile = (path, flags) => open(path, flags);

export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Node errors become one-line typed errors; typed errors pass through. */
export function toStorageError(error: unknown, doing: string): StorageError {
  if (error instanceof StorageError) return error;
  const code = errnoCode(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') return new StorageError('storage/disk-full', `disk full while ${doing}`);
  if (code === 'ENOENT') return new StorageError('storage/missing', `missing file while ${doing}`);
  const why = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  return new StorageError('storage/io', `${doing} failed: ${code ?? why}`);
}

/** Reads exactly `length` bytes at `position` into `buffer[offset..]`; false when the file ends first. */
export async function readFully(
  handle: StorageFileHandle,
  buffer: Uint8Array,
  offset: number,
  length: number,
  position: number,
): Promise<boolean> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, offset + done, length - done, position + done);
    if (bytesRead === 0) return false;
    done += bytesRead;
  }
  return true;
}

/** Positioned write of all of `buffer[offset..offset+length]` (short writes are continued). */
export async function writeFully(
  handle: StorageFileHandle,
  buffer: Uint8Array,
  offset: number,
  length: number,
  position: number,
): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesWritten } = await handle.write(buffer, offset + done, length - done, position + done);
    if (bytesWritten === 0) throw new StorageError('storage/io', `write made no progress at offset ${position + done}`);
    done += bytesWritten;
  }
}

/** fsync, where the file supports it: special files (a device, some FUSE mounts) answer EINVAL. */
export async function syncHandle(handle: StorageFileHandle): Promise<void> {
  try {
    await handle.sync();
  } catch (error) {
    const code = errnoCode(error);
    if (code !== 'EINVAL' && code !== 'ENOTSUP') throw error;
  }
}
