import { StorageError } from './errors.js';
import { RwLock } from './rw-lock.js';

/**
 * The lock discipline every store shares: an operation runs under the RwLock (shared for piece reads
 * and writes, exclusive for whole-file work), fails as `storage/closed` once the store is closed, and
 * any platform error it throws leaves as a StorageError naming what was being done. `always` is the
 * exclusive lock without the closed check, for deleting the data of a store that may already be closed.
 */
export class GuardedLock {
  private readonly lock = new RwLock();

  constructor(
    private readonly isClosed: () => boolean,
    private readonly toStorageError: (error: unknown, doing: string) => StorageError,
  ) {}

  shared<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    return this.guarded(doing, (run) => this.lock.shared(run), fn);
  }

  exclusive<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    return this.guarded(doing, (run) => this.lock.exclusive(run), fn);
  }

  always<T>(fn: () => Promise<T>): Promise<T> {
    return this.lock.exclusive(fn);
  }

  private guarded<T>(doing: string, lock: (run: () => Promise<T>) => Promise<T>, fn: () => Promise<T>): Promise<T> {
    return lock(async () => {
      if (this.isClosed()) throw new StorageError('storage/closed', `storage is closed (${doing})`);
      try {
        return await fn();
      } catch (error) {
        throw this.toStorageError(error, doing);
      }
    });
  }
}
