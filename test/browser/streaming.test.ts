import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, launchChromium } from '../helpers/chromium.js';
import { fetchedHash, seekTo, waitForVideo as waitForMedia, watchMediaEvents, type MediaState } from '../helpers/media-page.js';
import { buildApp, makeMp4, moovFirst, serveApp, type Site } from '../helpers/streaming-app.js';
import { startWebTorrent, stopAllWebTorrent, type WebTorrentPeer } from '../helpers/webtorrent.js';
import { startWsTracker, stopAllWsTrackers, type WsTracker } from '../helpers/ws-tracker.js';
import { cleanTemps, tempDir } from '../interop/fixture.js';

/**
 * Streaming and the PWA in Debian's Chromium, against the built app (`vite build`: the Service
 * Worker with its precache manifest) served as `sluice serve` serves it: a webtorrent seeder in Node
 * has an MP4 made with ffmpeg; the app opened at `/#<magnet>` plays it through the Service Worker's
 * `/stream/...` URL, seeks, and the bytes fetched from that URL hash to the original. Every Range
 * case is asked of the real Service Worker; the app shell opens offline; Chromium finds the manifest
 * installable; a share-target POST of a file seeds it.
 */

const GIVE_UP_MS = 90_000;
const TEST_TIMEOUT_MS = 240_000;

let outDir = '';
let site: Site;
let browser: Browser | undefined;
let tracker: WsTracker;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
const seeders: WebTorrentPeer[] = [];

beforeAll(async () => {
  outDir = join(tempDir('app-build'), 'dist');
  await buildApp(outDir);
  site = await serveApp(outDir);
  browser = await launchChromium();
  tracker = await startWsTracker();
}, 180_000);

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close().catch(() => {});
});

afterAll(async () => {
  for (const s of seeders) await s.close().catch(() => {});
  await stopAllWebTorrent();
  await stopAllWsTrackers();
  await browser?.close();
  await site?.close();
  cleanTemps();
});

async function seed(path: string): Promise<{ infoHash: string; magnet: string }> {
  const seeder = await startWebTorrent({ seed: path, wsTracker: tracker.url });
  seeders.push(seeder);
  return (await seeder.waitFor((l) => l.type === 'ready', GIVE_UP_MS)) as { type: 'ready'; infoHash: string; magnet: string };
}

/** A profile of the app: loopback only (no STUN, the test's tracker), camera/mic granted for ICE; media events logged. */
async function newAppContext(origin: string): Promise<BrowserContext> {
  const context = await browser!.newContext();
  contexts.push(context);
  await context.grantPermissions(['camera', 'microphone'], { origin });
  await context.addInitScript(watchMediaEvents);
  await context.addInitScript(
    ({ trackers }) => {
      // Runs in the page (the test's tsconfig has no DOM types).
      const storage = (globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }).localStorage;
      storage.setItem('sluice:trackers', JSON.stringify(trackers));
      storage.setItem('sluice:ice-servers', '[]');
    },
    { trackers: [tracker.url] },
  );
  return context;
}

async function openApp(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(msg.text());
  });
  await page.goto(url);
  await page.waitForSelector('main[data-engine]');
  return page;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Waits until `check` holds for the video; the failure says what the video, the page and its errors showed. */
const waitForVideo = (page: Page, what: string, check: (s: MediaState) => boolean): Promise<MediaState> =>
  waitForMedia(page, what, check, GIVE_UP_MS, `page errors: ${pageErrors.join(' | ')}`);

async function playsAndSeeks(faststart: boolean): Promise<void> {
  const movie = makeMp4(tempDir('movie'), faststart ? 'faststart.mp4' : 'moov-at-end.mp4', faststart);
  expect(moovFirst(movie.bytes)).toBe(faststart);
  const { infoHash, magnet } = await seed(movie.path);
  const page = await openApp(await newAppContext(site.origin), `${site.origin}/#${magnet}`);

  // The app opens the video by itself; its src is the file's stream URL.
  const started = await waitForVideo(page, 'started playing', (s) => s.events.some((e) => e.type === 'playing') && s.currentTime > 0);
  expect(new URL(started.src).pathname).toBe(`/stream/${infoHash}/1/${movie.path.split('/').pop()}`);
  expect(started.duration).toBeCloseTo(20, 0);
  const advanced = await waitForVideo(page, 'advanced', (s) => s.currentTime >= started.currentTime + 1);
  expect(advanced.paused).toBe(false);
  // The browser's controls, left out until the first frame (media-view.tsx), are there once it plays.
  expect(await page.locator('video').evaluate((v: HTMLVideoElement) => v.controls)).toBe(true);
  await page.screenshot({ path: `/tmp/sluice-stream-${faststart ? 'faststart' : 'moov-at-end'}.png`, fullPage: true });

  // A seek to 80% lands, and playback goes on from there.
  const target = advanced.duration * 0.8;
  const seeked = await seekTo(page, target, GIVE_UP_MS);
  expect(seeked.events.filter((e) => e.type === 'seeked').at(-1)!.at).toBeGreaterThanOrEqual(target - 1);
  const playsOn = await waitForVideo(page, 'played on after the seek', (s) => s.currentTime >= target + 1);
  expect(playsOn.paused).toBe(false);
  expect(playsOn.events.filter((e) => e.type === 'error')).toEqual([]);

  // The bytes behind the stream URL are the file's.
  expect(await fetchedHash(page, started.src)).toBe(sha256(movie.bytes));
}

