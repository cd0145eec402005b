import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { staticFiles } from '../../sidecar/src/http/static-files.js';
import { launchChromium } from '../helpers/chromium.js';
import { sluiceLong } from '../helpers/cli.js';
import { libtorrentCreate, startLibtorrent, stopAllLibtorrent } from '../helpers/libtorrent.js';
import { fetchedHash, seekTo, waitForVideo, watchMediaEvents } from '../helpers/media-page.js';
import { buildApp, makeMp4 } from '../helpers/streaming-app.js';
import { cleanTemps, tempDir, writeFolder } from '../interop/fixture.js';

/**
 * The bridge end to end, in Debian's Chromium on loopback: libtorrent seeds an MP4 over TCP only (no
 * WebRTC anywhere), and the app opened from `sluice serve` at `/#<magnet with x.pe=libtorrent>` gets
 * every byte through the sidecar, which keeps the same bytes in its --out folder.
 */

const GIVE_UP_MS = 120_000;
let browser: Browser | undefined;
let appDir = '';
const contexts: BrowserContext[] = [];
const servers: ReturnType<typeof sluiceLong>[] = [];

beforeAll(async () => {
  appDir = tempDir('bridge-app-dist');
  await buildApp(appDir);
  browser = await launchChromium();
}, 300_000);

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close().catch(() => {});
  for (const s of servers.splice(0)) {
    s.child.kill('SIGTERM');
    await s.exited;
  }
  await stopAllLibtorrent();
});

afterAll(async () => {
  await browser?.close();
  cleanTemps();
});

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function startServe(out: string, extra: string[] = [], options: { port?: number; state?: string } = {}) {
  const state = options.state ?? tempDir('bridge-state');
  const server = sluiceLong(['serve', '--port', String(options.port ?? 0), '--app', appDir, '--out', out, '--state', state, '--no-dht', '--no-webrtc', '--json', ...extra]);
  servers.push(server);
  return { server, info: JSON.parse(await server.firstLine) as { url: string; open: string; bridge: string } };
}

