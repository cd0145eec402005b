import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { sluiceLong } from '../helpers/cli.js';
import { APP_GIVE_UP_MS, engineCall, engineFileHashes, makeFolder, sha256File, useChromiumApp, type ChromiumApp } from '../helpers/sluice-app.js';
import { startWebTorrent, type WebTorrentLine } from '../helpers/webtorrent.js';
import { startWsTracker, type WsTracker } from '../helpers/ws-tracker.js';
import { jsonLines, tempDir, track } from '../interop/fixture.js';

/**
 * The app keeps its torrents across reloads (IndexedDB for the list and resume data, OPFS for the
 * pieces), in Debian's Chromium on loopback: a reload in the middle of a download continues it
 * without fetching again what it had, paused torrents stay paused, completed ones seed again, and
 * removing with data empties OPFS. A `sluice download` gets a "Seed files" torrent from the app.
 */

const MiB = 1024 * 1024;
const TEST_TIMEOUT_MS = 240_000;

let app: ChromiumApp;
let tracker: WsTracker;
useChromiumApp((a) => (app = a));

type Ready = Extract<WebTorrentLine, { type: 'ready' }>;

interface Shown { state: string; progress: number; verifiedBytes: number; downloaded: number }
/** The only torrent's status, from the engine (not the page's last batch). */
const torrentStatus = async (page: Page) => (await engineCall<{ torrents: Shown[] }>(page, 'status', {})).torrents[0]!;

const progressOf = async (page: Page, infoHash: string) => Number(await page.getAttribute(`[data-infohash="${infoHash}"]`, 'data-progress'));

/** Seeds `paths` through the page's "Seed files" input; resolves with the new torrent's info hash once it seeds. */
async function seedThroughPage(page: Page, paths: readonly string[]): Promise<string> {
  const before = await page.locator('[data-infohash]').evaluateAll((els) => els.map((e) => e.getAttribute('data-infohash')));
  await page.getByLabel('Seed files').setInputFiles([...paths]);
  let infoHash: string | null = null;
  await expect
    .poll(async () => {
      const now = await page.locator('[data-infohash]').evaluateAll((els) => els.map((e) => e.getAttribute('data-infohash')));
      infoHash = now.find((h) => h && !before.includes(h)) ?? null;
      return infoHash;
    }, { timeout: APP_GIVE_UP_MS })
    .not.toBeNull();
  await app.waitForState(page, infoHash!, 'seeding');
  return infoHash!;
}

interface Recorded {
  /** The engine's `downloaded` in the last answer before the page went away. */
  readonly downloaded: number;
  /** How old that answer was when the page went away, and how long after beforeunload it went. */
  readonly ageMs: number;
  readonly leavingMs: number;
  /**
   * In the first answer to a call made after beforeunload (the app's own beforeunload listener,
   * registered first, has told the worker by then): the bytes still requested (`requestedBytes`) and
   * those received but not yet verified and stored (`downloaded - verifiedBytes`), or null when none
   * came back in time.
   */
  readonly requestedAfterLeaving: number | null;
  readonly unverifiedAfterLeaving: number | null;
}

/**
 * Asks the engine for its status back to back and keeps what the test needs in sessionStorage (which
 * outlives a reload of the tab): what the old page had received when it went away, and what it still
 * had requested once it stopped requesting.
 */
