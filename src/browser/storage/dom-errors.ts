import { StorageError } from '../../core/storage/errors.js';

/**
 * Chromium 156's `FileSystemSyncAccessHandle.write` does not throw when the origin's quota is used
 * up, as the spec says it should: it returns base::File::FILE_ERROR_NO_SPACE (-8) as an unsigned
 * 32-bit number. Measured here with `Storage.overrideQuotaForOrigin`; Firefox throws.
 */
const CHROMIUM_NO_SPACE = 2 ** 32 - 8;

/** The quota failure people see: what ran out, and what they can do about it, on one line. */
export function quotaExceeded(doing: string): StorageError {
  return new StorageError(
    'storage/disk-full',
    `the browser's storage quota for this site is used up (${doing}); free space or remove torrents, then resume`,
  );
}

/** Checks a sync access handle's write result: every byte, or a typed failure. */
export function checkWritten(written: number, expected: number, doing: string): void {
  if (written === expected) return;
  if (written === CHROMIUM_NO_SPACE) throw quotaExceeded(doing);
  throw new StorageError('storage/io', `short write (${written} of ${expected} bytes) ${doing}`);
}

function domName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'name' in error && typeof error.name === 'string' ? error.name : undefined;
}

export function isNotFound(error: unknown): boolean {
  return domName(error) === 'NotFoundError';
}

/**
 * A DOMException from OPFS or IndexedDB as a StorageError with a one-line message. Quota → the
 * engine's `storage/disk-full` (it pauses the torrent with this message; resuming retries).
 */
export function toStorageError(error: unknown, doing: string): StorageError {
  if (error instanceof StorageError) return error;
  const name = domName(error);
  const detail = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200);
  switch (name) {
    case 'QuotaExceededError':
      return quotaExceeded(doing);
    case 'NotFoundError':
      return new StorageError('storage/missing', `${doing}: it was removed (${detail})`);
    case 'TypeMismatchError':
      return new StorageError('storage/bad-path', `${doing}: a file and a folder share a name (${detail})`);
    case 'NoModificationAllowedError':
      return new StorageError('storage/io', `${doing}: the file is in use, probably by Sluice in another tab (${detail})`);
    default:
      return new StorageError('storage/io', `${doing}: ${name ?? 'error'}: ${detail}`);
  }
}
