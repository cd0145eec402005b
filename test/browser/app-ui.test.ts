import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { APP_GIVE_UP_MS, ChromiumApp, engineCall, startAppServer, type AppServer } from '../helpers/sluice-app.js';
import { startWebTorrent, stopAllWebTorrent, type WebTorrentPeer } from '../helpers/webtorrent.js';
import { startWsTracker, stopAllWsTrackers, type WsTracker } from '../helpers/ws-tracker.js';
import { cleanTemps, tempDir } from '../interop/fixture.js';

/**
 * The app's UI in Debian's Chromium against a real webtorrent seeder in Node on loopback: adding by
 * pasting a magnet, by keyboard alone, by "Open torrent file" and by dropping files; the details
 * (files, peers, trackers, piece map) and a file set to skip; pause and resume; settings that survive
 * a reload; errors said in words. It saves the screenshots README shows (docs/screenshots/).
 */

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MiB = 1024 * 1024;
const TEST_TIMEOUT_MS = 180_000;
const ADD_FIELD = 'Magnet link, info hash or .torrent URL';

/** A folder that looks like something people share (random bytes; no media, so no player opens). */
const FILES: Readonly<Record<string, number>> = {
  'City Open Data 2024/traffic-counts.csv': 12 * MiB + 4321,
  'City Open Data 2024/docs/README.txt': 23_456,
  'City Open Data 2024/stations.json': 345_678,
};

let server: AppServer | undefined;
let browser: Browser | undefined;
let app: ChromiumApp;
let tracker: WsTracker;
let seeder: WebTorrentPeer;
let seeded: { infoHash: string; magnet: string; torrentFile: string; pieceCount: number };

beforeAll(async () => {
  server = await startAppServer();
  browser = await launchChromium();
  app = new ChromiumApp(browser, server.origin);
  tracker = await startWsTracker();
  const dir = tempDir('ui-seed');
  for (const [path, size] of Object.entries(FILES)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), randomBytes(size));
  }
  const torrentFile = join(dir, 'open-data.torrent');
  seeder = await startWebTorrent({ seed: join(dir, 'City Open Data 2024'), wsTracker: tracker.url, torrentOut: torrentFile });
  const ready = (await seeder.waitFor((l) => l.type === 'ready', APP_GIVE_UP_MS)) as { infoHash: string; magnet: string; length: number; pieceLength: number };
  seeded = { infoHash: ready.infoHash, magnet: ready.magnet, torrentFile, pieceCount: Math.ceil(ready.length / ready.pieceLength) };
});

afterEach(async () => {
  await app.closeContexts();
});

afterAll(async () => {
  await stopAllWebTorrent();
  await stopAllWsTrackers();
  cleanTemps();
  await browser?.close();
  await server?.close();
});

const torrent = (page: Page, infoHash = seeded.infoHash) => page.locator(`[data-infohash="${infoHash}"]`);

async function openFresh(path = '/', options: Parameters<ChromiumApp['newContext']>[2] = {}): Promise<Page> {
  return app.open(await app.newContext(tracker.url, 'auto', options), path);
}

