/**
 * Open `FileSystemSyncAccessHandle`s, one per torrent file, kept open between writes: opening one is
 * an async round trip to the browser's storage process and takes the file's exclusive lock, so the
 * store opens a file's handle once and then reads and writes it synchronously. Large torrents have
 * thousands of files, so at most `limit` idle handles stay open (least recently used closed first);
 * a handle in use is never closed under its user.
 */
export class SyncHandles {
  private readonly entries = new Map<number, { handle: Promise<FileSystemSyncAccessHandle>; users: number }>();
  /** Handles being closed: a file's next handle can only be created once its previous one is closed. */
  private readonly closing = new Map<number, Promise<void>>();

  constructor(
    private readonly open: (fileIndex: number) => Promise<FileSystemSyncAccessHandle>,
    private readonly limit: number,
  ) {}

  /** Runs `fn` with file `fileIndex`'s handle, opening it first if needed. */
  async use<T>(fileIndex: number, fn: (handle: FileSystemSyncAccessHandle) => T): Promise<T> {
    let entry = this.entries.get(fileIndex);
    if (entry === undefined) {
      const closed = this.closing.get(fileIndex) ?? Promise.resolve();
      const created = { handle: closed.then(() => this.open(fileIndex)), users: 0 };
      // A failed open is forgotten, so the next use tries again.
      created.handle.catch(() => {
        if (this.entries.get(fileIndex) === created) this.entries.delete(fileIndex);
      });
      entry = created;
    } else {
      this.entries.delete(fileIndex); // re-inserted last: Map order is recency
    }
    this.entries.set(fileIndex, entry);
    entry.users++;
    try {
      const handle = await entry.handle;
      return fn(handle);
    } finally {
      entry.users--;
      await this.evict();
    }
  }

  has(fileIndex: number): boolean {
    return this.entries.has(fileIndex);
  }

  /** Flushes every open handle (OPFS writes reach the disk on flush or close). */
  async flushAll(): Promise<void> {
    for (const handle of await this.settled()) handle.flush();
  }

  /** Closes file `fileIndex`'s handle if it is open and idle, so `getFile()` sees a settled file. */
  async release(fileIndex: number): Promise<void> {
    const entry = this.entries.get(fileIndex);
    if (entry === undefined || entry.users > 0) return;
    this.entries.delete(fileIndex);
    const done = entry.handle.then((handle) => {
      handle.flush();
      handle.close();
    }, () => undefined).finally(() => {
      if (this.closing.get(fileIndex) === done) this.closing.delete(fileIndex);
    });
    this.closing.set(fileIndex, done);
    await done;
  }

  /** Closes every handle; `flush` first unless the files are about to be deleted. */
  async closeAll(flush: boolean): Promise<void> {
    const handles = await this.settled();
    this.entries.clear();
    for (const handle of handles) {
      if (flush) handle.flush();
      handle.close();
    }
    await Promise.all(this.closing.values());
  }

  private async settled(): Promise<FileSystemSyncAccessHandle[]> {
    const results = await Promise.allSettled([...this.entries.values()].map((e) => e.handle));
    return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  private async evict(): Promise<void> {
    for (const [index, entry] of this.entries) {
      if (this.entries.size <= this.limit) return;
      if (entry.users === 0) await this.release(index);
    }
  }
}