async function recordStatusUntilUnload(page: Page): Promise<void> {
  await page.evaluate(() => {
    type Outcome = { ok: true; value: { torrents: { downloaded: number; verifiedBytes: number; requestedBytes: number }[] } } | { ok: false };
    const g = globalThis as unknown as {
      sluiceEngine: { call(name: string, args: unknown): Promise<Outcome> };
      sessionStorage: { setItem(key: string, value: string): void };
      addEventListener(type: string, listener: () => void): void;
    };
    let last = { downloaded: 0, at: Date.now() };
    let leaving = Number.NaN;
    let requestedAfterLeaving: number | null = null;
    let unverifiedAfterLeaving: number | null = null;
    g.addEventListener('beforeunload', () => (leaving = Date.now()));
    g.addEventListener('pagehide', () => {
      const recorded = { downloaded: last.downloaded, ageMs: Date.now() - last.at, leavingMs: Date.now() - leaving, requestedAfterLeaving, unverifiedAfterLeaving };
      g.sessionStorage.setItem('sluice-test:last-status', JSON.stringify(recorded));
    });
    let started: () => void = () => {};
    const firstAnswer = new Promise<void>((resolve) => (started = resolve));
    const ask = async (): Promise<void> => {
      const askedAfterLeaving = !Number.isNaN(leaving);
      const outcome = await g.sluiceEngine.call('status', {});
      const torrent = outcome.ok ? outcome.value.torrents[0] : undefined;
      if (torrent) {
        last = { downloaded: torrent.downloaded, at: Date.now() };
        if (askedAfterLeaving && requestedAfterLeaving === null) {
          requestedAfterLeaving = torrent.requestedBytes;
          unverifiedAfterLeaving = Math.max(0, torrent.downloaded - torrent.verifiedBytes);
        }
      }
      started();
      setTimeout(() => void ask(), 0);
    };
    void ask();
    return firstAnswer;
  });
}

async function lastRecordedStatus(page: Page): Promise<Recorded> {
  const json = await page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage.getItem('sluice-test:last-status'));
  expect(json, 'the old page recorded its last status').not.toBeNull();
  return JSON.parse(json!) as Recorded;
}

/** The names under `sluice/torrents/` in the origin private file system, as the page sees them. */
async function opfsTorrentFolders(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    type Dir = { getDirectoryHandle(name: string): Promise<Dir>; keys(): AsyncIterable<string> };
    const root = (await (globalThis as unknown as { navigator: { storage: { getDirectory(): Promise<Dir> } } }).navigator.storage.getDirectory());
    try {
      const torrents = await (await root.getDirectoryHandle('sluice')).getDirectoryHandle('torrents');
      const names: string[] = [];
      for await (const name of torrents.keys()) names.push(name);
      return names.sort();
    } catch {
      return [];
    }
  });
}

