import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchFirefox } from '../helpers/firefox.js';
import { fetchedHashInPage, mediaStateInPage, watchMediaEvents, type MediaState } from '../helpers/media-page.js';
import { buildApp, makeMp4, moovFirst, serveApp, type Site } from '../helpers/streaming-app.js';
import { startWebTorrent, stopAllWebTorrent } from '../helpers/webtorrent.js';
import { startWsTracker, stopAllWsTrackers, type WsTracker } from '../helpers/ws-tracker.js';
import { cleanTemps, tempDir } from '../interop/fixture.js';

/**
 * The streaming case of streaming.test.ts in Debian's Firefox ESR (WebDriver BiDi): the built app at
 * `/#<magnet>` plays an MP4 from a webtorrent seeder in Node through the Service Worker, seeks to
 * 80% and plays on, and the stream URL's bytes hash to the file's.
 */

const GIVE_UP_MS = 90_000;
const TEST_TIMEOUT_MS = 240_000;

let site: Site;
let browser: Browser | undefined;
let tracker: WsTracker;
const pageErrors: string[] = [];

beforeAll(async () => {
  const outDir = join(tempDir('app-build-firefox'), 'dist');
  await buildApp(outDir);
  site = await serveApp(outDir);
  browser = await launchFirefox();
  tracker = await startWsTracker();
}, 180_000);

afterAll(async () => {
  await stopAllWebTorrent();
  await stopAllWsTrackers();
  await browser?.close();
  await site?.close();
  cleanTemps();
});

const mediaState = (page: Page): Promise<MediaState> => page.evaluate(mediaStateInPage);

async function waitForVideo(page: Page, what: string, check: (s: MediaState) => boolean): Promise<MediaState> {
  let last: MediaState | null = null;
  for (let waited = 0; waited < GIVE_UP_MS; waited += 250) {
    last = await mediaState(page);
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  const shown = await page.evaluate(() => (globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText).catch(() => '?');
  throw new Error(`the video never ${what}: ${JSON.stringify(last)}\npage: ${shown}\npage errors: ${pageErrors.join(' | ')}`);
}

describe('streaming from the Service Worker (Firefox ESR)', () => {
  it('plays an MP4 whose moov is at the end from a webtorrent seeder at /#<magnet>, seeks to 80% and plays on; the stream URL gives the exact bytes', async () => {
    const movie = makeMp4(tempDir('movie-firefox'), 'moov-at-end.mp4', false);
    expect(moovFirst(movie.bytes)).toBe(false);
    const seeder = await startWebTorrent({ seed: movie.path, wsTracker: tracker.url });
    const { infoHash, magnet } = (await seeder.waitFor((l) => l.type === 'ready', GIVE_UP_MS)) as { type: 'ready'; infoHash: string; magnet: string };

    const context = await browser!.createBrowserContext();
    try {
      const page = await context.newPage();
      page.on('pageerror', (err) => pageErrors.push(String(err)));
      await page.evaluateOnNewDocument(watchMediaEvents);
      await page.evaluateOnNewDocument((trackers: string[]) => {
        const storage = (globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }).localStorage;
        storage.setItem('sluice:trackers', JSON.stringify(trackers));
        storage.setItem('sluice:ice-servers', '[]');
      }, [tracker.url]);
      await page.goto(`${site.origin}/#${magnet}`);
      await page.waitForSelector('main[data-engine]');

      const started = await waitForVideo(page, 'started playing', (s) => s.events.some((e) => e.type === 'playing') && s.currentTime > 0);
      expect(new URL(started.src).pathname).toBe(`/stream/${infoHash}/1/moov-at-end.mp4`);
      const advanced = await waitForVideo(page, 'advanced', (s) => s.currentTime >= started.currentTime + 1);
      await page.screenshot({ path: '/tmp/sluice-stream-firefox.png', fullPage: true });

      const target = advanced.duration * 0.8;
      const seekedBefore = advanced.events.filter((e) => e.type === 'seeked').length;
      await page.evaluate((t: number) => {
        (globalThis as unknown as { document: { querySelector(s: string): { currentTime: number } } }).document.querySelector('video').currentTime = t;
      }, target);
      await waitForVideo(page, 'seeked to 80%', (s) => s.events.filter((e) => e.type === 'seeked').length > seekedBefore);
      const playsOn = await waitForVideo(page, 'played on after the seek', (s) => s.currentTime >= target + 1);
      expect(playsOn.paused).toBe(false);
      expect(playsOn.events.filter((e) => e.type === 'error')).toEqual([]);

      const hash = await page.evaluate(fetchedHashInPage, started.src);
      expect(hash).toBe(createHash('sha256').update(movie.bytes).digest('hex'));
    } finally {
      await context.close();
      await seeder.close();
    }
  }, TEST_TIMEOUT_MS);
});
