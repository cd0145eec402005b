import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchFirefox } from '../helpers/firefox.js';
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

type MediaState = { src: string; currentTime: number; duration: number; paused: boolean; events: { type: string; at: number }[] };

async function mediaState(page: Page): Promise<MediaState> {
  return page.evaluate(() => {
    const g = globalThis as unknown as {
      document: { querySelector(s: string): { src: string; currentTime: number; duration: number; paused: boolean } | null };
      mediaEvents?: { type: string; at: number }[];
    };
    const v = g.document.querySelector('video');
    return { src: v?.src ?? '', currentTime: v?.currentTime ?? 0, duration: v?.duration ?? NaN, paused: v?.paused ?? true, events: g.mediaEvents ?? [] };
  });
}

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
      await page.evaluateOnNewDocument((trackers: string[]) => {
        const g = globalThis as unknown as {
          localStorage: { setItem(key: string, value: string): void };
          document?: { addEventListener(type: string, listener: (e: { target: { currentTime: number } }) => void, capture: boolean): void };
          mediaEvents: { type: string; at: number }[];
        };
        g.localStorage.setItem('sluice:trackers', JSON.stringify(trackers));
        g.localStorage.setItem('sluice:ice-servers', '[]');
        g.mediaEvents = [];
        for (const type of ['playing', 'seeking', 'seeked', 'error'])
          g.document?.addEventListener(type, (e) => g.mediaEvents.push({ type, at: e.target.currentTime }), true);
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

      const hash = await page.evaluate(async (u: string) => {
        const body = await (await fetch(u)).arrayBuffer();
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
        return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
      }, started.src);
      expect(hash).toBe(createHash('sha256').update(movie.bytes).digest('hex'));
    } finally {
      await context.close();
      await seeder.close();
    }
  }, TEST_TIMEOUT_MS);
});