describe('streaming from the Service Worker (Chromium)', () => {
  it('plays an MP4 (moov first) from a webtorrent seeder at /#<magnet>, seeks to 80% and plays on; the stream URL gives the exact bytes', async () => {
    await playsAndSeeks(true);
  }, TEST_TIMEOUT_MS);

  it('does the same for an MP4 whose moov is at the end', async () => {
    await playsAndSeeks(false);
  }, TEST_TIMEOUT_MS);

  it('answers every Range case exactly (open, suffix, Safari 0-1, 416, several ranges, HEAD, headers)', async () => {
    const dir = tempDir('ranges');
    mkdirSync(join(dir, 'album'), { recursive: true });
    const bytes = Buffer.alloc(300_001);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >> 8)) & 0xff;
    const path = join(dir, 'album', 'data.bin');
    writeFileSync(path, bytes);
    writeFileSync(join(dir, 'album', 'cover.png'), Buffer.from('not really a png'));
    const { infoHash, magnet } = await seed(join(dir, 'album'));
    const page = await openApp(await newAppContext(site.origin), `${site.origin}/#${magnet}`);
    await page.waitForSelector(`[data-infohash="${infoHash}"][data-state="seeding"]`, { timeout: GIVE_UP_MS });
    await page.waitForFunction(() => (globalThis as unknown as { navigator: { serviceWorker: { controller: unknown } } }).navigator.serviceWorker.controller !== null);

    const size = bytes.length;
    // webtorrent orders a folder's files by path: cover.png is file 1, data.bin file 2.
    const url = `/stream/${infoHash}/2/data.bin`;
    const ask = (range: string | null, method = 'GET') =>
      page.evaluate(
        async ({ u, r, m }) => {
          const response = await fetch(u, { method: m, headers: r === null ? {} : { Range: r } });
          const body = new Uint8Array(await response.arrayBuffer());
          const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
          const headers: Record<string, string> = {};
          for (const name of ['accept-ranges', 'content-length', 'content-range', 'content-type']) headers[name] = response.headers.get(name) ?? '';
          return { status: response.status, headers, length: body.length, sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') };
        },
        { u: url, r: range, m: method },
      );
    const slice = (start: number, end: number) => ({ length: end - start, sha256: sha256(bytes.subarray(start, end)) });
    const head = (status: number, length: number, range: string) => ({
      status,
      headers: { 'accept-ranges': 'bytes', 'content-length': String(length), 'content-range': range, 'content-type': 'application/octet-stream' },
    });

    expect(await ask(null)).toEqual({ ...head(200, size, ''), ...slice(0, size) });
    expect(await ask('bytes=1000-')).toEqual({ ...head(206, size - 1000, `bytes 1000-${size - 1}/${size}`), ...slice(1000, size) });
    expect(await ask('bytes=-500')).toEqual({ ...head(206, 500, `bytes ${size - 500}-${size - 1}/${size}`), ...slice(size - 500, size) });
    expect(await ask('bytes=0-1')).toEqual({ ...head(206, 2, `bytes 0-1/${size}`), ...slice(0, 2) });
    expect(await ask('bytes=100000-100099')).toEqual({ ...head(206, 100, `bytes 100000-100099/${size}`), ...slice(100_000, 100_100) });
    expect(await ask(`bytes=${size - 10}-${size + 1000}`)).toEqual({ ...head(206, 10, `bytes ${size - 10}-${size - 1}/${size}`), ...slice(size - 10, size) });
    expect(await ask(`bytes=${size}-`)).toEqual({ ...head(416, 0, `bytes */${size}`), ...slice(0, 0) });
    expect(await ask('bytes=0-9, 20-29')).toEqual({ ...head(206, 10, `bytes 0-9/${size}`), ...slice(0, 10) });
    expect(await ask(`bytes=${size + 5}-, 200-299`)).toEqual({ ...head(206, 100, `bytes 200-299/${size}`), ...slice(200, 300) });
    expect(await ask('bytes=-500', 'HEAD')).toEqual({ ...head(206, 500, `bytes ${size - 500}-${size - 1}/${size}`), ...slice(0, 0) });
    // The Content-Type comes from the name; the other file is file 1.
    expect((await ask(null).then(() => page.evaluate(async (u) => (await fetch(u)).headers.get('content-type'), `/stream/${infoHash}/1/cover.png`)))).toBe('image/png');
    // No such torrent, no such file.
    expect((await page.evaluate(async (u) => (await fetch(u)).status, `/stream/${'0'.repeat(40)}/1/x.bin`))).toBe(404);
    expect((await page.evaluate(async (u) => (await fetch(u)).status, `/stream/${infoHash}/3/x.bin`))).toBe(404);

    // The browser stops Service Workers when it likes: a restarted one has no port, asks the page, and serves again.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    expect(await ask('bytes=-500')).toEqual({ ...head(206, 500, `bytes ${size - 500}-${size - 1}/${size}`), ...slice(size - 500, size) });

    // A finished file is offered as a download of its stream URL, which the SW answers from storage.
    const link = page.locator('a[data-download="data.bin"]');
    expect(await link.getAttribute('href')).toBe(`${url}?download`);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('data.bin');
    expect(sha256(readFileSync((await download.path())!))).toBe(sha256(bytes));
  }, TEST_TIMEOUT_MS);
});

