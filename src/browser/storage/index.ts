export { chooseStorage, memoryBrowserStorage, type ChooseStorageOptions } from './choose-storage.js';
export { indexedDbStorage, type IndexedDbStorageOptions } from './idb-store.js';
export { hasSyncAccessHandles, opfsStorage, type OpfsStorageOptions } from './opfs-store.js';
export { requestPersistentStorage, storageReport, type StorageReport } from './storage-pressure.js';
export type { BrowserStorageFactory, BrowserStorageKind, BrowserTorrentStorage } from './types.js';
