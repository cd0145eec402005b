import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SLUICE_PEER_ID_PREFIX } from '../../src/core/peer-id.js';
import { sluiceLong } from '../helpers/cli.js';
import { launchChromium, openWebRtcPage } from '../helpers/chromium.js';
import { startSluiceTracker, stopAllWsTrackers, type WsTracker } from '../helpers/ws-tracker.js';
import { cleanTemps, jsonLines, killChildren, tempDir, track } from '../interop/fixture.js';
import { describe as explain, type SluiceDownload } from '../interop/sluice-run.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** A few MiB with a short last piece. */
const SIZE = 3 * 1024 * 1024 + 12_345;
const FILE_NAME = 'clip.bin';

/** Sluice in the WebRTC swarm alone, on loopback: no TCP, DHT, LSD or STUN; ICE bound to 127.0.0.1. */
const WEBRTC_ONLY = ['--no-tcp', '--no-dht', '--no-lsd', '--no-stun', '--webrtc-host', '127.0.0.1'];

/** Watchdogs that turn a hang into a failure with a transcript; generous, the machine is shared. */
const GIVE_UP_MS = 60_000;
const TEST_TIMEOUT_MS = 120_000;

const PAGE_HTML = '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head>'
  + '<body><script type="module" src="/peer.js"></script></body></html>';

/** What test/browser/page/webtorrent-peer.js reports about the wires of a torrent. */
interface PageWire { type: string; peerId: string | null; remoteAddress: string | null }
interface PageApi {
  download(magnet: string): Promise<{ infoHash: string; announce: string[]; name: string; length: number; sha256: string; downloaded: number; wires: PageWire[] }>;
  seed(url: string, name: string, tracker: string): Promise<{ infoHash: string; magnet: string; announce: string[]; length: number; sha256: string }>;
  uploaded(bytes: number): Promise<{ uploaded: number; wires: PageWire[] }>;
  destroy(): Promise<void> | undefined;
}

let server: Server | undefined;
let origin = '';
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let page: Page;
let pageErrors: string[] = [];
/** The bytes `/source.bin` serves (the page fetches what it seeds from there). */
let served: Uint8Array = new Uint8Array(0);

/** The three things the page needs: its HTML, webtorrent's bundle as shipped, and the page script. */
function route(url: string | undefined): { type: string; body: Uint8Array | string } | null {
  switch (url) {
    case '/': return { type: 'text/html; charset=utf-8', body: PAGE_HTML };
    case '/webtorrent.min.js': return { type: 'text/javascript', body: readFileSync(join(repoRoot, 'node_modules/webtorrent/dist/webtorrent.min.js')) };
    case '/peer.js': return { type: 'text/javascript', body: readFileSync(join(repoRoot, 'test/browser/page/webtorrent-peer.js')) };
    case '/source.bin': return { type: 'application/octet-stream', body: served };
    default: return null;
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const found = route(req.url);
    if (!found) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': found.type, 'cache-control': 'no-store' }).end(found.body);
  });
  await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterEach(async () => {
  // The page's client first, then the page (their WebSockets hold the tracker open), then Sluice, then the tracker.
  await Promise.race([call('destroy').catch(() => undefined), new Promise((r) => setTimeout(r, 3000))]);
  await context?.close();
  context = undefined;
  await killChildren();
  await stopAllWsTrackers();
  cleanTemps();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
});

/** A fresh page (its own context and storage) with webtorrent loaded. */
async function openPage(): Promise<void> {
  ({ context, page, pageErrors } = await openWebRtcPage(browser!, `${origin}/`));
  await page.waitForFunction(() => 'wtPeer' in globalThis, undefined, { timeout: 20_000 }).catch((err: unknown) => {
    throw new Error(`the webtorrent page did not load: ${String(err)}; page errors: ${JSON.stringify(pageErrors)}`);
  });
}

function call<K extends keyof PageApi>(method: K, ...args: Parameters<PageApi[K]>): Promise<Awaited<ReturnType<PageApi[K]>>> {
  if (!context) return Promise.resolve(undefined as Awaited<ReturnType<PageApi[K]>>);
  return page.evaluate(
    ({ method, args }) => {
      const api = (globalThis as unknown as { wtPeer: Record<string, (...a: unknown[]) => unknown> }).wtPeer;
      return api[method]!(...args);
    },
    { method, args: args as unknown[] },
  ) as Promise<Awaited<ReturnType<PageApi[K]>>>;
}

/** `call` that fails after GIVE_UP_MS with `transcript()` instead of hanging. */
async function callWithin<K extends keyof PageApi>(transcript: () => string, method: K, ...args: Parameters<PageApi[K]>): Promise<Awaited<ReturnType<PageApi[K]>>> {
  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the page's ${method} did not finish\n${transcript()}\npage errors: ${JSON.stringify(pageErrors)}`)), GIVE_UP_MS);
  });
  try {
    return await Promise.race([call(method, ...args), giveUp]);
  } finally {
    clearTimeout(timer);
  }
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const SLUICE_PEER_ID_HEX = Buffer.from(SLUICE_PEER_ID_PREFIX, 'latin1').toString('hex');

