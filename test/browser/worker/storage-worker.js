// The dedicated worker that runs the storage and hasher contract suites in a real browser
// (test/browser/storage-*.test.ts). Bundled by test/browser/worker/bundle.ts with 'vitest' resolved
// to mini-vitest.ts, so the suites register their cases here; the page relays list/run requests.
import { webCryptoHasher } from '../../../src/browser/hash/webcrypto-hasher.ts';
import { indexedDbStorage, opfsStorage } from '../../../src/browser/storage/index.ts';
import { hasherContract } from '../../contracts/hasher.contract.ts';
import { storageContract } from '../../contracts/storage.contract.ts';
import { torrentListContract } from '../../contracts/torrent-list.contract.ts';
import { EngineState } from '../../../src/browser/persist/engine-state.ts';
import { freshOpfsFolder } from './browser-storage-cases.js';
import { caseNames, runCase } from './mini-vitest.ts';

let databases = 0;
storageContract('OPFS', async () => opfsStorage({ directory: await freshOpfsFolder('contract') }), { persistent: true });
storageContract('IndexedDB', async () => indexedDbStorage({ databaseName: `contract-${++databases}` }), { persistent: true });
hasherContract('WebCrypto', () => webCryptoHasher);
let lists = 0;
torrentListContract('IndexedDB (EngineState)', async () => {
  const name = `torrent-list-${++lists}`;
  return { store: new EngineState(name), reopen: () => new EngineState(name) };
});

self.onmessage = async (event) => {
  const { id, kind, name } = event.data;
  try {
    const result = kind === 'list' ? caseNames() : await runCase(name);
    self.postMessage({ id, result });
  } catch (error) {
    self.postMessage({ id, result: { ok: false, error: String(error) } });
  }
};
self.postMessage({ ready: true });
