import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchFirefox } from '../helpers/firefox.js';
// The same seeded bytes the page and its worker make (Node runs the page's module as it is).
import { pattern } from './page/pattern.js';

/**
 * What test/helpers/firefox.ts must give every Firefox test: Debian's Firefox ESR over WebDriver
 * BiDi, a page from a local server, a data channel between two pages on 127.0.0.1 (the loopback and
 * camera prefs), `navigator.storage.persist()` that settles (the storage-prompt prefs), an OPFS sync
 * access handle in a dedicated worker, a fresh profile per launch and a clean exit.
 */

const pageDir = resolve(dirname(fileURLToPath(import.meta.url)), 'page');
const PAGE_HTML = '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head>'
  + '<body><p id="hello">firefox check</p><script type="module" src="/firefox-check.js"></script></body></html>';
const SCRIPTS: Record<string, string> = { '/firefox-check.js': 'firefox-check.js', '/pattern.js': 'pattern.js', '/opfs-worker.js': 'opfs-worker.js' };
const TIMEOUT_MS = 120_000;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Keeps only the 127.0.0.1 candidates of an SDP, so ICE can succeed only over loopback. */
function loopbackOnly(sdp: string): string {
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') || line.split(' ')[4] === '127.0.0.1')
    .join('\r\n');
}

interface CheckApi {
  offer(): Promise<string>;
  answer(sdp: string): Promise<string>;
  complete(sdp: string): Promise<void>;
  send(seed: number, total: number): Promise<string>;
  received(total: number): Promise<{ length: number; sha256: string; pair: { local: { address: string; type: string }; remote: { address: string; type: string } } | null }>;
  close(): void;
  opfs(seed: number, total: number): Promise<{ written: number; size: number; read: number; workerSha256: string; fileSize: number; pageSha256: string }>;
  persist(): Promise<boolean>;
}

/** Calls the page's `firefoxCheck[name](...args)`; the test's types have no DOM, so the page is reached through globalThis. */
function check<K extends keyof CheckApi>(page: Page, name: K, ...args: Parameters<CheckApi[K]>): Promise<Awaited<ReturnType<CheckApi[K]>>> {
  return page.evaluate(
    (n, a) => {
      const api = (globalThis as unknown as { firefoxCheck: Record<string, (...x: unknown[]) => unknown> }).firefoxCheck;
      return api[n]!(...a);
    },
    name,
    args as unknown[],
  ) as Promise<Awaited<ReturnType<CheckApi[K]>>>;
}

let server: Server;
let origin = '';
let browser: Browser;
const pageErrors: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const script = SCRIPTS[req.url ?? ''];
    if (req.url === '/') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE_HTML);
    if (script) return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(join(pageDir, script)));
    res.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchFirefox();
}, TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((done) => server?.close(() => done()));
});

async function openPage(b: Browser): Promise<Page> {
  const page = await b.newPage();
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => 'firefoxCheck' in globalThis);
  return page;
}

describe('Firefox ESR through test/helpers/firefox.ts', () => {
  it('loads a page from a local server', async () => {
    const page = await openPage(browser);
    expect(await page.$eval('#hello', (el) => el.textContent)).toBe('firefox check');
    expect(await browser.version()).toMatch(/firefox/i);
    await page.close();
    expect(pageErrors).toEqual([]);
  }, TIMEOUT_MS);

  it('moves bytes over a data channel between two pages, on 127.0.0.1 only', async () => {
    const sender = await openPage(browser);
    const receiver = await openPage(browser);
    const offer = loopbackOnly(await check(sender, 'offer'));
    expect(offer).toContain(' 127.0.0.1 ');
    const answer = loopbackOnly(await check(receiver, 'answer', offer));
    await check(sender, 'complete', answer);

    const total = 4 * 1024 * 1024 + 4321;
    const expected = sha256(pattern(7, total));
    expect(await check(sender, 'send', 7, total)).toBe(expected);
    const got = await check(receiver, 'received', total);
    expect(got.length).toBe(total);
    expect(got.sha256).toBe(expected);
    expect(got.pair?.local).toMatchObject({ address: '127.0.0.1', type: 'host' });
    expect(got.pair?.remote).toMatchObject({ address: '127.0.0.1', type: 'host' });
    await check(sender, 'close');
    await check(receiver, 'close');
    await sender.close();
    await receiver.close();
    expect(pageErrors).toEqual([]);
  }, TIMEOUT_MS);

  it('answers navigator.storage.persist() and writes OPFS through a sync access handle in a worker', async () => {
    const page = await openPage(browser);
    expect(await check(page, 'persist')).toBe(true);
    const total = 3 * 1024 * 1024 + 17;
    const expected = sha256(pattern(11, total));
    expect(await check(page, 'opfs', 11, total)).toEqual({ written: total, size: total, read: total, workerSha256: expected, fileSize: total, pageSha256: expected });
    await page.close();
    expect(pageErrors).toEqual([]);
  }, TIMEOUT_MS);

  it('starts from a fresh profile each launch and leaves nothing behind', async () => {
    const second = await launchFirefox();
    const process = second.process()!;
    const profileOf = (b: Browser) => {
      const args = b.process()!.spawnargs;
      return args[args.indexOf('--profile') + 1]!;
    };
    const profile = profileOf(second);
    expect(profile).not.toBe(profileOf(browser));
    expect(existsSync(profile)).toBe(true);
    // What one profile keeps (a localStorage entry, seen by a later page of the same browser) the next does not have.
    type Local = { localStorage: { getItem(k: string): string | null; setItem(k: string, v: string): void } };
    const first = await openPage(browser);
    await first.evaluate(() => (globalThis as unknown as Local).localStorage.setItem('sluice-profile-marker', 'first'));
    await first.close();
    const again = await openPage(browser);
    expect(await again.evaluate(() => (globalThis as unknown as Local).localStorage.getItem('sluice-profile-marker'))).toBe('first');
    await again.close();
    const page = await openPage(second);
    expect(await page.evaluate(() => (globalThis as unknown as Local).localStorage.getItem('sluice-profile-marker'))).toBeNull();
    await second.close();
    expect(process.exitCode).toBe(0);
    expect(existsSync(profile)).toBe(false);
  }, TIMEOUT_MS);
});
