import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sluice } from '../helpers/cli.js';
import { engineFileHashes, makeFolder, useChromiumApp, type ChromiumApp } from '../helpers/sluice-app.js';
import { startWsTracker } from '../helpers/ws-tracker.js';
import { tempDir } from '../interop/fixture.js';
import { startRangeServer, type RangeServer } from '../sidecar/webseed/range-server.js';

/**
 * Web seeds (BEP 19) in the app, in Chromium: the engine worker fetches Range requests from an HTTP
 * server of another origin, which works only where that server allows it (CORS).
 */

const TEST_TIMEOUT_MS = 180_000;
/** What the page is given to show something (a loaded machine runs the whole suite on two cores). */
const UI_WAIT_MS = 30_000;

let app: ChromiumApp;
useChromiumApp((a) => (app = a));

let server: RangeServer | null = null;
let tempRoot = '';
afterEach(async () => {
  await server?.close();
  server = null;
});

/** A folder served over HTTP, and a .torrent of it (16 KiB pieces) naming that server as its web seed, served beside it. */
async function webSeeded(cors: boolean) {
  const dir = (tempRoot = tempDir('app-webseed'));
  const folder = makeFolder(dir, 'album', [300_001, 1024 * 1024 + 7]);
  server = await startRangeServer(dir, { cors });
  const made = sluice(['create', folder.path, '-o', join(dir, 'album.torrent'), '--webseed', server.url, '--piece-length', '16K', '--json']);
  expect(made.status, made.stderr).toBe(0);
  const { infoHash } = JSON.parse(made.stdout) as { infoHash: string };
  return { folder, infoHash, torrentUrl: `${server.url}album.torrent` };
}

describe('web seeds in the app (Chromium)', () => {
  it('downloads a torrent whose only source is a web seed allowing CORS, byte-identical, added by the URL of its .torrent', async () => {
    const { folder, infoHash, torrentUrl } = await webSeeded(true);
    // A tracker nobody else announces to: no peers, only the web seed.
    const tracker = await startWsTracker();
    const page = await app.open(await app.newContext(tracker.url), `/?add=${encodeURIComponent(torrentUrl)}`);
    await app.waitForState(page, infoHash, 'seeding');
    expect(await engineFileHashes(page, infoHash)).toEqual(folder.hashes);
    // Fetched in ranges, from both files.
    const ranged = server!.requests.filter((r) => r.range !== undefined);
    expect(new Set(ranged.map((r) => r.path))).toEqual(new Set(['/album/part-0.bin', '/album/part-1.bin']));
    // The details say where the bytes came from.
    const row = page.locator(`[data-infohash="${infoHash}"]`);
    await row.getByRole('button', { name: 'Details' }).click();
    await row.getByRole('tab', { name: 'Trackers' }).click();
    const seed = row.getByRole('region', { name: 'Web seeds' }).locator('[data-web-seed-state="working"]');
    await expect.poll(() => seed.innerText(), { timeout: UI_WAIT_MS }).toContain(server!.url);
    expect(await seed.innerText()).toContain('1.3 MiB received');
  }, TEST_TIMEOUT_MS);

  it('says in the page why a web seed that does not allow CORS gives nothing, and why its .torrent URL could not be added', async () => {
    const { infoHash, torrentUrl } = await webSeeded(false);
    const tracker = await startWsTracker();
    const page = await app.open(await app.newContext(tracker.url), `/?add=${encodeURIComponent(torrentUrl)}`);
    const blocked = '(the server is not answering, or does not allow other sites to fetch from it: CORS)';
    await expect.poll(() => page.locator('main').innerText(), { timeout: UI_WAIT_MS }).toContain(`Could not add the torrent: could not fetch ${torrentUrl}: Failed to fetch ${blocked}`);

    // The same torrent opened from its file: the web seed is asked, refused by the browser, and said so on the torrent.
    await page.getByLabel('Open torrent file').setInputFiles(join(tempRoot, 'album.torrent'));
    const row = page.locator(`[data-infohash="${infoHash}"]`);
    await expect.poll(() => row.innerText(), { timeout: UI_WAIT_MS }).toContain(`Web seed ${server!.url} is not working: unreachable: Failed to fetch ${blocked}`);
    expect(await row.getAttribute('data-progress')).toBe('0');
    await row.getByRole('button', { name: 'Details' }).click();
    await row.getByRole('tab', { name: 'Trackers' }).click();
    const seed = row.getByRole('region', { name: 'Web seeds' }).locator('[data-web-seed-state="error"]');
    await expect.poll(() => seed.innerText(), { timeout: UI_WAIT_MS }).toContain('Not working');
    expect(await seed.innerText()).toMatch(/tried again in \d+ s/);
    await page.screenshot({ path: '/tmp/sluice-webseed-blocked.png', fullPage: true });
  }, TEST_TIMEOUT_MS);
});
