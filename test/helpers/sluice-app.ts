import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { cleanTemps, killChildren, tempDir } from '../interop/fixture.js';
import { CHROMIUM_ARGS, launchChromium } from './chromium.js';
import { startWebTorrent, stopAllWebTorrent } from './webtorrent.js';
import { stopAllWsTrackers } from './ws-tracker.js';

/**
 * The app itself (index.html, src/ui, the engine worker) served by Vite on loopback, and what the
 * browser tests do with it in Chromium (playwright-core): profiles that reach only the test's tracker,
 * pages whose errors are collected, and waits on the torrent elements' data-* hooks.
 */

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const APP_GIVE_UP_MS = 90_000;

export interface AppServer {
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  close(): Promise<void>;
}

export async function startAppServer(): Promise<AppServer> {
  const vite: ViteDevServer = await createServer({
    root: repoRoot,
    logLevel: 'silent',
    clearScreen: false,
    server: { host: '127.0.0.1', port: 0, hmr: false, ws: false, watch: null },
  });
  await vite.listen();
  return { origin: `http://127.0.0.1:${(vite.httpServer!.address() as AddressInfo).port}`, close: () => vite.close() };
}

/** localStorage settings for a test profile: only the test's tracker, no STUN, a channel mode. */
export function appSettings(trackerUrl: string, channelMode: 'auto' | 'relay' = 'auto'): Record<string, string> {
  return { 'sluice:trackers': JSON.stringify([trackerUrl]), 'sluice:ice-servers': '[]', 'sluice:channel-mode': channelMode };
}

/** The app in Chromium profiles; `pageErrors` collects what any of its pages reported. */
export class ChromiumApp {
  readonly pageErrors: string[] = [];
  private readonly contexts: BrowserContext[] = [];

  constructor(
    private readonly browser: Browser,
    readonly origin: string,
  ) {}

  /**
   * A fresh profile (its own OPFS and IndexedDB): loopback only, camera/mic granted for ICE. The test
   * settings are written before every page load; with `keepSaved` only where the page has none yet,
   * so what the person saved in the app survives a reload.
   */
  async newContext(trackerUrl: string, channelMode: 'auto' | 'relay' = 'auto', options: { readonly keepSaved?: boolean; readonly colorScheme?: 'light' | 'dark' } = {}): Promise<BrowserContext> {
    const context = await this.browser.newContext(options.colorScheme ? { colorScheme: options.colorScheme } : {});
    this.contexts.push(context);
    await context.grantPermissions(['camera', 'microphone', 'clipboard-read', 'clipboard-write'], { origin: this.origin });
    await context.addInitScript(
      ({ settings, keepSaved }) => {
        // Runs in the page (the test's tsconfig has no DOM types).
        const storage = (globalThis as unknown as { localStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void } }).localStorage;
        for (const [key, value] of Object.entries(settings)) if (!keepSaved || storage.getItem(key) === null) storage.setItem(key, value);
      },
      { settings: appSettings(trackerUrl, channelMode), keepSaved: options.keepSaved ?? false },
    );
    return context;
  }

  /**
   * A profile kept on disk in `userDataDir` (its own Chromium), as a person's is. Chromium keeps an
   * incognito profile's OPFS in memory, where a sync access handle's writes never change the file's
   * lastModified, so resume data cannot tell which files changed there (docs/browser-storage.md).
   */
  async newPersistentContext(userDataDir: string, trackerUrl: string): Promise<BrowserContext> {
    const context = await chromium.launchPersistentContext(userDataDir, { executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
    this.contexts.push(context);
    await context.grantPermissions(['camera', 'microphone'], { origin: this.origin });
    await context.addInitScript((settings) => {
      const storage = (globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }).localStorage;
      for (const [key, value] of Object.entries(settings)) storage.setItem(key, value);
    }, appSettings(trackerUrl));
    return context;
  }

  async open(context: BrowserContext, path = '/'): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (err) => this.pageErrors.push(err.message));
    page.on('console', (msg) => {
      // Vite's dev client cannot reach its HMR socket (turned off here); that is not the app's error.
      if (msg.type() === 'error' && !/\[vite\]|\?token=/.test(msg.text())) this.pageErrors.push(msg.text());
    });
    await page.goto(`${this.origin}${path}`);
    await page.waitForSelector('main[data-engine]');
    return page;
  }

  /** Waits until the torrent's element says `state`; the failure names what the page showed. */
  async waitForState(page: Page, infoHash: string, state: string, timeout = APP_GIVE_UP_MS): Promise<void> {
    try {
      await page.waitForSelector(`[data-infohash="${infoHash}"][data-state="${state}"]`, { timeout });
    } catch (err) {
      const shown = await page.locator('main').innerText().catch(() => '?');
      throw new Error(`torrent ${infoHash} never became ${state}: ${String(err).split('\n')[0]}\npage: ${shown}\npage errors: ${this.pageErrors.join(' | ')}`);
    }
  }

  async closeContexts(): Promise<void> {
    for (const c of this.contexts.splice(0)) await c.close().catch(() => {});
  }
}

