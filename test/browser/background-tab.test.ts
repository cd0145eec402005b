import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../helpers/chromium.js';
import { launchFirefox } from '../helpers/firefox.js';
import { appSettings, engineFileHashesInPage, makeFolder, startAppServer, stopWhatTheTestStarted, type AppServer } from '../helpers/sluice-app.js';
import { requireTool } from '../helpers/tools.js';
import { startWebTorrent, type WebTorrentLine } from '../helpers/webtorrent.js';
import { startWsTracker } from '../helpers/ws-tracker.js';
import { tempDir } from '../interop/fixture.js';

/**
 * The app downloading in a tab the person is not looking at. Browsers throttle a hidden tab's timers
 * (Chromium to one wake-up a second; webtorrent in an inactive Firefox tab crawled at 16 kB/s,
 * webtorrent#2370). Sluice's engine runs in a worker and moves bytes on events, so a hidden tab
 * downloads as a visible one does. Both browsers run with their throttling on: Chromium without the
 * switches Playwright adds to turn it off, so it is driven by puppeteer-core here.
 */

const MiB = 1024 * 1024;
const TEST_TIMEOUT_MS = 240_000;
/** A 24 MiB download that a throttled tab would need many minutes for. */
const GIVE_UP_MS = 120_000;

let server: AppServer | undefined;
const browsers: Browser[] = [];

beforeAll(async () => {
  server = await startAppServer();
});

afterEach(async () => {
  for (const b of browsers.splice(0)) await b.close().catch(() => {});
  await stopWhatTheTestStarted();
});

afterAll(async () => {
  await server?.close();
});

/** Debian's Chromium with background throttling as a person's browser has it. */
async function chromiumThrottled(): Promise<Browser> {
  requireTool('chromium');
  return puppeteer.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS.filter((a) => a !== '--headless'),
    ignoreDefaultArgs: ['--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows'],
  });
}

const visibility = (page: Page) => page.evaluate(() => (globalThis as unknown as { document: { visibilityState: string } }).document.visibilityState);

/** The torrent's state and progress as the engine reports them to the page (no timer of the page involved). */
async function torrentState(page: Page, infoHash: string): Promise<{ state: string; progress: number } | null> {
  return page.evaluate((ih: string) => {
    const engine = (globalThis as unknown as { sluiceEngine: { status: { status: { torrents: { infoHash: string; state: string; progress: number }[] } } | null } }).sluiceEngine;
    const t = engine.status?.status.torrents.find((x) => x.infoHash === ih);
    return t ? { state: t.state, progress: t.progress } : null;
  }, infoHash);
}

async function downloadsWhileHidden(browser: Browser, grantMedia: boolean): Promise<void> {
  browsers.push(browser);
  const tracker = await startWsTracker();
  const folder = makeFolder(tempDir('app-hidden'), 'multi', [16 * MiB + 4321, 8 * MiB - 4321]);
  const seeder = await startWebTorrent({ seed: folder.path, wsTracker: tracker.url });
  const ready = (await seeder.waitFor((l) => l.type === 'ready', GIVE_UP_MS)) as Extract<WebTorrentLine, { type: 'ready' }>;

  const context = await browser.createBrowserContext();
  // Chromium gathers loopback ICE candidates only for an origin with camera/microphone (Firefox: a pref).
  if (grantMedia) await context.overridePermissions(server!.origin, ['camera', 'microphone']);
  const app = await context.newPage();
  await app.evaluateOnNewDocument((settings: Record<string, string>) => {
    const storage = (globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }).localStorage;
    for (const [key, value] of Object.entries(settings)) storage.setItem(key, value);
  }, appSettings(tracker.url));
  await app.goto(`${server!.origin}/`);
  await app.waitForSelector('main[data-engine="leader"]');

  // The person switches to another tab: the app's is hidden from here to the end.
  const other = await context.newPage();
  await other.goto('about:blank');
  await other.bringToFront();
  await expect.poll(() => visibility(app), { timeout: 10_000 }).toBe('hidden');

  const started = Date.now();
  await app.evaluate(async (magnet: string) => {
    const engine = (globalThis as unknown as { sluiceEngine: { call(name: string, args: unknown): Promise<{ ok: boolean; error?: { message: string } }> } }).sluiceEngine;
    const outcome = await engine.call('add', { input: { magnet } });
    if (!outcome.ok) throw new Error(outcome.error?.message);
  }, ready.magnet);
  await expect.poll(() => torrentState(app, ready.infoHash), { timeout: GIVE_UP_MS, interval: 500 }).toMatchObject({ state: 'seeding', progress: 1 });
  console.log(`hidden tab: 24 MiB in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  expect(await visibility(app)).toBe('hidden');
  expect(await app.evaluate(engineFileHashesInPage, ready.infoHash)).toEqual(folder.hashes);
}

describe('the app in a hidden tab', () => {
  it('Chromium, with its background throttling on: downloads a 24 MiB torrent from webtorrent in Node, byte-identical', async () => {
    await downloadsWhileHidden(await chromiumThrottled(), true);
  }, TEST_TIMEOUT_MS);

  it('Firefox ESR: downloads a 24 MiB torrent from webtorrent in Node, byte-identical', async () => {
    await downloadsWhileHidden(await launchFirefox(), false);
  }, TEST_TIMEOUT_MS);
});