describe('the app across reloads, in Chromium', () => {
  it('reloaded in the middle of a download, continues it and completes byte-identical, fetching again nothing it had verified', async () => {
    tracker = await startWsTracker();
    const folder = makeFolder(tempDir('persist-seed'), 'reloaded', [16 * MiB + 4321, 24 * MiB - 4321]);
    const seeder = await startWebTorrent({ seed: folder.path, wsTracker: tracker.url });
    const ready = await seeder.waitFor((l): l is Ready => l.type === 'ready', APP_GIVE_UP_MS);

    const page = await app.open(await app.newPersistentContext(tempDir('persist-profile'), tracker.url), `/#${ready.magnet}`);
    await expect.poll(() => progressOf(page, ready.infoHash), { timeout: APP_GIVE_UP_MS, interval: 50 }).toBeGreaterThanOrEqual(0.2);
    const before = await torrentStatus(page);
    expect(before.progress).toBeLessThan(1);
    await recordStatusUntilUnload(page);
    await page.reload();
    await page.waitForSelector('main[data-engine="leader"]');
    // Sent by the seeder until the page went away (the new page has not found it yet: WebRTC takes a while).
    const firstHalf = await seeder.stats();
    // Commands wait until the saved torrents are back and checked: what was verified before is there
    // (minus nothing; bytes this page already downloaded are taken off).
    const restored = await torrentStatus(page);
    const restoredBytes = restored.verifiedBytes - restored.downloaded;
    expect(restoredBytes, `restored in state ${restored.state}`).toBeGreaterThanOrEqual(before.verifiedBytes);
    const lastSeen = await lastRecordedStatus(page);

    // The same address again: the saved torrent is back (not added anew) and goes on.
    await app.waitForState(page, ready.infoHash, 'seeding');
    await page.screenshot({ path: '/tmp/sluice-app-reloaded.png', fullPage: true });
    expect(await page.locator('[data-infohash]').count()).toBe(1);
    expect(await engineFileHashes(page, ready.infoHash)).toEqual(folder.hashes);

    // What the seeder answered, counted as webtorrent counts each connection's uploaded payload: a block
    // counts once its PIECE message is queued on the wire, before it reaches the channel, so blocks
    // answered but still in the seeder's buffers when the page went away count (webtorrent ignores a
    // CANCEL once it has read the block). Its torrent-wide `uploaded` counts every byte of the wire as
    // it enters the connection, 13 bytes of framing per block (33 KB for this torrent) included.
    //
    // Issue 9 bounds it by the torrent once plus a piece per connection. Two parts make it up:
    // - After the reload nothing verified is fetched again: the second half answers what was missing,
    //   plus at most a piece per connection (a piece in flight on both sides). Exact on any machine.
    // - At the reload, the page loses what it had requested and not received when the connections
    //   ended, and what it had received but not yet verified and stored. From beforeunload on it
    //   requests nothing new, so that is at most what was still requested once it stopped
    //   (`requestedBytes` then) and what it held unverified then (`downloaded - verifiedBytes`: the
    //   hashing and OPFS writes behind a stalled worker), plus a piece per connection. On a quiet machine that queue drains before the page goes away and the loss is
    //   under a piece per connection; on a loaded one (two cores running the whole suite) the queue, a
    //   few round trips of data, outlasts the ~100 ms the page has left (docs/browser-engine.md).
    const stats = await seeder.stats();
    const lost = firstHalf.answered - restoredBytes;
    const secondHalfExtra = stats.answered - firstHalf.answered - (ready.length - restoredBytes);
    const perConnection = ready.pieceLength * stats.wires;
    const detail =
      `reloaded at ${before.progress.toFixed(3)}; ${stats.wires} connections; piece ${ready.pieceLength}; answered ${stats.answered} ` +
      `(first half ${firstHalf.answered}, restored ${restoredBytes}: lost at the reload ${lost}, requested when the page stopped requesting ${lastSeen.requestedAfterLeaving} (received, not yet stored ${lastSeen.unverifiedAfterLeaving}), ` +
      `received by the page but not restored about ${lastSeen.downloaded - restoredBytes} as of ${lastSeen.ageMs} ms before it went away, ${lastSeen.leavingMs} ms after beforeunload; ` +
      `verified after the snapshot ${restoredBytes - before.verifiedBytes}); second half beyond what was missing ${secondHalfExtra}; wire bytes uploaded ${stats.uploaded}`;
    console.log(`reload: ${detail}`);
    expect(secondHalfExtra, detail).toBeLessThanOrEqual(perConnection);
    expect(lastSeen.requestedAfterLeaving, `the engine answered a status call made after beforeunload; ${detail}`).not.toBeNull();
    expect(lost, detail).toBeLessThanOrEqual(lastSeen.requestedAfterLeaving! + lastSeen.unverifiedAfterLeaving! + perConnection);
    expect(stats.answered).toBeGreaterThanOrEqual(ready.length);
    expect(app.pageErrors).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('keeps paused torrents paused (a magnet still fetching metadata too) and seeds completed ones again after a reload', async () => {
    tracker = await startWsTracker();
    const folder = makeFolder(tempDir('persist-files'), 'kept', [3 * MiB + 17, 1 * MiB]);
    const other = makeFolder(tempDir('persist-other'), 'paused', [700_000]);
    const context = await app.newContext(tracker.url);
    const page = await app.open(context);
    const seeding = await seedThroughPage(page, Object.keys(folder.hashes).map((p) => join(folder.path, p)));
    const paused = await seedThroughPage(page, [join(other.path, 'part-0.bin')]);
    await page.locator(`[data-infohash="${paused}"]`).getByRole('button', { name: 'Pause' }).click();
    await app.waitForState(page, paused, 'paused');

    // A magnet nobody seeds stays in 'metadata'; paused, it says so.
    const nobody = randomBytes(20).toString('hex');
    const noPeers = await app.open(context, `/#magnet:?xt=urn:btih:${nobody}&tr=${encodeURIComponent(tracker.url)}`);
    await app.waitForState(noPeers, nobody, 'metadata');
    await noPeers.locator(`[data-infohash="${nobody}"]`).getByRole('button', { name: 'Pause' }).click();
    await app.waitForState(noPeers, nobody, 'paused');
    await noPeers.close();

    await page.reload();
    await page.waitForSelector('main[data-engine="leader"]');
    await app.waitForState(page, seeding, 'seeding');
    await app.waitForState(page, paused, 'paused');
    await app.waitForState(page, nobody, 'paused');
    await page.screenshot({ path: '/tmp/sluice-app-paused-reload.png', fullPage: true });
    // Restored in the order they were added.
    expect(await page.locator('[data-infohash]').evaluateAll((els) => els.map((e) => e.getAttribute('data-infohash')))).toEqual([seeding, paused, nobody]);

    // The completed torrent seeds again, from the app alone, byte-identical.
    const magnet = (await page.getAttribute(`[data-infohash="${seeding}"]`, 'data-magnet'))!;
    const out = tempDir('persist-leech');
    const leecher = await startWebTorrent({ magnet, out, wsTracker: tracker.url });
    try {
      await leecher.waitFor((l) => l.type === 'done', APP_GIVE_UP_MS * 2);
    } catch (err) {
      throw new Error(`the Node downloader did not finish from the reloaded app: ${String(err)}\n${leecher.transcript()}`);
    }
    const name = (await leecher.waitFor((l): l is Ready => l.type === 'ready')).name;
    for (const [path, hash] of Object.entries(folder.hashes)) expect(sha256File(join(out, name, path)), path).toBe(hash);
    // The paused one stayed paused through all this.
    await app.waitForState(page, paused, 'paused');
    expect(app.pageErrors).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('removing with data deletes the torrent\'s files from OPFS, and a reload does not bring it back', async () => {
    tracker = await startWsTracker();
    const folder = makeFolder(tempDir('persist-remove'), 'removed', [2 * MiB + 3]);
    const kept = makeFolder(tempDir('persist-keep'), 'kept', [300_000]);
    const page = await app.open(await app.newContext(tracker.url));
    const removed = await seedThroughPage(page, [join(folder.path, 'part-0.bin')]);
    const stays = await seedThroughPage(page, [join(kept.path, 'part-0.bin')]);
    expect(await opfsTorrentFolders(page)).toEqual([removed, stays].sort());

    await page.locator(`[data-infohash="${removed}"]`).getByRole('button', { name: 'Remove with data' }).click();
    // The app asks before deleting data.
    await page.locator(`[data-infohash="${removed}"]`).getByRole('button', { name: 'Delete data' }).click();
    await page.waitForSelector(`[data-infohash="${removed}"]`, { state: 'detached', timeout: APP_GIVE_UP_MS });
    await expect.poll(() => opfsTorrentFolders(page)).toEqual([stays]);
    await page.reload();
    await page.waitForSelector('main[data-engine="leader"]');
    await app.waitForState(page, stays, 'seeding');
    expect(await page.locator('[data-infohash]').count()).toBe(1);
    expect(app.pageErrors).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('a `sluice download` of a "Seed files" torrent\'s data-magnet gets the same bytes over WebRTC', async () => {
    tracker = await startWsTracker();
    const folder = makeFolder(tempDir('persist-cli'), 'for-cli', [2 * MiB + 99, 5_000]);
    const page = await app.open(await app.newContext(tracker.url));
    const infoHash = await seedThroughPage(page, Object.keys(folder.hashes).map((p) => join(folder.path, p)));
    const magnet = (await page.getAttribute(`[data-infohash="${infoHash}"]`, 'data-magnet'))!;
    expect(magnet).toContain(`tr=${encodeURIComponent(tracker.url)}`);

    const out = tempDir('persist-cli-out');
    const run = sluiceLong(['download', magnet, '--out', out, '--state', tempDir('state'), '--no-dht', '--json', '--no-tcp', '--no-stun', '--webrtc-host', '127.0.0.1']);
    track(run.child);
    run.firstLine.catch(() => undefined);
    const watchdog = setTimeout(() => run.child.kill('SIGINT'), APP_GIVE_UP_MS);
    const code = await run.exited;
    clearTimeout(watchdog);
    const lines = jsonLines(run.stdout());
    expect(code, `${run.stdout().slice(-2000)}\n${run.stderr()}`).toBe(0);
    // Picked without a folder: the torrent is named after the first file.
    const name = Object.keys(folder.hashes).sort()[0]!;
    expect(lines.at(-1)).toMatchObject({ infoHash, name, state: 'done', progress: 1 });
    for (const [path, hash] of Object.entries(folder.hashes)) expect(sha256File(join(out, name, path)), path).toBe(hash);
  }, TEST_TIMEOUT_MS);
});