/** An RPC call on the page's `window.sluiceEngine`; a failure throws its message. */
export async function engineCall<T>(page: Page, name: string, args: unknown): Promise<T> {
  return page.evaluate(
    async ([n, a]) => {
      type Outcome = { ok: true; value: unknown } | { ok: false; error: { message: string } };
      const engine = (globalThis as unknown as { sluiceEngine: { call(name: string, args: unknown): Promise<Outcome> } }).sluiceEngine;
      const outcome = await engine.call(n as string, a);
      if (!outcome.ok) throw new Error(outcome.error.message);
      return outcome.value;
    },
    [name, args] as const,
  ) as Promise<T>;
}

/**
 * Runs in the page (playwright's and puppeteer's `page.evaluate(engineFileHashesInPage, infoHash)`):
 * SHA-256 of each file of the torrent as read back from the engine over RPC, by path.
 */
export async function engineFileHashesInPage(infoHash: string): Promise<Record<string, string>> {
  type Outcome<T> = { ok: true; value: T } | { ok: false; error: { message: string } };
  const engine = (globalThis as unknown as { sluiceEngine: { call(name: string, args: unknown): Promise<Outcome<unknown>> } }).sluiceEngine;
  const files = (await engine.call('files', { infoHash })) as Outcome<{ index: number; path: string }[]>;
  if (!files.ok) throw new Error(files.error.message);
  const out: Record<string, string> = {};
  for (const f of files.value) {
    const bytes = (await engine.call('readFile', { infoHash, fileIndex: f.index })) as Outcome<Uint8Array<ArrayBuffer>>;
    if (!bytes.ok) throw new Error(bytes.error.message);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes.value));
    out[f.path] = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
  }
  return out;
}

/** SHA-256 of each file of the torrent as read back from the engine over RPC, by path. */
export async function engineFileHashes(page: Page, infoHash: string): Promise<Record<string, string>> {
  return page.evaluate(engineFileHashesInPage, infoHash);
}

/**
 * The app is the only seed left: a webtorrent downloader in Node gets `folder` (its files' SHA-256
 * by name, under `multi/`) from it alone through the tracker, byte-identical.
 */
export async function nodeLeecherGetsAll(magnet: string, trackerUrl: string, hashes: Record<string, string>, browserName: string): Promise<void> {
  const out = tempDir('app-leech');
  const leecher = await startWebTorrent({ magnet, out, wsTracker: trackerUrl });
  try {
    await leecher.waitFor((l) => l.type === 'done', APP_GIVE_UP_MS * 2);
  } catch (err) {
    throw new Error(`the Node downloader did not finish from the app in ${browserName}: ${String(err)}\n${leecher.transcript()}`);
  }
  for (const [path, hash] of Object.entries(hashes)) expect(sha256File(join(out, 'multi', path)), path).toBe(hash);
}

/** After each app test, in any browser: every seeder, child process, tracker and temp folder it started is gone. */
export async function stopWhatTheTestStarted(): Promise<void> {
  await stopAllWebTorrent();
  await killChildren();
  await stopAllWsTrackers();
  cleanTemps();
}

/** A folder `name` of random files `part-<i>.bin`; returns its path and each file's SHA-256 by file name. */
export function makeFolder(parent: string, name: string, sizes: readonly number[]): { path: string; hashes: Record<string, string> } {
  const path = join(parent, name);
  mkdirSync(path, { recursive: true });
  const hashes: Record<string, string> = {};
  sizes.forEach((size, i) => {
    const bytes = randomBytes(size);
    writeFileSync(join(path, `part-${i}.bin`), bytes);
    hashes[`part-${i}.bin`] = createHash('sha256').update(bytes).digest('hex');
  });
  return { path, hashes };
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * The hooks of a Chromium app test file: one app server and one Chromium for the file, handed to
 * `ready` as a ChromiumApp; after each test its contexts are closed and every seeder, child process,
 * tracker and temp folder it started is gone.
 */
export function useChromiumApp(ready: (app: ChromiumApp) => void): void {
  let server: AppServer | undefined;
  let browser: Browser | undefined;
  let app: ChromiumApp | undefined;
  beforeAll(async () => {
    server = await startAppServer();
    browser = await launchChromium();
    app = new ChromiumApp(browser, server.origin);
    ready(app);
  });
  afterEach(async () => {
    await app?.closeContexts();
    await stopWhatTheTestStarted();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
}