describe('the port between the Service Worker and the engine (Chromium)', () => {
  it('is handed again when the tab running the engine closes and another takes over', async () => {
    const context = await newAppContext(site.origin);
    const first = await openApp(context, `${site.origin}/`);
    await first.waitForFunction(() => (globalThis as unknown as { navigator: { serviceWorker: { controller: unknown } } }).navigator.serviceWorker.controller !== null, null, { timeout: GIVE_UP_MS });
    const second = await openApp(context, `${site.origin}/`);
    await second.waitForSelector('main[data-engine="follower"]');
    // An unknown torrent: the engine itself answers 404; a port to an engine that is gone never answers.
    const ask = (page: Page) =>
      page.evaluate(async (u) => {
        const answer = fetch(u).then(async (r) => `${r.status} ${await r.text()}`);
        return Promise.race([answer, new Promise<string>((resolve) => setTimeout(() => resolve('no answer in 30 s'), 30_000))]);
      }, `/stream/${'cd'.repeat(20)}/1/x.mp4`);
    expect(await ask(second)).toBe(`404 no torrent ${'cd'.repeat(20)} in the engine`);
    await first.close();
    await second.waitForSelector('main[data-engine="leader"]', { timeout: GIVE_UP_MS });
    expect(await ask(second)).toBe(`404 no torrent ${'cd'.repeat(20)} in the engine`);
  }, TEST_TIMEOUT_MS);
});

