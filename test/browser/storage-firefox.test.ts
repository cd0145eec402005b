import type { Browser, Page } from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';
import { launchFirefox } from '../helpers/firefox.js';
import { itEachWorkerCase, serveWorkerCases, type CallWorker, type WorkerCasesServer } from '../helpers/worker-cases.js';

/**
 * The same worker cases as storage-chromium.test.ts, in Debian's Firefox ESR (puppeteer-core over
 * WebDriver BiDi). The quota steps are Chromium-only: they set the origin's quota over the DevTools
 * protocol, which Firefox does not speak.
 */
const pageErrors: string[] = [];
const served: WorkerCasesServer = await serveWorkerCases('test/browser/worker/storage-worker.js');
afterAll(() => served.close());
const browser: Browser = await launchFirefox();
afterAll(() => browser.close());
const page: Page = await browser.newPage();
page.on('pageerror', (err) => pageErrors.push(String(err)));
await page.goto(served.url);

const call = ((kind: 'list' | 'run', name?: string) =>
  page.evaluate((k, n) => (globalThis as unknown as { storageTests: { call(k: string, n?: string): Promise<unknown> } }).storageTests.call(k, n), kind, name)) as CallWorker;
const names = await call('list');
const QUOTA = 'quota > ';

describe('storage and hashing in a Firefox dedicated worker', () => {
  it('registers the storage contract for OPFS and IndexedDB alike, and the hasher contract', () => {
    const opfs = names.filter((n) => n.startsWith('storage contract: OPFS > '));
    expect(opfs.length).toBeGreaterThan(20);
    expect(names.filter((n) => n.startsWith('storage contract: IndexedDB > ')).map((n) => n.replace('IndexedDB', 'OPFS'))).toEqual(opfs);
    expect(names.filter((n) => n.startsWith('hasher contract: WebCrypto > ')).length).toBeGreaterThanOrEqual(6);
    expect(pageErrors).toEqual([]);
  });

  itEachWorkerCase(names.filter((n) => !n.startsWith(QUOTA)), call);
});
