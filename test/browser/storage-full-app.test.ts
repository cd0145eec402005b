import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { engineCall, engineFileHashes, makeFolder, useChromiumApp, type ChromiumApp } from '../helpers/sluice-app.js';
import { startWebTorrent, type WebTorrentLine } from '../helpers/webtorrent.js';
import { startWsTracker } from '../helpers/ws-tracker.js';
import { tempDir } from '../interop/fixture.js';

/**
 * The browser's storage quota running out in the middle of a download, in Chromium (its quota made
 * small with the DevTools protocol's `Storage.overrideQuotaForOrigin`): the torrent stops with the
 * reason in words and a Resume button, keeps every piece it verified, and once there is room again
 * Resume goes on from there to the end, fetching nothing it had.
 */

const MiB = 1024 * 1024;
const TEST_TIMEOUT_MS = 240_000;

let app: ChromiumApp;
useChromiumApp((a) => (app = a));

interface Shown { infoHash: string; state: string; progress: number; verifiedBytes: number; error: { code: string; message: string } | null }
const statusOf = async (page: Page, infoHash: string) => (await engineCall<{ torrents: Shown[] }>(page, 'status', {})).torrents.find((t) => t.infoHash === infoHash)!;

describe('storage full, in the app (Chromium)', () => {
  it('stops the download with the reason and a Resume button, keeps what was verified, and Resume completes it once there is room', async () => {
    const tracker = await startWsTracker();
    const folder = makeFolder(tempDir('app-quota'), 'multi', [20 * MiB + 999, 12 * MiB - 999]);
    const seeder = await startWebTorrent({ seed: folder.path, wsTracker: tracker.url });
    const ready = (await seeder.waitFor((l) => l.type === 'ready', 60_000)) as Extract<WebTorrentLine, { type: 'ready' }>;

    const page = await app.open(await app.newContext(tracker.url), '/');
    const cdp = await page.context().newCDPSession(page);
    // Room for 24 of the torrent's 32 MiB beyond what the site already uses. Chromium counts a file's
    // length against the quota, and pieces come in any order: a piece near the end of the 20 MiB file
    // claims all of it at once. With 24 MiB the first piece always fits (so something is verified
    // before the stop), and both files' lengths never do.
    const used = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: app.origin, quotaSize: used + 24 * MiB });

    await engineCall(page, 'add', { input: { magnet: ready.magnet } });
    await app.waitForState(page, ready.infoHash, 'error');
    const row = page.locator(`[data-infohash="${ready.infoHash}"]`);
    await expect.poll(() => row.getByRole('alert').innerText(), { timeout: 30_000 }).toMatch(/^the browser's storage quota for this site is used up \(writing piece \d+\); free space or remove torrents, then resume$/);
    await page.screenshot({ path: '/tmp/sluice-app-storage-full.png', fullPage: true });
    const stopped = await statusOf(page, ready.infoHash);
    expect(stopped.error?.code).toBe('storage/disk-full');
    expect(stopped.verifiedBytes).toBeGreaterThan(0);
    expect(stopped.progress).toBeLessThan(1);
    // Nothing moves while it is stopped.
    const atStop = await seeder.stats();

    // The person makes room (here: the quota back to the browser's own), and presses Resume.
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: app.origin });
    await row.getByRole('button', { name: 'Resume' }).click();
    await app.waitForState(page, ready.infoHash, 'seeding');
    expect(await engineFileHashes(page, ready.infoHash)).toEqual(folder.hashes);

    // What was verified before the stop was not fetched again: after it the seeder answered what was
    // missing, plus at most a piece per connection (in flight on both sides).
    const end = await seeder.stats();
    const afterStop = end.answered - atStop.answered;
    expect(afterStop, `answered ${end.answered}, ${atStop.answered} of it before the stop; ${stopped.verifiedBytes} verified then; ${end.wires} connections`).toBeLessThanOrEqual(ready.length - stopped.verifiedBytes + ready.pieceLength * end.wires);
    expect(app.pageErrors).toEqual([]);
  }, TEST_TIMEOUT_MS);
});