/** The page's only peer was Sluice, over a WebRTC data channel. */
function expectSluiceOverWebrtc(wires: PageWire[]): void {
  expect(wires.length).toBeGreaterThan(0);
  for (const wire of wires) {
    expect(wire.type).toBe('webrtc');
    expect(wire.peerId?.startsWith(SLUICE_PEER_ID_HEX), `peer id ${wire.peerId}`).toBe(true);
  }
}

/** Sluice's tracker relayed at least one offer and its answer: that is how the page and Sluice met. */
async function expectRelayed(tracker: WsTracker): Promise<void> {
  const relayed = await tracker.relayed();
  expect(relayed?.offers).toBeGreaterThanOrEqual(1);
  expect(relayed?.answers).toBeGreaterThanOrEqual(1);
}

describe('sluice ↔ webtorrent 3 in Chromium (its browser bundle) over WebRTC, meeting at `sluice tracker` (127.0.0.1)', () => {
  it('webtorrent in the page downloads a file from `sluice seed --no-tcp` by its magnet, byte-identical', async () => {
    const tracker = await startSluiceTracker();
    const source = randomBytes(SIZE);
    const path = join(tempDir('src'), FILE_NAME);
    writeFileSync(path, source);

    const seed = sluiceLong(['seed', path, '--tracker', tracker.url, '--state', tempDir('state'), '--json', ...WEBRTC_ONLY]);
    track(seed.child);
    const first = JSON.parse(await seed.firstLine) as { magnet: string; infoHash: string };
    expect(first.magnet).toContain(`tr=${encodeURIComponent(tracker.url)}`);
    const transcript = () => `sluice seed stdout: ${seed.stdout().slice(-2000)}\nstderr: ${seed.stderr()}`;

    await openPage();
    const got = await callWithin(transcript, 'download', first.magnet);
    expect(got).toMatchObject({ infoHash: first.infoHash, announce: [tracker.url], name: FILE_NAME, length: SIZE, sha256: sha256(source) });
    expect(got.downloaded).toBeGreaterThanOrEqual(SIZE);
    expectSluiceOverWebrtc(got.wires);
    await expectRelayed(tracker);

    // Every byte came from Sluice, the page's only peer; its status lines (once a second) show it.
    let status: Record<string, unknown> | undefined;
    for (let waited = 0; !status && waited < GIVE_UP_MS && seed.child.exitCode === null; waited += 100) {
      status = jsonLines(seed.stdout()).find((l) => typeof l.uploaded === 'number' && l.uploaded >= SIZE);
      if (!status) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status, transcript()).toMatchObject({ infoHash: first.infoHash, state: 'seeding', progress: 1 });
    seed.child.kill('SIGINT');
    expect(await seed.exited, transcript()).toBe(0);
    expect(pageErrors).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('`sluice download --no-tcp` gets a file that webtorrent seeds in the page, by the page\'s magnet, byte-identical', async () => {
    const tracker = await startSluiceTracker();
    served = randomBytes(SIZE);

    await openPage();
    const seeded = await callWithin(() => '', 'seed', `${origin}/source.bin`, FILE_NAME, tracker.url);
    expect(seeded).toMatchObject({ announce: [tracker.url], length: SIZE, sha256: sha256(served) });
    expect(seeded.magnet).toContain(`tr=${encodeURIComponent(tracker.url)}`);

    const out = tempDir('out');
    const run = sluiceLong(['download', seeded.magnet, '--out', out, '--state', tempDir('state'), '--json', ...WEBRTC_ONLY]);
    track(run.child);
    run.firstLine.catch(() => undefined); // judged by its exit code and lines below
    // A stalled download is interrupted (it then exits without a 'done' line) so the failure shows what it printed.
    const watchdog = setTimeout(() => run.child.kill('SIGINT'), GIVE_UP_MS);
    const code = await run.exited;
    clearTimeout(watchdog);
    const d: SluiceDownload = { code, lines: jsonLines(run.stdout()), stderr: run.stderr() };
    expect(d.code, explain(d)).toBe(0);
    expect(d.lines.at(-1), explain(d)).toMatchObject({ infoHash: seeded.infoHash, name: FILE_NAME, state: 'done', progress: 1 });
    const got = readFileSync(join(out, FILE_NAME));
    expect(got.length).toBe(SIZE);
    expect(Buffer.compare(got, served)).toBe(0);

    const up = await callWithin(() => explain(d), 'uploaded', SIZE);
    expectSluiceOverWebrtc(up.wires);
    await expectRelayed(tracker);
    expect(pageErrors).toEqual([]);
  }, TEST_TIMEOUT_MS);
});
