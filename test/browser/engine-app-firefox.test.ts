import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sluice } from '../helpers/cli.js';
import { launchFirefox } from '../helpers/firefox.js';
import { APP_GIVE_UP_MS, appSettings, engineFileHashesInPage, makeFolder, nodeLeecherGetsAll, startAppServer, stopWhatTheTestStarted, type AppServer } from '../helpers/sluice-app.js';
import { startWebTorrent, type WebTorrentLine } from '../helpers/webtorrent.js';
import { startWsTracker, type WsTracker } from '../helpers/ws-tracker.js';
import { tempDir } from '../interop/fixture.js';
import { startRangeServer, type RangeServer } from '../sidecar/webseed/range-server.js';

/**
 * The app in Debian's Firefox ESR (puppeteer-core over WebDriver BiDi), as engine-app.test.ts runs it
 * in Chromium: it downloads 64 MiB from webtorrent in Node, then is the only seed of a Node downloader.
 */

const MiB = 1024 * 1024;
const TEST_TIMEOUT_MS = 300_000;

let server: AppServer | undefined;
let browser: Browser | undefined;
let tracker: WsTracker;
const contexts: BrowserContext[] = [];
const servers: RangeServer[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  server = await startAppServer();
  browser = await launchFirefox();
});

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close().catch(() => {});
  for (const r of servers.splice(0)) await r.close();
  await stopWhatTheTestStarted();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

type Ready = Extract<WebTorrentLine, { type: 'ready' }>;

async function openApp(path: string): Promise<Page> {
  const context = await browser!.createBrowserContext();
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    // Vite's dev client cannot reach its HMR socket (turned off here); that is not the app's error.
    if (!/\?token=/.test(String(err))) pageErrors.push(String(err));
  });
  await page.evaluateOnNewDocument((settings: Record<string, string>) => {
    const storage = (globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }).localStorage;
    for (const [key, value] of Object.entries(settings)) storage.setItem(key, value);
  }, appSettings(tracker.url));
  await page.goto(`${server!.origin}${path}`);
  await page.waitForSelector('main[data-engine]');
  return page;
}

async function waitForState(page: Page, infoHash: string, state: string): Promise<void> {
  try {
    await page.waitForSelector(`[data-infohash="${infoHash}"][data-state="${state}"]`, { timeout: APP_GIVE_UP_MS });
  } catch (err) {
    const shown = await page.$eval('main', (m) => (m as unknown as { innerText: string }).innerText).catch(() => '?');
    throw new Error(`torrent ${infoHash} never became ${state}: ${String(err).split('\n')[0]}\npage: ${shown}\npage errors: ${pageErrors.join(' | ')}`);
  }
}

/** SHA-256 of each file as read back from the engine over RPC, by path; how channels reached the worker; the OPFS folders. */
async function engineReport(page: Page, infoHash: string): Promise<{ hashes: Record<string, string>; channels: { transferred: number; relayed: number }; opfs: string[] }> {
  const hashes = await page.evaluate(engineFileHashesInPage, infoHash);
  const rest = await page.evaluate(async () => {
    type Outcome<T> = { ok: true; value: T } | { ok: false; error: { message: string } };
    const engine = (globalThis as unknown as { sluiceEngine: { call(name: string, args: unknown): Promise<Outcome<unknown>> } }).sluiceEngine;
    const status = (await engine.call('status', {})) as Outcome<{ channels: { transferred: number; relayed: number } }>;
    if (!status.ok) throw new Error(status.error.message);
    // The torrents' folders in the origin private file system, where the engine stored the pieces.
    type Dir = { getDirectoryHandle(name: string): Promise<Dir>; keys(): AsyncIterable<string> };
    const root = await (globalThis as unknown as { navigator: { storage: { getDirectory(): Promise<Dir> } } }).navigator.storage.getDirectory();
    const opfs: string[] = [];
    for await (const name of (await (await root.getDirectoryHandle('sluice')).getDirectoryHandle('torrents')).keys()) opfs.push(name);
    return { channels: status.value.channels, opfs };
  });
  return { hashes, ...rest };
}

describe('the app in Firefox ESR', () => {
  it('downloads a 64 MiB multi-file torrent from webtorrent in Node into OPFS, then is the only seed of a Node downloader', async () => {
    tracker = await startWsTracker();
    const folder = makeFolder(tempDir('ff-seed'), 'multi', [24 * MiB + 12_345, 32 * MiB, 8 * MiB - 12_345]);
    const seeder = await startWebTorrent({ seed: folder.path, wsTracker: tracker.url });
    const ready = await seeder.waitFor((l): l is Ready => l.type === 'ready', APP_GIVE_UP_MS);

    const page = await openApp(`/#${ready.magnet}`);
    await waitForState(page, ready.infoHash, 'seeding');
    const report = await engineReport(page, ready.infoHash);
    expect(report.hashes).toEqual(folder.hashes);
    expect(report.opfs).toEqual([ready.infoHash]);
    // Firefox transfers data channels to the worker too.
    expect(report.channels.transferred).toBeGreaterThanOrEqual(1);
    expect(report.channels.relayed).toBe(0);
    await page.screenshot({ path: '/tmp/sluice-app-firefox-download.png', fullPage: true });

    await seeder.close();
    await nodeLeecherGetsAll(ready.magnet, tracker.url, folder.hashes, 'Firefox');
    expect(pageErrors).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('downloads from a web seed that allows CORS, by the URL of its .torrent; says why one that does not gives nothing', async () => {
    tracker = await startWsTracker();
    const make = async (cors: boolean) => {
      const dir = tempDir('ff-webseed');
      const folder = makeFolder(dir, 'album', [300_001, MiB + 7]);
      const server = await startRangeServer(dir, { cors });
      servers.push(server);
      const made = sluice(['create', folder.path, '-o', join(dir, 'album.torrent'), '--webseed', server.url, '--piece-length', '16K', '--json']);
      expect(made.status, made.stderr).toBe(0);
      return { folder, server, infoHash: (JSON.parse(made.stdout) as { infoHash: string }).infoHash };
    };
    const open = await make(true);
    const page = await openApp(`/?add=${encodeURIComponent(`${open.server.url}album.torrent`)}`);
    await waitForState(page, open.infoHash, 'seeding');
    expect((await engineReport(page, open.infoHash)).hashes).toEqual(open.folder.hashes);

    // Firefox words a refused request its own way ("NetworkError when attempting to fetch resource."); the app explains it alike.
    const closed = await make(false);
    const torrentBytes = readFileSync(join(closed.folder.path, '..', 'album.torrent'));
    await page.evaluate(async (b64: string) => {
      const engine = (globalThis as unknown as { sluiceEngine: { call(name: string, args: unknown): Promise<unknown> } }).sluiceEngine;
      await engine.call('add', { input: { torrent: Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)) } });
    }, torrentBytes.toString('base64'));
    const row = async () => page.$eval(`[data-infohash="${closed.infoHash}"]`, (e) => (e as unknown as { innerText: string }).innerText).catch(() => '');
    await expect.poll(row, { timeout: 30_000 }).toContain(`Web seed ${closed.server.url} is not working: unreachable: NetworkError when attempting to fetch resource (the server is not answering, or does not allow other sites to fetch from it: CORS)`);
    pageErrors.splice(0);
  }, TEST_TIMEOUT_MS);
});