/** The app with no tracker and no STUN server: the bridge is its only way to a peer. */
async function openApp(origin: string, path: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser!.newContext();
  contexts.push(context);
  await context.addInitScript(watchMediaEvents);
  await context.addInitScript(() => {
    const g = globalThis as unknown as { localStorage: { setItem(key: string, value: string): void }; peerAlerts: string[] };
    g.localStorage.setItem('sluice:trackers', '[]');
    g.localStorage.setItem('sluice:ice-servers', '[]');
    // Every peer the engine connected to, from its status batches (subscribed as soon as the page makes its client).
    g.peerAlerts = [];
    type Client = { subscribe(f: (b: { alerts: { type: string; address?: string }[] }) => void): void };
    Object.defineProperty(globalThis, 'sluiceEngine', {
      configurable: true,
      set(client: Client) {
        Object.defineProperty(globalThis, 'sluiceEngine', { value: client, writable: true, configurable: true });
        client.subscribe((b) => b.alerts.forEach((a) => a.type === 'peer-connected' && g.peerAlerts.push(a.address!)));
      },
    });
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${origin}${path}`);
  await page.waitForSelector('main[data-engine]');
  return { page, errors };
}

async function readBack(page: Page, infoHash: string): Promise<string> {
  return page.evaluate(async (ih) => {
    type Outcome<T> = { ok: true; value: T } | { ok: false; error: { message: string } };
    const engine = (globalThis as unknown as { sluiceEngine: { call(name: string, args: unknown): Promise<Outcome<unknown>> } }).sluiceEngine;
    const bytes = (await engine.call('readFile', { infoHash: ih, fileIndex: 0 })) as Outcome<Uint8Array<ArrayBuffer>>;
    if (!bytes.ok) throw new Error(bytes.error.message);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes.value));
    return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
  }, infoHash);
}

describe('the bridge in Chromium', () => {
  it('plays and downloads an MP4 that only libtorrent (TCP) has, through sluice serve, and the --out folder holds the same bytes', async () => {
    const seedDir = tempDir('bridge-seed');
    const video = makeMp4(seedDir, 'clip.mp4', true).bytes;
    const torrentPath = join(tempDir('bridge-torrent'), 'clip.torrent');
    const { v1 } = libtorrentCreate(join(seedDir, 'clip.mp4'), torrentPath, { v1Only: true, pieceLength: 65536 });
    const seeder = await startLibtorrent({ torrent: torrentPath, savePath: seedDir, seedMode: true });
    const out = tempDir('bridge-out');
    const { info } = await startServe(out);
    const magnet = `magnet:?xt=urn:btih:${v1}&dn=clip.mp4&x.pe=127.0.0.1:${seeder.port}`;

    const { page, errors } = await openApp(new URL(info.open).origin, `/#${magnet}`);
    await page.waitForSelector('[data-bridge="connected"]', { timeout: GIVE_UP_MS });
    const torrent = `[data-infohash="${v1}"]`;
    // On failure: the sidecar's event lines too (its dials to libtorrent and why they ended), and libtorrent's side.
    const context = () => `errors: ${errors.join(' | ')}\nsidecar: ${servers[0]!.stderr()}\n${servers[0]!.stdout().slice(-4000)}\nlibtorrent: ${seeder.transcript().slice(-2000)}`;
    // The app opens the video by itself and plays it through its Service Worker, from pieces that came through the bridge.
    const started = await waitForVideo(page, 'started playing', (s) => s.events.some((e) => e.type === 'playing') && s.currentTime > 0, GIVE_UP_MS, context());
    expect(new URL(started.src).pathname).toBe(`/stream/${v1}/1/clip.mp4`);
    await waitForVideo(page, 'advanced', (s) => s.currentTime >= started.currentTime + 1 && !s.paused, GIVE_UP_MS, context());
    const target = started.duration * 0.8;
    const seeked = await seekTo(page, target, GIVE_UP_MS);
    expect(seeked.events.filter((e) => e.type === 'seeked').at(-1)!.at).toBeGreaterThanOrEqual(target - 1);
    const playsOn = await waitForVideo(page, 'played on after the seek', (s) => s.currentTime >= target + 1, GIVE_UP_MS, context());
    expect(playsOn.events.filter((e) => e.type === 'error')).toEqual([]);
    expect(await fetchedHash(page, started.src)).toBe(sha256(video));
    try {
      await page.waitForSelector(`${torrent}[data-state="seeding"]`, { timeout: GIVE_UP_MS });
    } catch (err) {
      throw new Error(`never complete: ${String(err).split('\n')[0]}\npage: ${await page.locator('main').innerText()}\nerrors: ${errors.join(' | ')}\nsidecar: ${servers[0]!.stderr()}`);
    }
    expect(await page.getAttribute(torrent, 'data-progress')).toBe('1');
    // Its only peer was the sidecar, through the bridge (a websocket peer keyed by the sidecar's peer id).
    expect(await page.evaluate(() => (globalThis as unknown as { peerAlerts: string[] }).peerAlerts)).toEqual([expect.stringMatching(/^websocket:[0-9a-f]{40}$/)]);
    expect(await readBack(page, v1!)).toBe(sha256(video));
    // The sidecar keeps what it fetched for the browser, byte-identical, in --out.
    expect(sha256(readFileSync(join(out, 'clip.mp4')))).toBe(sha256(video));
    // libtorrent uploaded it once, to the sidecar: the browser never reached it.
    const status = await seeder.waitFor((l) => l.type === 'status' && l.uploaded >= video.length);
    expect(status.type === 'status' && status.uploaded).toBeLessThan(video.length * 2);
    await page.screenshot({ path: '/tmp/sluice-bridge-app.png', fullPage: true });
  }, 300_000);

  it('shows the bridge down with the reason when the sidecar is killed mid-transfer, keeps what it verified, and completes once sluice serve is back', async () => {
    const seedDir = tempDir('kill-seed');
    const video = makeMp4(seedDir, 'clip.mp4', true).bytes;
    const torrentPath = join(tempDir('kill-torrent'), 'clip.torrent');
    const { v1 } = libtorrentCreate(join(seedDir, 'clip.mp4'), torrentPath, { v1Only: true, pieceLength: 65536 });
    // Slow enough that the sidecar is killed with the transfer under way.
    const seeder = await startLibtorrent({ torrent: torrentPath, savePath: seedDir, seedMode: true, uploadLimit: 300_000 });
    const out = tempDir('kill-out');
    const state = tempDir('kill-state');
    const first = await startServe(out, [], { state });
    const origin = new URL(first.info.open).origin;
    const port = Number(new URL(origin).port);
    const magnet = `magnet:?xt=urn:btih:${v1}&dn=clip.mp4&x.pe=127.0.0.1:${seeder.port}`;
    const { page, errors } = await openApp(origin, `/#${magnet}`);
    const torrent = `[data-infohash="${v1}"]`;
    let second: Awaited<ReturnType<typeof startServe>> | null = null;
    // A step that times out says where, and what the page and both sidecars showed.
    const step = async <T,>(what: string, wait: Promise<T>): Promise<T> => {
      try {
        return await wait;
      } catch (err) {
        const shown = await page.locator('main').innerText().catch(() => '?');
        throw new Error(`${what}: ${String(err).split('\n')[0]}\npage: ${shown}\nerrors: ${errors.join(' | ')}\nfirst sidecar: ${first.server.stderr()}\nsecond sidecar: ${second?.server.stderr() ?? ''}\n${second?.server.stdout().slice(-3000) ?? ''}`);
      }
    };
    const progress = async () => Number((await page.getAttribute(torrent, 'data-progress')) ?? '0');
    await step('first connection', page.waitForSelector('[data-bridge="connected"]', { timeout: GIVE_UP_MS }));
    await step('15% through the first sidecar', page.waitForFunction(
      (sel) => {
        const doc = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document;
        return Number(doc.querySelector(sel)?.getAttribute('data-progress') ?? '0') >= 0.15;
      },
      torrent,
      { timeout: GIVE_UP_MS },
    ));

    first.server.child.kill('SIGKILL');
    await first.server.exited;
    await step('down', page.waitForSelector('[data-bridge="down"]', { timeout: GIVE_UP_MS }));
    expect(await page.locator('[data-bridge]').innerText()).toMatch(/^Bridge down: (the sidecar closed the bridge|cannot reach http:\/\/127\.0\.0\.1:\d+|cannot connect to ws:\/\/127\.0\.0\.1:\d+\/bridge)/);
    const kept = await progress();
    expect(kept).toBeGreaterThanOrEqual(0.15);
    expect(kept).toBeLessThan(1);

    // Back on the same port with the same state: the page reconnects on its own and the download completes.
    second = await startServe(out, [], { port, state });
    await step('reconnected', page.waitForSelector('[data-bridge="connected"]', { timeout: GIVE_UP_MS }));
    expect(await progress()).toBeGreaterThanOrEqual(kept);
    await step('complete after the restart', page.waitForSelector(`${torrent}[data-state="seeding"]`, { timeout: GIVE_UP_MS }));
    expect(await readBack(page, v1!)).toBe(sha256(video));
    expect(sha256(readFileSync(join(out, 'clip.mp4')))).toBe(sha256(video));
  }, 300_000);

  it("remote mode: lists the sidecar's own torrents, plays one from the sidecar's /stream URL, adds, pauses, resumes and removes them", async () => {
    // One torrent given on serve's command line, its data already in --out: the sidecar seeds it.
    const out = tempDir('remote-out');
    const video = makeMp4(out, 'own.mp4', true).bytes;
    const ownTorrent = join(tempDir('remote-torrent'), 'own.torrent');
    const own = libtorrentCreate(join(out, 'own.mp4'), ownTorrent, { v1Only: true, pieceLength: 65536 }).v1!;
    // Another that only libtorrent has: added from the app by its magnet.
    const seedDir = tempDir('remote-seed');
    const other = makeMp4(seedDir, 'other.mp4', true).bytes;
    const otherTorrent = join(tempDir('remote-torrent2'), 'other.torrent');
    const added = libtorrentCreate(join(seedDir, 'other.mp4'), otherTorrent, { v1Only: true, pieceLength: 65536 }).v1!;
    const seeder = await startLibtorrent({ torrent: otherTorrent, savePath: seedDir, seedMode: true });
    const { server, info } = await startServe(out, [ownTorrent]);
    const sidecarSaid = (event: string, infoHash: string, extra = '') => server.stdout().split('\n').some((l) => l.includes(`"event":"${event}"`) && l.includes(infoHash) && l.includes(extra));

    const { page, errors } = await openApp(new URL(info.open).origin, '/');
    const row = (ih: string) => `[data-remote-infohash="${ih}"]`;
    await page.waitForSelector(`${row(own)}[data-state="seeding"][data-progress="1"]`, { timeout: GIVE_UP_MS });

    // Its file plays from the sidecar's own stream URL (not the app's Service Worker: the browser's engine has no such torrent).
    await page.click(`${row(own)} [data-remote-file="1"] button`);
    const started = await waitForVideo(page, 'started playing', (m) => m.events.some((e) => e.type === 'playing') && m.currentTime > 0, GIVE_UP_MS, `errors: ${errors.join(' | ')}`);
    expect(started.src).toBe(`${new URL(info.open).origin}/stream/${own}/1/own.mp4?sidecar`);
    await waitForVideo(page, 'advanced', (m) => m.currentTime >= started.currentTime + 1, GIVE_UP_MS);
    expect(await fetchedHash(page, started.src)).toBe(sha256(video));
    expect(await page.evaluate(() => (globalThis as unknown as { sluiceEngine: { status: { status: { torrents: unknown[] } } } }).sluiceEngine.status.status.torrents.length)).toBe(0);

    // Pausing it from the app pauses it in the sidecar (its own log says so), and resuming resumes it.
    await page.click(`${row(own)} button:text("Pause")`);
    await page.waitForSelector(`${row(own)}[data-state="paused"]`, { timeout: GIVE_UP_MS });
    expect(sidecarSaid('state-changed', own, '"state":"paused"')).toBe(true);
    await page.click(`${row(own)} button:text("Resume")`);
    await page.waitForSelector(`${row(own)}[data-state="seeding"]`, { timeout: GIVE_UP_MS });

    // Added from the app by a magnet: the sidecar fetches it from libtorrent into --out.
    await page.fill('input[name="sidecar-link"]', `magnet:?xt=urn:btih:${added}&dn=other.mp4&x.pe=127.0.0.1:${seeder.port}`);
    await page.click('button:text("Add to the sidecar")');
    await page.waitForSelector(`${row(added)}[data-state="seeding"]`, { timeout: GIVE_UP_MS });
    expect(sha256(readFileSync(join(out, 'other.mp4')))).toBe(sha256(other));

    // Removed from the app: gone from the sidecar (its data stays without "with data").
    await page.click(`${row(added)} button:text-is("Remove")`);
    await page.waitForSelector(row(added), { state: 'detached', timeout: GIVE_UP_MS });
    expect(sidecarSaid('torrent-removed', added)).toBe(true);
    expect(sha256(readFileSync(join(out, 'other.mp4')))).toBe(sha256(other));
    expect(await page.locator(`${row(own)}`).count()).toBe(1);
    await page.screenshot({ path: '/tmp/sluice-bridge-remote.png', fullPage: true });
  }, 300_000);

  it('remote mode: a .torrent file chosen in "Add torrent file to the sidecar" is added to the sidecar by its info hash; a file that is no torrent is said in words', async () => {
    // The album's data already in --out, its .torrent made by libtorrent: the sidecar checks it and seeds.
    const out = tempDir('remote-file-out');
    const album = writeFolder(out, 'album');
    const torrentPath = join(tempDir('remote-file-torrent'), 'album.torrent');
    const { v1 } = libtorrentCreate(album, torrentPath, { v1Only: true, pieceLength: 32768 });
    const { info } = await startServe(out);
    const { page, errors } = await openApp(new URL(info.open).origin, '/');
    const chooser = page.getByLabel('Add torrent file to the sidecar');
    await chooser.waitFor({ state: 'attached', timeout: GIVE_UP_MS });
    expect(await page.locator('[data-remote-infohash]').count()).toBe(0);

    await chooser.setInputFiles(torrentPath);
    try {
      await page.waitForSelector(`[data-remote-infohash="${v1}"][data-state="seeding"][data-progress="1"]`, { timeout: GIVE_UP_MS });
    } catch (err) {
      throw new Error(`not seeding on the sidecar: ${String(err).split('\n')[0]}\npage: ${await page.locator('main').innerText()}\nerrors: ${errors.join(' | ')}\nsidecar: ${servers[0]!.stderr()}`);
    }
    // The sidecar's own list (remote-list), not the browser's engine: the page holds no torrent of its own.
    expect(await page.locator('.sidecar [role="alert"]').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { sluiceEngine: { status: { status: { torrents: unknown[] } } } }).sluiceEngine.status.status.torrents.length)).toBe(0);

    // A file of the album itself is no torrent: the reason is said under the form, and the sidecar gets nothing.
    await chooser.setInputFiles(join(album, 'notes', 'readme.txt'));
    const alert = page.locator('.sidecar [role="alert"]');
    await alert.waitFor({ timeout: GIVE_UP_MS });
    expect(await alert.innerText()).toMatch(/^Could not add readme\.txt to the sidecar: unexpected byte 0x[0-9a-f]{2} at offset 0$/);
    expect(await page.locator('[data-remote-infohash]').count()).toBe(1);
    expect(errors).toEqual([]);
  }, 300_000);

  it('two named tokens: each page lists only its own token\'s torrents on the sidecar, and the other\'s file is a 404', async () => {
    // Ann's album, given on the command line (the first token's), its data in her folder <out>/ann.
    const out = tempDir('tokens-out');
    const album = writeFolder(join(out, 'ann'), 'album');
    const torrentPath = join(tempDir('tokens-torrent'), 'album.torrent');
    const { v1: albumHash } = libtorrentCreate(album, torrentPath, { v1Only: true, pieceLength: 32768 });
    const { info } = await startServe(out, [torrentPath, '--token', 'ann=ann-secret-1', '--token', 'bo=bo-secret-22']);
    const [annUrl, boUrl] = (info as unknown as { sessions: { open: string }[] }).sessions.map((s) => new URL(s.open));
    const ann = await openApp(annUrl!.origin, `/${annUrl!.hash}`);
    const bo = await openApp(boUrl!.origin, `/${boUrl!.hash}`);
    const row = (ih: string) => `[data-remote-infohash="${ih}"]`;
    const add = async (page: Page, infoHash: string) => {
      await page.fill('input[name="sidecar-link"]', `magnet:?xt=urn:btih:${infoHash}&dn=${infoHash.slice(0, 6)}`);
      await page.click('button:text("Add to the sidecar")');
      await page.waitForSelector(row(infoHash), { timeout: GIVE_UP_MS });
    };
    await ann.page.waitForSelector(`${row(albumHash!)}[data-state="seeding"][data-progress="1"]`, { timeout: GIVE_UP_MS });
    await bo.page.waitForSelector('[data-bridge="connected"]', { timeout: GIVE_UP_MS });
    // Each list shown after the other's add: it would hold the other's torrents if they leaked.
    const [bo1, ann1, bo2] = ['b1'.repeat(20), 'a1'.repeat(20), 'b2'.repeat(20)];
    await add(bo.page, bo1);
    await add(ann.page, ann1);
    await add(bo.page, bo2);
    const listed = (page: Page) => page.locator('[data-remote-infohash]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-remote-infohash')).sort());
    expect(await listed(ann.page)).toEqual([albumHash, ann1].sort());
    expect(await listed(bo.page)).toEqual([bo1, bo2].sort());
    // Bo's page asking for Ann's file with his token gets what a hash nobody has gets.
    const statusOf = (page: Page, url: string) => page.evaluate(async (u) => (await fetch(u)).status, url);
    const stream = (ih: string, token: string) => `${annUrl!.origin}/stream/${ih}/1/x?sidecar&token=${token}`;
    expect(await statusOf(bo.page, stream(albumHash!, 'bo-secret-22'))).toBe(404);
    expect(await statusOf(ann.page, stream(albumHash!, 'ann-secret-1'))).toBe(200);
    expect([...ann.errors, ...bo.errors]).toEqual([]);
  }, 300_000);

  it('shows the bridge as off where the page was not served by sluice serve, and down with the reason when the token is wrong', async () => {
    const { info } = await startServe(tempDir('bridge-out2'), ['--token', 'the-right-token']);
    const origin = new URL(info.open).origin;
    const wrong = await openApp(origin, '/#bridge-token=not-the-token');
    await wrong.page.waitForSelector('[data-bridge="down"]', { timeout: GIVE_UP_MS });
    expect(await wrong.page.locator('[data-bridge]').innerText()).toMatch(/token/);
    // The token left the address once kept.
    expect(new URL(wrong.page.url()).hash).toBe('');
    const right = await openApp(origin, '/#bridge-token=the-right-token');
    await right.page.waitForSelector('[data-bridge="connected"]', { timeout: GIVE_UP_MS });
    // The same app from a plain static server has no bridge: it says so, and tries nothing more.
    const site = createServer((req, res) => void staticFiles(appDir)(req, res));
    await new Promise<void>((done) => site.listen(0, '127.0.0.1', done));
    try {
      const elsewhere = await openApp(`http://127.0.0.1:${(site.address() as AddressInfo).port}`, '/');
      await elsewhere.page.waitForSelector('[data-bridge="off"]', { timeout: GIVE_UP_MS });
      expect(await elsewhere.page.locator('[data-bridge]').innerText()).toMatch(/not served by sluice serve/);
    } finally {
      site.closeAllConnections();
      site.close();
    }
  }, 300_000);
});
