/** What the UI shows about the origin's storage. */
export interface StorageReport {
  /** Whether the browser promised not to evict this origin's data under storage pressure. */
  readonly persisted: boolean;
  /** Bytes used and available to this origin, as `navigator.storage.estimate()` reports them. */
  readonly usage: number;
  readonly quota: number;
}

/**
 * Asks for persistent storage (call it when the person first adds a torrent: Chromium grants it
 * without a prompt to a site in use, Firefox asks) and reports usage against quota. `persist()`
 * exists only in a window; from a worker this only reports. A refusal is not an error: the data
 * then stays "best effort", which the UI can say.
 */
export async function requestPersistentStorage(storage: StorageManager = navigator.storage): Promise<StorageReport> {
  const persisted = (await storage.persisted()) || (typeof storage.persist === 'function' && (await storage.persist()));
  return { persisted, ...(await usage(storage)) };
}

/** Usage against quota, without asking for anything. */
export async function storageReport(storage: StorageManager = navigator.storage): Promise<StorageReport> {
  return { persisted: await storage.persisted(), ...(await usage(storage)) };
}

async function usage(storage: StorageManager): Promise<{ usage: number; quota: number }> {
  const { usage = 0, quota = 0 } = await storage.estimate();
  return { usage, quota };
}
