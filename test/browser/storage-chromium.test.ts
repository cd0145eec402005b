import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { itEachWorkerCase, runWorkerCase, serveWorkerCases, type CallWorker, type WorkerCasesServer } from '../helpers/worker-cases.js';

/**
 * The storage contract suite (OPFS and IndexedDB), the hasher contract (WebCrypto), the
 * torrent list contract (EngineState over IndexedDB) and the browser-only storage cases, in a dedicated worker of Debian's Chromium. The worker registers the
 * cases (test/browser/worker/storage-worker.js); each one is a test here, run by name.
 */
const pageErrors: string[] = [];
const served: WorkerCasesServer = await serveWorkerCases('test/browser/worker/storage-worker.js');
afterAll(() => served.close());
const browser: Browser = await launchChromium();
afterAll(() => browser.close());
const context = await browser.newContext();
const page: Page = await context.newPage();
page.on('pageerror', (err) => pageErrors.push(err.message));
page.on('console', (msg) => {
  if (msg.type() === 'error') pageErrors.push(msg.text());
});
await page.goto(served.url);

const call = ((kind: 'list' | 'run', name?: string) =>
  page.evaluate(([k, n]) => (globalThis as unknown as { storageTests: { call(k: string, n?: string): Promise<unknown> } }).storageTests.call(k, n), [kind, name] as const)) as CallWorker;
const names = await call('list');
const QUOTA = 'quota > ';

describe('storage and hashing in a Chromium dedicated worker', () => {
  it('registers every suite: the storage contract for OPFS and IndexedDB alike, the hasher contract, the browser cases', () => {
    const opfs = names.filter((n) => n.startsWith('storage contract: OPFS > '));
    const idb = names.filter((n) => n.startsWith('storage contract: IndexedDB > '));
    expect(opfs.length).toBeGreaterThan(20);
    expect(idb.map((n) => n.replace('IndexedDB', 'OPFS'))).toEqual(opfs);
    expect(names.filter((n) => n.startsWith('hasher contract: WebCrypto > ')).length).toBeGreaterThanOrEqual(6);
    expect(names.filter((n) => n.startsWith('torrent list contract: IndexedDB (EngineState) > ')).length).toBeGreaterThanOrEqual(7);
    expect(names.filter((n) => n.startsWith(QUOTA))).toHaveLength(4);
    expect(pageErrors).toEqual([]);
  });

  itEachWorkerCase(names.filter((n) => !n.startsWith(QUOTA)), call);

  // The origin gets a quota a few MiB above what it uses (DevTools protocol), a 32 MiB torrent
  // is written until a write fails, then the quota override is lifted and the write retried.
  // IndexedDB's steps are registered but not run here: Chromium 156 accounts IndexedDB Blob bytes
  // lazily, and after the contract suites it let 96 MiB past a 6 MiB override (passing alone, failing
  // in the full file). A test that depends on that timing would be flaky; see docs/browser-storage.md.
  for (const store of ['OPFS']) {
    it(`${store}: a write beyond the quota fails as storage/disk-full, keeps what was written, and succeeds once there is room`, async () => {
      const cdp: CDPSession = await context.newCDPSession(page);
      const origin = new URL(served.url).origin;
      const usage = await page.evaluate(async () =>
        (await (globalThis as unknown as { navigator: { storage: { estimate(): Promise<{ usage?: number }> } } }).navigator.storage.estimate()).usage ?? 0);
      await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage + 6 * 1024 * 1024 });
      try {
        await runWorkerCase(call, `${QUOTA}${store} > fails a write beyond the quota as storage/disk-full, keeping every piece written before`);
      } finally {
        await cdp.send('Storage.overrideQuotaForOrigin', { origin });
      }
      await runWorkerCase(call, `${QUOTA}${store} > writes the failed piece once there is room again`);
      await cdp.detach();
    });
  }
});
