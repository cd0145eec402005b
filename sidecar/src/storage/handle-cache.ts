import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errnoCode, syncHandle, type OpenFile, type StorageFileHandle } from './file-io.js';

interface Entry {
  readonly handle: Promise<StorageFileHandle>;
  readonly creates: boolean;
  users: number;
  dirty: boolean;
}

/**
 * Open file handles, least recently used first. Torrents can have thousands of files and a process
 * a limited number of descriptors, so at most `capacity` idle handles stay open; handles in use are
 * never closed under their user (the cache may briefly hold more than `capacity` of them).
 */
export class HandleCache {
  private readonly entries = new Map<string, Entry>();
  private readonly closing = new Set<Promise<void>>();
  private evictionError: unknown = undefined;

  constructor(
    private readonly openFile: OpenFile,
    private readonly capacity: number,
  ) {}

  /**
   * Runs `fn` with a handle on `path`. With `createLength`, a missing file is created (with its
   * folders) and sized to `createLength` at once, so its size is final from the first write on;
   * without it, a missing file rejects with ENOENT.
   */
  async use<T>(path: string, createLength: number | undefined, writes: boolean, fn: (h: StorageFileHandle) => Promise<T>): Promise<T> {
    const entry = this.acquire(path, createLength);
    let handle: StorageFileHandle;
    try {
      handle = await entry.handle;
    } catch (error) {
      entry.users--;
      if (createLength !== undefined && !entry.creates && errnoCode(error) === 'ENOENT') {
        return this.use(path, createLength, writes, fn);
      }
      throw error;
    }
    try {
      return await fn(handle);
    } finally {
      entry.users--;
      if (writes) entry.dirty = true;
      this.evict();
    }
  }

  /** Makes every written handle durable; reports a failure of an earlier eviction too. */
  async syncAll(): Promise<void> {
    await Promise.all([...this.closing]);
    const pending = this.evictionError;
    this.evictionError = undefined;
    if (pending !== undefined) throw pending;
    await Promise.all([...this.entries.values()].map(async (entry) => {
      if (!entry.dirty) return;
      entry.dirty = false;
      await syncHandle(await entry.handle);
    }));
  }

  /** Closes every handle (syncing written ones); the cache stays usable. */
  async closeAll(sync: boolean): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    const results = await Promise.allSettled([
      ...this.closing,
      ...entries.map((entry) => this.closeEntry(entry, sync)),
    ]);
    const failed = results.find((r) => r.status === 'rejected');
    if (sync && failed !== undefined) throw failed.reason;
  }

  private acquire(path: string, createLength: number | undefined): Entry {
    let entry = this.entries.get(path);
    if (entry === undefined) {
      const created: Entry = {
        handle: this.open(path, createLength),
        creates: createLength !== undefined,
        users: 0,
        dirty: false,
      };
      created.handle.catch(() => {
        if (this.entries.get(path) === created) this.entries.delete(path);
      });
      entry = created;
    } else {
      this.entries.delete(path);
    }
    this.entries.set(path, entry);
    entry.users++;
    return entry;
  }

  private async open(path: string, createLength: number | undefined): Promise<StorageFileHandle> {
    try {
      return await this.openFile(path, 'r+');
    } catch (error) {
      if (createLength === undefined || errnoCode(error) !== 'ENOENT') throw error;
    }
    await mkdir(dirname(path), { recursive: true });
    let handle: StorageFileHandle;
    try {
      handle = await this.openFile(path, 'wx+');
    } catch (error) {
      if (errnoCode(error) === 'EEXIST') return this.openFile(path, 'r+');
      throw error;
    }
    try {
      await handle.truncate(createLength);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    return handle;
  }

  private evict(): void {
    if (this.entries.size <= this.capacity) return;
    for (const [path, entry] of this.entries) {
      if (this.entries.size <= this.capacity) break;
      if (entry.users > 0) continue;
      this.entries.delete(path);
      const closing = this.closeEntry(entry, true).catch((error: unknown) => {
        this.evictionError ??= error;
      });
      this.closing.add(closing);
      void closing.finally(() => this.closing.delete(closing));
    }
  }

  private async closeEntry(entry: Entry, sync: boolean): Promise<void> {
    let handle: StorageFileHandle;
    try {
      handle = await entry.handle;
    } catch {
      return;
    }
    try {
      if (sync && entry.dirty) await syncHandle(handle);
    } finally {
      await handle.close();
    }
  }
}