describe('the app UI', () => {
  it('adds a pasted magnet; details show files, the WebRTC peer, the tracker and the piece map; a file set to Skip has priority 0', async () => {
    const page = await openFresh();
    // Slowed down so the seeder is still connected (two seeds part) while the details are read.
    await engineCall(page, 'settings', { changes: { downloadRateLimit: 128 * 1024 } });
    await page.getByLabel(ADD_FIELD).fill(seeded.magnet);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await app.waitForState(page, seeded.infoHash, 'downloading');
    await expect.poll(() => page.getByLabel(ADD_FIELD).inputValue()).toBe('');

    const row = torrent(page);
    expect(await row.locator('.name').innerText()).toBe('City Open Data 2024');
    await row.getByRole('button', { name: 'Details' }).click();
    const files = row.locator('.file');
    await expect.poll(() => files.count()).toBe(3);
    expect(await row.locator('canvas[role="img"]').getAttribute('aria-label')).toMatch(new RegExp(`^Piece map: \\d+ of ${seeded.pieceCount} pieces verified$`));

    await row.getByRole('tab', { name: /Peers/ }).click();
    await row.locator('[data-peer-transport="webrtc"]').first().waitFor({ timeout: APP_GIVE_UP_MS });
    expect(await row.locator('[data-peer-transport="webrtc"]').first().innerText()).toContain('WebRTC');

    await row.getByRole('tab', { name: 'Trackers' }).click();
    const trackerItem = row.locator('.tracker');
    await expect.poll(() => trackerItem.getAttribute('data-tracker-state'), { timeout: APP_GIVE_UP_MS }).toBe('working');
    expect(await trackerItem.locator('.tracker-url').innerText()).toBe(tracker.url);

    // Keyboard between tabs: ArrowLeft from Trackers goes to Peers.
    await page.keyboard.press('ArrowLeft');
    expect(await row.getByRole('tab', { name: /Peers/ }).getAttribute('aria-selected')).toBe('true');

    await row.getByRole('tab', { name: 'Files' }).click();
    const poster = 'stations.json';
    await row.getByLabel(`Priority of ${poster}`).selectOption({ label: 'Skip' });
    await expect
      .poll(async () => (await engineCall<{ path: string; priority: number }[]>(page, 'files', { infoHash: seeded.infoHash })).find((f) => f.path === poster)?.priority)
      .toBe(0);
    await expect.poll(() => row.getByLabel(`Download ${poster}`).isChecked()).toBe(false);
    // The checkbox selects it again, at normal priority.
    await row.getByLabel(`Download ${poster}`).click();
    await expect
      .poll(async () => (await engineCall<{ path: string; priority: number }[]>(page, 'files', { infoHash: seeded.infoHash })).find((f) => f.path === poster)?.priority)
      .toBe(4);

    // Unlimited again, it completes, and the piece map says every piece is verified.
    await engineCall(page, 'settings', { changes: { downloadRateLimit: 0 } });
    await app.waitForState(page, seeded.infoHash, 'seeding');
    await expect.poll(() => row.locator('canvas[role="img"]').getAttribute('aria-label')).toBe(`Piece map: ${seeded.pieceCount} of ${seeded.pieceCount} pieces verified`);
    expect(app.pageErrors).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('pauses and resumes from the torrent row', async () => {
    const page = await openFresh(`/#${seeded.magnet}`);
    await app.waitForState(page, seeded.infoHash, 'seeding');
    await torrent(page).getByRole('button', { name: 'Pause' }).click();
    await app.waitForState(page, seeded.infoHash, 'paused');
    expect(await torrent(page).locator('.badge').innerText()).toBe('Paused');
    await torrent(page).getByRole('button', { name: 'Resume' }).click();
    await app.waitForState(page, seeded.infoHash, 'seeding');
    expect(app.pageErrors).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('keeps settings across a reload: speed and connection limits in the engine, trackers, STUN/TURN servers and theme in the page', async () => {
    const page = await openFresh('/', { keepSaved: true });
    await page.waitForSelector('main[data-engine="leader"]');
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await expect.poll(() => dialog.getByLabel('Connection limit').inputValue(), { timeout: APP_GIVE_UP_MS }).not.toBe('');
    expect(await dialog.locator('[data-storage-kind]').getAttribute('data-storage-kind')).toBe('opfs');
    await dialog.getByLabel('Download limit').fill('300');
    await dialog.getByLabel('Upload limit').fill('120');
    await dialog.getByLabel('Connection limit').fill('40');
    await dialog.getByLabel('Per torrent').fill('12');
    const extraTracker = 'ws://127.0.0.1:9/announce';
    await dialog.getByLabel('One address a line').fill(`${tracker.url}\n${extraTracker}`);
    await dialog.getByLabel(/One a line: stun/).fill('stun:127.0.0.1:3478\nturn:127.0.0.1:3479 alice s3cret');
    await dialog.getByLabel('Theme').selectOption('dark');
    await dialog.getByRole('button', { name: 'Save' }).click();
    // STUN/TURN changes wait for the next start, and the dialog says so.
    await dialog.getByRole('status').waitFor();
    expect(await dialog.getByRole('status').innerText()).toContain('after a reload');
    expect(await engineCall<{ trackers: string[] }>(page, 'engineSettings', {})).toEqual({ storage: 'opfs', trackers: [tracker.url, extraTracker] });

    await page.reload();
    await page.waitForSelector('main[data-engine="leader"]');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { getAttribute(n: string): string | null } } }).document.documentElement.getAttribute('data-theme'))).toBe('dark');
    const settings = await engineCall<Record<string, number>>(page, 'settings', {});
    expect(settings).toMatchObject({ downloadRateLimit: 300 * 1024, uploadRateLimit: 120 * 1024, maxConnections: 40, maxConnectionsPerTorrent: 12 });
    expect(await engineCall<{ trackers: string[] }>(page, 'engineSettings', {})).toEqual({ storage: 'opfs', trackers: [tracker.url, extraTracker] });
    await page.getByRole('button', { name: 'Settings' }).click();
    const again = page.getByRole('dialog', { name: 'Settings' });
    await expect.poll(() => again.getByLabel('Download limit').inputValue(), { timeout: APP_GIVE_UP_MS }).toBe('300');
    expect(await again.getByLabel('Upload limit').inputValue()).toBe('120');
    expect(await again.getByLabel('Connection limit').inputValue()).toBe('40');
    expect(await again.getByLabel('One address a line').inputValue()).toBe(`${tracker.url}\n${extraTracker}`);
    expect(await again.getByLabel(/One a line: stun/).inputValue()).toBe('stun:127.0.0.1:3478\nturn:127.0.0.1:3479 alice s3cret');
    expect(await again.getByLabel('Theme').inputValue()).toBe('dark');
    expect(app.pageErrors).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('adds a torrent with the keyboard alone, with the focus visible', async () => {
    const page = await openFresh();
    let tabs = 0;
    while (!(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string; tagName: string; type?: string } | null } }).document.activeElement?.type === 'text'))) {
      await page.keyboard.press('Tab');
      if (++tabs > 8) throw new Error('the add field is not within 8 presses of Tab');
    }
    const field = page.getByLabel(ADD_FIELD);
    expect(await field.evaluate((el) => (el as unknown as { matches(s: string): boolean }).matches(':focus-visible'))).toBe(true);
    expect(await field.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { outlineStyle: string } }).getComputedStyle(el).outlineStyle)).not.toBe('none');
    await page.keyboard.type(seeded.magnet);
    await page.keyboard.press('Enter');
    await app.waitForState(page, seeded.infoHash, 'seeding');
    // On from the field, Tab reaches the torrent's own buttons.
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      const name = await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string | null } | null } }).document.activeElement?.textContent ?? '');
      if (name.includes('Pause')) break;
      if (i === 19) throw new Error('Tab never reached the torrent\'s Pause button');
    }
    await page.keyboard.press('Enter');
    await app.waitForState(page, seeded.infoHash, 'paused');
    expect(app.pageErrors).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('says in words what is wrong: not a magnet, a bad magnet, an unreachable tracker', async () => {
    const page = await openFresh();
    const field = page.getByLabel(ADD_FIELD);
    await field.fill('hello');
    await field.press('Enter');
    expect(await page.locator('.field-error[role="alert"]').innerText()).toBe('That is not a magnet link, an info hash (40 hex digits) or the http(s) address of a .torrent file.');
    await field.fill('magnet:?xt=urn:btih:12345');
    await field.press('Enter');
    await expect.poll(() => page.locator('.field-error[role="alert"]').innerText()).toMatch(/^Could not add the torrent: .+/);
    expect(await field.getAttribute('aria-invalid')).toBe('true');

    const closedPort = await freePort();
    const lonely = 'c0ffee'.repeat(6) + 'c0ff';
    await field.fill(`magnet:?xt=urn:btih:${lonely}&dn=lonely&tr=${encodeURIComponent(`ws://127.0.0.1:${closedPort}`)}`);
    await field.press('Enter');
    const warning = torrent(page, lonely).locator('.torrent-warning');
    await warning.waitFor({ timeout: APP_GIVE_UP_MS });
    expect(await warning.innerText()).toMatch(new RegExp(`^Tracker ws://127\\.0\\.0\\.1:${closedPort} is not reachable: .+`));

    // The same dead tracker beside one that works: no warning on the torrent (it finds peers), only
    // the tracker's own state in its details. A dead public tracker does not alarm every torrent.
    const paired = 'facade'.repeat(6) + 'fa0d';
    await field.fill(`magnet:?xt=urn:btih:${paired}&dn=paired&tr=${encodeURIComponent(`ws://127.0.0.1:${closedPort}`)}&tr=${encodeURIComponent(tracker.url)}`);
    await field.press('Enter');
    const row = torrent(page, paired);
    await row.getByRole('button', { name: 'Details' }).click();
    await row.getByRole('tab', { name: 'Trackers' }).click();
    const states = () => row.locator('.tracker').evaluateAll((els) => els.map((e) => e.getAttribute('data-tracker-state')).sort());
    await expect.poll(states, { timeout: APP_GIVE_UP_MS }).toEqual(['error', 'working']);
    expect(await row.locator('.torrent-warning').count()).toBe(0);
    // Page errors are the browser's own report of the refused WebSocket; the app said it in words.
    app.pageErrors.splice(0);
  }, TEST_TIMEOUT_MS);

  it('a magnet naming only trackers a browser cannot use (udp, http) gets the trackers for new torrents, and downloads', async () => {
    const page = await openFresh();
    // As a classic site links it: its trackers are udp:// and http:// ones, unreachable here anyway.
    const classic = `magnet:?xt=urn:btih:${seeded.infoHash}&dn=open-data&tr=${encodeURIComponent('udp://127.0.0.1:1/announce')}&tr=${encodeURIComponent('http://127.0.0.1:1/announce')}`;
    const field = page.getByLabel(ADD_FIELD);
    await field.fill(classic);
    await field.press('Enter');
    await app.waitForState(page, seeded.infoHash, 'seeding');
    const row = torrent(page);
    await row.getByRole('button', { name: 'Details' }).click();
    await row.getByRole('tab', { name: 'Trackers' }).click();
    await expect.poll(() => row.locator('.tracker-url').allInnerTexts(), { timeout: APP_GIVE_UP_MS }).toContain(tracker.url);
    expect(app.pageErrors).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('opens a .torrent file, seeds dropped files, and copies the share link', async () => {
    const page = await openFresh();
    await page.getByLabel('Open torrent file').setInputFiles(seeded.torrentFile);
    await app.waitForState(page, seeded.infoHash, 'seeding');

    // A drop anywhere on the page (a synthetic drag with a real File in its DataTransfer).
    const note = 'notes from the road\n'.repeat(500);
    await page.evaluate(
      ({ text }) => {
        const g = globalThis as unknown as {
          DataTransfer: new () => { items: { add(f: unknown): void } };
          File: new (parts: string[], name: string) => unknown;
          DragEvent: new (type: string, init: unknown) => unknown;
          document: { body: { dispatchEvent(e: unknown): void } };
        };
        const data = new g.DataTransfer();
        data.items.add(new g.File([text], 'road-notes.txt'));
        for (const type of ['dragenter', 'dragover', 'drop']) g.document.body.dispatchEvent(new g.DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
      },
      { text: note },
    );
    const share = page.locator('.share');
    await share.waitFor({ timeout: APP_GIVE_UP_MS });
    const link = (await share.getAttribute('data-share-link'))!;
    expect(link.startsWith(`${app.origin}/#magnet:?xt=urn:btih:`)).toBe(true);
    const infoHash = /btih:([0-9a-f]{40})/.exec(link)![1]!;
    await app.waitForState(page, infoHash, 'seeding');
    expect(await torrent(page, infoHash).locator('.name').innerText()).toBe('road-notes.txt');
    expect(link).toBe(`${app.origin}/#${await torrent(page, infoHash).getAttribute('data-magnet')}`);
    await share.getByRole('button', { name: 'Copy link' }).click();
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText())).toBe(link);
    expect(app.pageErrors).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('saves screenshots of the main screen with a torrent downloading: light, dark, phone width', async () => {
    const context = await app.newContext(tracker.url, 'auto');
    const page = await app.open(context);
    // Slow enough to catch it downloading: 160 KiB/s of the 12 MiB video.
    await engineCall(page, 'settings', { changes: { downloadRateLimit: 160 * 1024 } });
    await page.getByLabel('Seed files').setInputFiles({ name: 'holiday-photos.zip', mimeType: 'application/zip', buffer: randomBytes(3 * MiB + 777) });
    await page.locator('[data-state="seeding"]').first().waitFor({ timeout: APP_GIVE_UP_MS });
    await page.locator('.share').getByRole('button', { name: 'Close the share box' }).click();
    await page.getByLabel(ADD_FIELD).fill(seeded.magnet);
    await page.getByLabel(ADD_FIELD).press('Enter');
    await expect.poll(async () => Number(await torrent(page).getAttribute('data-progress')), { timeout: APP_GIVE_UP_MS }).toBeGreaterThan(0.15);
    expect(await torrent(page).getAttribute('data-state')).toBe('downloading');
    await torrent(page).getByRole('button', { name: 'Details' }).click();
    await torrent(page).locator('.file').first().waitFor();
    // Rates are averaged over a few seconds: let them settle so the shot shows a steady figure.
    await page.waitForTimeout(1500);

    await page.mouse.move(0, 0);
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    const out = join(repoRoot, 'docs/screenshots');
    mkdirSync(out, { recursive: true });
    await page.setViewportSize({ width: 1100, height: 860 });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.screenshot({ path: join(out, 'app-light.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    // The piece map's canvas takes its colours at its next redraw (each details refresh, once a second).
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(out, 'app-dark.png') });
    await torrent(page).getByRole('button', { name: 'Details' }).click();
    await page.setViewportSize({ width: 360, height: 780 });
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await page.emulateMedia({ colorScheme: 'light' });
    await page.screenshot({ path: join(out, 'app-phone.png') });
    // Nothing overflows sideways at phone width.
    expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    for (const name of ['app-light.png', 'app-dark.png', 'app-phone.png']) expect(readFileSync(join(out, name)).length).toBeGreaterThan(10_000);
    expect(app.pageErrors).toEqual([]);
  }, TEST_TIMEOUT_MS);
});

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolvePort(port));
    });
  });
}