describe('the installable, offline PWA (Chromium)', () => {
  it('opens the app shell offline after one visit', async () => {
    const offlineSite = await serveApp(outDir);
    try {
      const context = await newAppContext(offlineSite.origin);
      const page = await openApp(context, `${offlineSite.origin}/`);
      // The Service Worker is active (its install precached the shell) and controls the page.
      await page.waitForFunction(() => (globalThis as unknown as { navigator: { serviceWorker: { controller: unknown } } }).navigator.serviceWorker.controller !== null, null, { timeout: GIVE_UP_MS });
      await offlineSite.close();
      expect(await fetch(`${offlineSite.origin}/`).then(() => 'reachable', () => 'down')).toBe('down');
      await page.reload();
      await page.waitForSelector('main[data-engine]', { timeout: GIVE_UP_MS });
      expect(await page.locator('h1').innerText()).toBe('Sluice');
      // A deep link is the shell too.
      await page.goto(`${offlineSite.origin}/?add=${encodeURIComponent('magnet:?xt=urn:btih:' + 'ab'.repeat(20))}`);
      await page.waitForSelector(`[data-infohash="${'ab'.repeat(20)}"]`, { timeout: GIVE_UP_MS });
      await page.screenshot({ path: '/tmp/sluice-offline.png', fullPage: true });
    } finally {
      await offlineSite.close();
    }
  }, TEST_TIMEOUT_MS);

  it('is installable (Page.getInstallabilityErrors returns none) with its protocol, file and share handlers', async () => {
    // Chromium never offers to install from an incognito profile, which every newContext() is: this needs a real one.
    const context = await chromium.launchPersistentContext(tempDir('profile'), { executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
    contexts.push(context);
    const page = await openApp(context, `${site.origin}/`);
    await page.waitForFunction(() => (globalThis as unknown as { navigator: { serviceWorker: { controller: unknown } } }).navigator.serviceWorker.controller !== null, null, { timeout: GIVE_UP_MS });
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: unknown[] };
    expect(installabilityErrors).toEqual([]);
    const { errors } = (await cdp.send('Page.getAppManifest')) as { errors: unknown[] };
    expect(errors).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.webmanifest'), 'utf8')) as Record<string, unknown>;
    expect(manifest.protocol_handlers).toEqual([{ protocol: 'magnet', url: '/?add=%s' }]);
    expect(manifest.launch_handler).toEqual({ client_mode: 'focus-existing' });
    expect(manifest.file_handlers).toMatchObject([{ accept: { 'application/x-bittorrent': ['.torrent'] } }]);
    expect(manifest.share_target).toMatchObject({ action: '/share', method: 'POST', enctype: 'multipart/form-data' });
  }, TEST_TIMEOUT_MS);

  it('seeds a file shared to it, and adds a magnet shared as text (share-target POSTs)', async () => {
    const context = await newAppContext(site.origin);
    const page = await openApp(context, `${site.origin}/`);
    await page.waitForFunction(() => (globalThis as unknown as { navigator: { serviceWorker: { controller: unknown } } }).navigator.serviceWorker.controller !== null, null, { timeout: GIVE_UP_MS });
    const content = 'shared with Sluice\n'.repeat(5000);
    // What the system share sheet does: a multipart POST navigation to the manifest's action.
    await page.evaluate((text) => {
      const g = globalThis as unknown as {
        document: { createElement(tag: string): Record<string, unknown> & { appendChild(c: unknown): void; submit(): void }; body: { appendChild(c: unknown): void } };
        DataTransfer: new () => { items: { add(f: unknown): void }; files: unknown };
        File: new (parts: string[], name: string, options: { type: string }) => unknown;
      };
      const form = g.document.createElement('form');
      Object.assign(form, { method: 'POST', action: '/share', enctype: 'multipart/form-data' });
      const input = g.document.createElement('input');
      Object.assign(input, { type: 'file', name: 'files' });
      const transfer = new g.DataTransfer();
      transfer.items.add(new g.File([text], 'shared-note.txt', { type: 'text/plain' }));
      input.files = transfer.files;
      form.appendChild(input);
      g.document.body.appendChild(form);
      form.submit();
    }, content);
    await page.waitForURL(/\?share=/, { timeout: GIVE_UP_MS });
    const element = page.locator('[data-infohash][data-state="seeding"]');
    await element.waitFor({ timeout: GIVE_UP_MS });
    expect(await element.locator('.name').innerText()).toBe('shared-note.txt');
    // The seeded torrent's bytes are the shared file's.
    const infoHash = (await element.getAttribute('data-infohash'))!;
    expect(await fetchedHash(page, `/stream/${infoHash}/1/shared-note.txt`)).toBe(sha256(Buffer.from(content)));

    // Text with a magnet in it (as chat apps share links) adds that torrent.
    const shared = 'ef'.repeat(20);
    await page.evaluate((text) => {
      const g = globalThis as unknown as { document: { createElement(tag: string): Record<string, unknown> & { appendChild(c: unknown): void; submit(): void }; body: { appendChild(c: unknown): void } } };
      const form = g.document.createElement('form');
      Object.assign(form, { method: 'POST', action: '/share', enctype: 'multipart/form-data' });
      const input = g.document.createElement('input');
      Object.assign(input, { type: 'hidden', name: 'text', value: text });
      form.appendChild(input);
      g.document.body.appendChild(form);
      form.submit();
    }, `have a look: magnet:?xt=urn:btih:${shared}&dn=thing ok?`);
    await page.waitForURL(/\?add=magnet/, { timeout: GIVE_UP_MS });
    await page.waitForSelector(`[data-infohash="${shared}"]`, { timeout: GIVE_UP_MS });
  }, TEST_TIMEOUT_MS);
});
