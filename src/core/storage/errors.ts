import { SluiceError } from '../errors.js';

export type StorageErrorCode =
  /** The disk is full (ENOSPC, or a quota). The piece that failed is not stored; nothing stored before is lost. */
  | 'storage/disk-full'
  /** Any other failure of the underlying store (permissions, I/O errors, a vanished folder). */
  | 'storage/io'
  /** The bytes asked for are not in the store (never written, or removed behind our back). */
  | 'storage/missing'
  /** A piece index, byte range or piece size outside the torrent's layout: a bug in the caller. */
  | 'storage/out-of-range'
  /** A file path that would land outside the download folder. */
  | 'storage/bad-path'
  /** The torrent layout is inconsistent (files overlapping, a piece count that does not match). */
  | 'storage/bad-layout'
  /** The store was closed (or its data deleted) and cannot be used any more. */
  | 'storage/closed';

export class StorageError extends SluiceError<StorageErrorCode> {
  override readonly name = 'StorageError';
}

export function isStorageError(value: unknown): value is StorageError {
  return value instanceof StorageError;
}
