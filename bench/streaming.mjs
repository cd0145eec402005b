// Streaming in Debian's Chromium (issue 10): a 200 MB H.264 MP4 (ffmpeg testsrc with noise), once with
// its moov at the end (as ffmpeg writes it) and once with faststart, seeded by webtorrent 3 in Node
// (bench/lib/wt-browser-seed.mjs, WebRTC over 127.0.0.1, found through a ws:// tracker in this process;
// started, with its first announce at the tracker, before either player's clock starts), played by
//   Sluice      the app built by `vite build`, served by a fresh `sluice serve` per run (its bridge engine
//               joins the swarm too), opened at /#<magnet>: it opens the video by itself, through its
//               Service Worker's /stream/ route
//   webtorrent  its browser build as shipped: `file.streamTo(video)` through its own Service Worker
//   Sluice pasted  the same app already open (engine and Service Worker running), the magnet pasted into
//               its add field: the clock starts with the click on Add, as webtorrent's starts at `client.add`
//               on its page already set up; "Sluice" (a link followed) includes the page's own start
// For each: time from adding the magnet (Sluice: opening /#<magnet> or clicking Add; webtorrent: `client.add`) to the
// first presented frame (requestVideoFrameCallback), and, one second of playback later, from setting
// currentTime to 80% to the first frame presented there. The download progress at the seek is printed:
// a seek to bytes already there is not the case the target is about. Medians over --rounds, ratios
// against the targets (first frame ≤ 1.0 s, seek ≤ 0.2 s). Figures: docs/benchmarks.md (Streaming).
// The tracker (--tracker): `sluice` (default) is `sluice tracker`, which keeps a seeder's offers for
// peers that join later, as the tracker inside `sluice serve` (and so `npm start`) does; both players
// then answer the seeder's waiting offers. `bittorrent-tracker` forwards offers only to peers already
// there, so each player's own offers wait out the Node seeder's 5 s ICE gathering (simple-peer's
// iceCompleteTimeout) before its first byte: that is the tracker most WebTorrent sites use.
// Usage: node bench/streaming.mjs [--rounds N=3] [--size MB=200] [--only sluice,sluice-paste,webtorrent] [--layout moov-end,faststart] [--tracker sluice|bittorrent-tracker] [--trace] [--seek-complete] [--seek-to 0.8]
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import bencode from 'bencode';
import { Server } from 'bittorrent-tracker';
import { createTorrentFromPath } from '../build/sidecar/src/create/index.js';
import { startSeeder } from './lib/browser-runs.mjs';
import { launchChromium, launchProfile } from './lib/chromium.mjs';
import { median, ROOT, WORK } from './lib/work.mjs';

const argv = process.argv.slice(2);
const opt = (flag) => {
  const at = argv.indexOf(flag);
  return at === -1 ? null : argv[at + 1];
};
const ROUNDS = Math.max(1, Number(opt('--rounds') ?? 3));
const SIZE_MB = Number(opt('--size') ?? 200);
const ONLY = (opt('--only') ?? 'sluice,sluice-paste,webtorrent').split(',');
const LAYOUTS = (opt('--layout') ?? 'moov-end,faststart').split(',');
const TRACKER = opt('--tracker') ?? 'sluice';
if (!['sluice', 'bittorrent-tracker'].includes(TRACKER)) throw new Error(`--tracker ${TRACKER}: sluice or bittorrent-tracker`);
// --trace: print each run's stages (seeder's wire, metadata, requests; the page's media events), ms from the add,
// and the stream path's own round trip (a 2-byte range of the video, 5 times); with BENCH_TRIPS_PAUSED=1 the
// Sluice run then pauses its torrent and times them again (the engine worker idle).
const TRACE = argv.includes('--trace');
// --seek-complete: after the measured run, wait for the torrent to complete and time seeks to 40, 60 and
// 20% (bytes verified, nothing downloading): the stream path alone, Service Worker and engine, with any
// bench-mark lines (--trace) between the seek and its frame.
const SEEK_COMPLETE = argv.includes('--seek-complete');
// --seek-to F: where the measured seek goes, as a fraction of the duration (default 0.8). A small one
// (0.03: about 6 MB into the 200 MB file, a second after the first frame) lands inside the read-ahead of
// the request the player had open: the short seek forward people make most.
const SEEK_TO = Number(opt('--seek-to') ?? 0.8);
if (!(SEEK_TO > 0 && SEEK_TO < 1)) throw new Error(`--seek-to ${opt('--seek-to')}: a fraction of the duration, between 0 and 1`);
const SEEK_LABEL = `seek to ${Math.round(SEEK_TO * 100)}%`;
if (TRACE) process.env.SEED_TRACE = '1';
const FIRST_FRAME_TARGET_S = 1.0;
const SEEK_TARGET_S = 0.2;
const GIVE_UP_MS = 120_000;
const PAGES = join(ROOT, 'bench', 'lib', 'pages');
const PROBE = readFileSync(join(PAGES, 'media-probe.js'), 'utf8');
const HOOKS = readFileSync(join(PAGES, 'sluice-hooks.js'), 'utf8');
const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '—');

/** A SIZE_MB MP4 at 16 Mbit/s (100 s for 200 MB), moov at the end; the faststart one is a remux of it. */
function ensureMp4s() {
  mkdirSync(WORK, { recursive: true });
  const seconds = Math.round((SIZE_MB * 8) / 16);
  const end = join(WORK, `stream-${SIZE_MB}mb-moov-end.mp4`);
  const fast = join(WORK, `stream-${SIZE_MB}mb-faststart.mp4`);
  const ffmpeg = (args) => {
    const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed`);
  };
  if (!existsSync(end)) {
    console.log(`making ${end} (once)…`);
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=1280x720:rate=30', '-t', String(seconds), '-vf', 'noise=alls=40:allf=t',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '16M', '-maxrate', '16M', '-bufsize', '32M', '-g', '60', '-pix_fmt', 'yuv420p', `${end}.tmp.mp4`]);
    renameSync(`${end}.tmp.mp4`, end);
  }
  if (!existsSync(fast)) {
    ffmpeg(['-i', end, '-c', 'copy', '-movflags', '+faststart', `${fast}.tmp.mp4`]);
    renameSync(`${fast}.tmp.mp4`, fast);
  }
  return { 'moov-end': end, faststart: fast };
}

async function ensureTorrent(file) {
  const path = `${file}.torrent`;
  if (!existsSync(path) || statSync(path).mtimeMs < statSync(file).mtimeMs) writeFileSync(path, (await createTorrentFromPath(file, {})).torrent);
  const info = bencode.decode(readFileSync(path)).info;
  return { path, infoHash: createHash('sha1').update(bencode.encode(info)).digest('hex'), pieceLength: info['piece length'] };
}

function startBenchServer() {
  const files = {
    '/wt-stream.js': join(PAGES, 'wt-stream.js'),
    '/webtorrent.min.js': join(ROOT, 'node_modules/webtorrent/dist/webtorrent.min.js'),
    '/sw.min.js': join(ROOT, 'node_modules/webtorrent/dist/sw.min.js'),
  };
  const page = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body><script type="module">import '/wt-stream.js';</script></body></html>`;
  const server = createServer((req, res) => {
    if (req.url === '/wt-stream.html') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    if (files[req.url]) return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(files[req.url]));
    res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ origin: `http://127.0.0.1:${server.address().port}`, close: () => server.close() })));
}

/**
 * bittorrent-tracker's WebSocket server. It keeps a log of the announces and answers it relays (for
 * --trace) and says when a peer of a torrent has announced with WebRTC offers.
 */
async function startTracker() {
  const server = new Server({ http: false, udp: false, ws: true, stats: false });
  server.on('warning', () => {});
  server.on('error', () => {});
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const log = [];
  server.ws.on('connection', (socket) => socket.on('message', (data) => {
    let m;
    try {
      m = JSON.parse(String(data));
    } catch {
      return;
    }
    if (m.action !== 'announce') return;
    const id = Buffer.from(String(m.peer_id ?? ''), 'latin1');
    const client = `${id.subarray(0, 8).toString()}${id.subarray(8, 12).toString('hex')}`;
    const infoHash = Buffer.from(String(m.info_hash ?? ''), 'latin1').toString('hex');
    log.push({ at: Date.now(), client, infoHash, offers: m.offers?.length ?? 0, answer: Boolean(m.answer), event: m.event ?? null });
  }));
  return {
    url: `ws://127.0.0.1:${server.http.address().port}`,
    log,
    /** Resolves once some peer has announced `infoHash` with offers after `since` (ms since the epoch). */
    async offersAnnounced(infoHash, since) {
      while (!log.some((e) => e.at >= since && e.infoHash === infoHash && e.offers > 0)) await new Promise((resolve) => setTimeout(resolve, 50));
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * `sluice tracker` on a free port. It keeps offers for late joiners; it logs no announces (--trace shows
 * no tracker lines), but its /stats count the offers it kept.
 */
async function startSluiceTracker() {
  const child = spawn(process.execPath, [join(ROOT, 'sidecar/bin/sluice.js'), 'tracker', '--port', '0', '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const urls = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line)));
    child.once('exit', (code) => reject(new Error(`sluice tracker exited (${code})`)));
  });
  const kept = async () => (await (await fetch(urls.stats)).json()).offersKept;
  return {
    url: urls.ws,
    log: [],
    /** A peer's offers are kept for late joiners once `offersKept` (a count since the start) passes `before`. */
    offersKept: kept,
    async offersAnnounced(_infoHash, _since, before) {
      while ((await kept()) <= before) await new Promise((resolve) => setTimeout(resolve, 50));
    },
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function buildApp() {
  const built = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', ...(process.env.BENCH_NO_MINIFY ? ['--minify', 'false'] : [])], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('vite build failed');
}

/**
 * `sluice serve` for one Sluice run, with a state folder of its own, serving the app and no bridge: with
 * one, its engine joined each torrent the page added, took a second connection to the seeder (sharing its
 * upload, and taking the seeder's one trace of requests) and fed the page too, which webtorrent's page
 * never gets. No DHT, LSD or STUN: loopback only.
 */
async function startApp() {
  const state = mkdtempSync(join(tmpdir(), 'sluice-stream-bench-'));
  const child = spawn(process.execPath, [join(ROOT, 'sidecar/bin/sluice.js'), 'serve', '--port', '0', '--json', '--state', state, '--no-bridge', '--no-dht', '--no-lsd', '--no-stun', '--webrtc-host', '127.0.0.1'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const first = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line)));
    child.once('exit', (code) => reject(new Error(`sluice serve exited (${code})`)));
  });
  return {
    origin: new URL(first.app ?? first.url).origin,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(state, { recursive: true, force: true });
    },
  };
}

/** --trace --seek-complete: the bench-mark lines and media events between a seek and its frame, ms after the seek. */
function printSeekMarks(probe) {
  const marks = [...traceMarks(probe.seekAt - 20, probe.resumed + 20)];
  for (const e of probe.events) if (e.at >= probe.seekAt - 20 && e.at <= probe.resumed + 20) marks.push({ label: `video ${e.type}`, at: e.at });
  marks.push({ label: 'frame', at: probe.resumed });
  for (const m of marks.sort((a, b) => a.at - b.at)) console.log(`    ${(m.at - probe.seekAt).toFixed(1).padStart(7)} ms  ${m.label}`);
}

/** The stages of one run up to the seek, in ms from the add (--trace). */
/**
 * With --trace, console lines `bench-mark <label> <epoch ms>` from the page, its workers and the Service
 * Worker are laid on the seek's timeline. The code carries none: to time a step, add for the run
 * `console.debug('bench-mark', 'what happened', performance.timeOrigin + performance.now())`.
 */
const traceMarkLines = new Set();
function collectTraceMarks(page, context) {
  const take = (msg) => {
    const text = msg.text();
    if (text.startsWith('bench-mark ')) traceMarkLines.add(text);
  };
  page.on('console', take);
  page.on('worker', (worker) => worker.on('console', take));
  // The Service Worker's console reaches the context, with no page.
  context.on('console', (msg) => { if (msg.page() !== page) take(msg); });
}

function* traceMarks(from, to) {
  for (const line of traceMarkLines) {
    const words = line.split(' ');
    const at = Number(words.at(-1));
    if (at >= from && at <= to) yield { label: words.slice(1, -1).join(' '), at };
  }
}

async function printTrace(page, addedAt, probe, seeder, pieces, pieceLength, trackerLog, ranges) {
  const rows = [];
  const at = (label, t) => Number.isFinite(t) && rows.push([t - addedAt, label]);
  const nav = await page.evaluate(() => ({ origin: performance.timeOrigin, dcl: performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd }));
  at('page navigation starts', nav.origin);
  if (nav.dcl) at('page DOMContentLoaded', nav.origin + nav.dcl);
  let lastState = null;
  for (const e of (await page.evaluate(() => window.sluiceBenchLog ?? []))) {
    if (e.state !== lastState) at(`app torrent state ${e.state} progress ${(e.progress * 100).toFixed(1)}%`, e.at);
    lastState = e.state;
  }
  const lines = seeder.lines;
  const wire = lines.find((l) => 'wire' in l);
  at('seeder: peer wire', wire?.at);
  at('seeder: metadata sent', lines.find((l) => l.metadataSent)?.metadataSent);
  at('seeder: interested', lines.find((l) => l.interested)?.interested);
  const requests = lines.filter((l) => 'request' in l);
  at(`seeder: first request (piece ${requests[0]?.request})`, requests[0]?.at);
  const firstOf = (match, label) => {
    const i = requests.findIndex(match);
    if (i >= 0) at(`${label}: first request, after ${i} other block requests`, requests[i].at);
  };
  firstOf((r) => r.request === 0, 'seeder: piece 0');
  firstOf((r) => r.request === pieces - 1, `seeder: last piece ${pieces - 1}`);
  // The seek's piece: where the player's range after the seek starts.
  const seekRange = ranges.find((r) => r.at >= (probe.seekAt ?? Infinity) && /^bytes=\d+-/.test(r.range ?? ''));
  if (seekRange) {
    const seekPiece = Math.floor(Number(/^bytes=(\d+)-/.exec(seekRange.range)[1]) / pieceLength);
    firstOf((r) => r.request === seekPiece, `seeder: the seek's piece ${seekPiece}`);
    const sent = lines.find((l) => l.sent === seekPiece);
    at(`seeder: the seek's piece ${seekPiece}: first block sent`, sent?.at);
  }
  const lastTail = requests.findLastIndex((r) => r.request >= pieces - 2);
  if (lastTail >= 0) at(`seeder: last request of the last 2 pieces (request #${lastTail})`, requests[lastTail].at);
  const cancels = lines.filter((l) => 'cancel' in l);
  at(`seeder: first of ${cancels.length} cancels`, cancels[0]?.at);
  for (const e of trackerLog.filter((e) => e.at >= seeder.startedAt)) {
    at(`tracker: ${e.client} ${e.answer ? 'answer' : `announce${e.event ? ` (${e.event})` : ''}, ${e.offers} offers`}`, e.at);
  }
  for (const mark of traceMarks(probe.seekAt - 50, probe.resumed + 50)) at(mark.label, mark.at);
  for (const e of probe.events) at(`video ${e.type} t=${e.t.toFixed(2)} buffered to ${(e.buffered ?? 0).toFixed(2)} s`, e.at);
  for (const r of ranges) {
    at(`page asks ${r.range ?? 'no range'} (${r.url})`, r.at);
    at(`page's ${r.range} answered: head ${r.status}`, r.headAt);
  }
  at('video first frame', probe.firstFrame);
  // Marks from the app's start to the seek (the seek's own are printed with it).
  for (const m of traceMarks(Math.min(addedAt, nav.origin) - 1, probe.seekAt ?? Infinity)) at(`mark: ${m.label}`, m.at);
  rows.sort((a, b) => a[0] - b[0]);
  for (const [t, label] of rows) console.log(`  ${(t / 1000).toFixed(3).padStart(8)} s  ${label}`);
  console.log(`  (${requests.length} requests by the seek; pieces ${pieces})`);
  // The order the seeder got its requests in, from its wire to the first frame: piece/block, ms after the wire.
  const frameAt = probe.firstFrame;
  const sentAt = new Map();
  for (const l of lines) if ('sent' in l && !sentAt.has(`${l.sent}/${l.offset}`)) sentAt.set(`${l.sent}/${l.offset}`, l.at);
  const order = requests.filter((r) => r.at <= frameAt).map((r) => `${r.request}/${r.offset / 16384}@${Math.round(r.at - (wire?.at ?? addedAt))}+${Math.round((sentAt.get(`${r.request}/${r.offset}`) ?? NaN) - r.at)}`);
  console.log(`  requests up to the first frame (piece/block@ms after the wire+ms until the seeder sent it): ${order.join(' ')}`);
  // The same from the seek to the first frame there, ms after the seek (setting currentTime).
  const seekAt = probe.seekAt;
  const afterSeek = requests.filter((r) => r.at >= seekAt && r.at <= probe.resumed).map((r) => `${r.request}/${r.offset / 16384}@${Math.round(r.at - seekAt)}+${Math.round((sentAt.get(`${r.request}/${r.offset}`) ?? NaN) - r.at)}`);
  console.log(`  requests from the seek to its frame (piece/block@ms after the seek+ms until the seeder sent it): ${afterSeek.join(' ')}`);
  const cancelled = cancels.filter((c) => c.at <= frameAt).map((c) => `${c.cancel}/${c.offset / 16384}@${Math.round(c.at - (wire?.at ?? addedAt))}`);
  if (cancelled.length > 0) console.log(`  cancels up to the first frame: ${cancelled.join(' ')}`);
}

/** The stream path's own round trip (player → SW → engine → SW) on bytes that are there: a 2-byte range of the video, 5 times, in ms. */
function streamRoundTrips(page) {
  return page.evaluate(async () => {
    const src = document.querySelector('video')?.currentSrc;
    const out = [];
    for (let i = 0; i < 5 && src; i++) {
      const t = performance.now();
      const res = await fetch(src, { headers: { Range: 'bytes=0-1' } });
      await res.arrayBuffer();
      out.push(Math.round(performance.now() - t));
    }
    return out;
  });
}

/** Plays until the first frame, one more second, seeks to SEEK_TO (80%) and waits for a frame there. */
async function measure(page, addedAt, progress, seeder, pieces, pieceLength, trackerLog, ranges = []) {
  await page.waitForFunction(() => Number.isFinite(window.mediaProbe?.firstFrame), null, { timeout: GIVE_UP_MS, polling: 50 });
  await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) >= 1 && Number.isFinite(document.querySelector('video').duration), null, { timeout: GIVE_UP_MS, polling: 50 });
  const progressAtSeek = await progress();
  await page.evaluate((to) => window.benchSeek(to), SEEK_TO);
  await page.waitForFunction(() => Number.isFinite(window.mediaProbe.resumed), null, { timeout: GIVE_UP_MS, polling: 50 });
  const probe = await page.evaluate(() => window.mediaProbe);
  if (TRACE) {
    const trips = await streamRoundTrips(page);
    console.log(`  a 2-byte range of the video, 5 times (ms): ${trips.join(' ')}`);
    if (process.env.BENCH_TRIPS_PAUSED) {
      await page.getByRole('button', { name: /^Pause/ }).first().click();
      await page.waitForTimeout(1500);
      const paused = await streamRoundTrips(page);
      console.log(`  the same with the torrent paused (ms): ${paused.join(' ')}`);
    }
  }
  if (TRACE) await printTrace(page, addedAt, probe, seeder, pieces, pieceLength, trackerLog, ranges);
  const completeSeeksS = [];
  if (SEEK_COMPLETE) {
    // The player's own path: a seek to bytes already downloaded and verified (the torrent complete, no
    // download competing for the cores), to a place the player has not read.
    for (let i = 0; i < 600 && (await progress()) < 1; i++) await new Promise((r) => setTimeout(r, 250));
    // While it plays: how fast the rest of the file came (the stream's deadlines keep the queue short).
    console.log(`  complete ${fmt((Date.now() - addedAt) / 1000)} s after the add`);
    for (const f of [0.4, 0.6, 0.2]) {
      await page.evaluate((x) => { window.mediaProbe.resumed = NaN; window.benchSeek(x); }, f);
      await page.waitForFunction(() => Number.isFinite(window.mediaProbe.resumed), null, { timeout: GIVE_UP_MS, polling: 50 });
      const p2 = await page.evaluate(() => window.mediaProbe);
      completeSeeksS.push((p2.resumed - p2.seekAt) / 1000);
      console.log(`  seek to ${f * 100}% of a complete torrent: ${fmt(completeSeeksS.at(-1))} s`);
      if (TRACE) printSeekMarks(p2);
      // Playback runs on for a while before the next seek, as a person's would.
      await new Promise((r) => setTimeout(r, 1500));
    }
  }
  // The seeder's first connection: the page's, the one peer it has.
  const wireS = ((seeder.lines.find((l) => 'wire' in l)?.at ?? NaN) - addedAt) / 1000;
  const firstFrameS = (probe.firstFrame - addedAt) / 1000;
  return { firstFrameS, seekS: (probe.resumed - probe.seekAt) / 1000, progressAtSeek, wireS, wireToFrameS: firstFrameS - wireS, completeSeeksS };
}

/**
 * The seeder, started and announced (its offers made and relayed to the tracker) before a player's
 * clock starts: a viewer following a link finds the seeder there already. webtorrent in Node gathers
 * ICE for simple-peer's 5 s iceCompleteTimeout before its first announce, so starting the clock at the
 * seeder's start would charge that stall to whichever player's page happened to be up first.
 */
async function startAnnouncedSeeder({ torrentPath, dir, tracker, infoHash }) {
  const startedAt = Date.now();
  const keptBefore = await tracker.offersKept?.();
  const seeder = await startSeeder(torrentPath, dir, tracker.url);
  await tracker.offersAnnounced(infoHash, startedAt, keptBefore);
  return Object.assign(seeder, { startedAt });
}

/** --trace: the media element's requests (Range header, when asked, when the head came), as the SW answers them. */
function watchStreamRequests(page) {
  const ranges = [];
  if (!TRACE) return ranges;
  const clock = () => performance.timeOrigin + performance.now();
  page.on('request', (req) => {
    if (!/\/(stream|webtorrent)\//.test(req.url())) return;
    const entry = { at: clock(), url: new URL(req.url()).pathname.split('/').slice(-1)[0], range: req.headers().range ?? null, headAt: NaN, status: 0 };
    ranges.push(entry);
    void req.response().then((res) => {
      entry.headAt = clock();
      entry.status = res?.status() ?? 0;
    }, () => {});
  });
  return ranges;
}

async function sluiceRun({ magnet, infoHash, torrentPath, dir, tracker, trackerUrl, pieces, pieceLength }, how = 'link') {
  const app = await startApp();
  const appOrigin = app.origin;
  const seeder = await startAnnouncedSeeder({ torrentPath, dir, tracker, infoHash });
  const profile = await launchProfile(appOrigin);
  const { context, browser } = profile;
  try {
    await context.addInitScript({ content: `${HOOKS}\n${PROBE}\nglobalThis.installSluiceBenchHooks(${JSON.stringify({ trackers: [trackerUrl] })});\nglobalThis.installMediaProbe();` });
    // The app's Service Worker is installed on a first visit; a viewer following a link has it already.
    const warm = await context.newPage();
    await warm.goto(`${appOrigin}/`);
    await warm.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
    await warm.close();
    const page = await context.newPage();
    const ranges = watchStreamRequests(page);
    collectTraceMarks(page, context);
    // BENCH_CHROME_TRACE=file.json: a Chromium trace of the run (every renderer thread, the engine worker's included).
    if (process.env.BENCH_CHROME_TRACE) await browser.startTracing(undefined, { path: process.env.BENCH_CHROME_TRACE, categories: ['blink.user_timing', 'toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute', 'disabled-by-default-v8.gc', 'blink', 'ServiceWorker', 'disabled-by-default-devtools.timeline.stack', 'disabled-by-default-v8.cpu_profiler'] });
    let addedAt;
    if (how === 'paste') {
      // The app already open, as webtorrent's page is when its clock starts: the magnet is pasted into the
      // add field, and the clock starts with the click on Add.
      await page.goto(`${appOrigin}/`);
      await page.waitForFunction(() => document.querySelector('main[data-engine="leader"]') !== null && globalThis.sluiceEngine?.status !== null && navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
      await page.getByLabel('Magnet link, info hash or .torrent URL').fill(magnet);
      addedAt = performance.timeOrigin + performance.now();
      await page.getByRole('button', { name: 'Add', exact: true }).click();
    } else {
      // The tab is opened before the clock, as webtorrent's page is loaded before its clock: opening a tab
      // runs up to 1.5 s of CPU in Chromium's own top-chrome WebUI renderer (traced), the browser's work,
      // not the app's. Measured with and without (3 rounds each): the seeder's wire 0.51-0.57 s against
      // 0.56-0.81 s, the first frame within the rounds' spread.
      await page.waitForTimeout(2000);
      addedAt = performance.timeOrigin + performance.now();
      await page.goto(`${appOrigin}/#${magnet}`);
    }
    const progress = () => page.evaluate((ih) => Number(document.querySelector(`[data-infohash="${ih}"]`)?.getAttribute('data-progress') ?? NaN), infoHash);
    const result = await measure(page, addedAt, progress, seeder, pieces, pieceLength, tracker.log, ranges);
    if (process.env.BENCH_CHROME_TRACE) {
      await browser.stopTracing();
      console.log(`  Chromium trace: ${process.env.BENCH_CHROME_TRACE} (the add at ${addedAt.toFixed(0)} ms since the epoch)`);
    }
    return result;
  } finally {
    await profile.close();
    await seeder.stop();
    await app.close();
  }
}

async function webtorrentRun({ benchOrigin, magnet, infoHash, torrentPath, dir, tracker, pieces, pieceLength }) {
  const seeder = await startAnnouncedSeeder({ torrentPath, dir, tracker, infoHash });
  const profile = await launchProfile(benchOrigin);
  const { context } = profile;
  try {
    await context.addInitScript({ content: `${PROBE}\nglobalThis.installMediaProbe();` });
    const page = await context.newPage();
    const ranges = watchStreamRequests(page);
    await page.goto(`${benchOrigin}/wt-stream.html`);
    await page.waitForFunction(() => 'wtStream' in window);
    // Its Service Worker registered and controlling first, as a site using it would have it.
    await page.evaluate(async () => {
      await navigator.serviceWorker.register('/sw.min.js', { scope: '/' });
      await navigator.serviceWorker.ready;
    });
    await page.reload();
    await page.waitForFunction(() => 'wtStream' in window && navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
    const addedAt = await page.evaluate(() => performance.timeOrigin + performance.now());
    await page.evaluate((m) => window.wtStream.play(m), magnet);
    return await measure(page, addedAt, () => page.evaluate(() => window.wtStream.progress()), seeder, pieces, pieceLength, tracker.log, ranges);
  } finally {
    await profile.close();
    await seeder.stop();
  }
}

async function main() {
  const files = ensureMp4s();
  const bench = await startBenchServer();
  const tracker = TRACKER === 'sluice' ? await startSluiceTracker() : await startTracker();
  if (ONLY.some((p) => p.startsWith('sluice'))) buildApp();
  const browser = await launchChromium();
  const version = browser.version();
  await browser.close();
  console.log(`Streaming in Chromium ${version}: ${SIZE_MB} MB MP4, ${ROUNDS} round(s), tracker ${TRACKER}; ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const results = {};
  try {
    for (const layout of LAYOUTS) {
      const file = files[layout];
      const torrent = await ensureTorrent(file);
      const magnet = `magnet:?xt=urn:btih:${torrent.infoHash}&tr=${encodeURIComponent(tracker.url)}`;
      const common = { benchOrigin: bench.origin, magnet, infoHash: torrent.infoHash, torrentPath: torrent.path, dir: WORK, tracker, trackerUrl: tracker.url, pieces: Math.ceil(statSync(file).size / torrent.pieceLength), pieceLength: torrent.pieceLength };
      const runs = {
        Sluice: ONLY.includes('sluice') ? sluiceRun : null,
        'Sluice pasted': ONLY.includes('sluice-paste') ? (c) => sluiceRun(c, 'paste') : null,
        webtorrent: ONLY.includes('webtorrent') ? webtorrentRun : null,
      };
      const names = Object.keys(runs).filter((n) => runs[n]);
      for (let round = 0; round < ROUNDS; round++) {
        for (const name of round % 2 === 0 ? names : [...names].reverse()) {
          const key = `${name} ${layout}`;
          const before = loadavg()[0].toFixed(1);
          try {
            const r = await runs[name](common);
            (results[key] ??= []).push(r);
            console.log(`round ${round + 1} ${key}: seeder's wire ${fmt(r.wireS)} s, first frame ${fmt(r.firstFrameS)} s (wire→frame ${fmt(r.wireToFrameS)} s), ${SEEK_LABEL} ${fmt(r.seekS)} s (progress at the seek ${fmt(r.progressAtSeek * 100, 0)}%); load ${before}→${loadavg()[0].toFixed(1)}`);
          } catch (err) {
            console.log(`round ${round + 1} ${key}: FAILED ${err.message.split('\n')[0]}`);
          }
        }
      }
      console.log(`(${layout}: ${statSync(file).size} bytes, pieces of ${torrent.pieceLength / 1024} KiB)`);
    }
  } finally {
    await tracker.close();
    bench.close();
  }
  console.log(`\nmedians of ${ROUNDS} round(s)                first frame s   ×target   wire→frame s   seek s   ×target   progress at seek`);
  for (const [key, rs] of Object.entries(results)) {
    const ff = median(rs.map((r) => r.firstFrameS));
    const wf = median(rs.map((r) => r.wireToFrameS));
    const sk = median(rs.map((r) => r.seekS));
    console.log(`${key.padEnd(40)}${fmt(ff).padStart(10)}${fmt(ff / FIRST_FRAME_TARGET_S).padStart(10)}${fmt(wf).padStart(15)}${fmt(sk).padStart(9)}${fmt(sk / SEEK_TARGET_S).padStart(10)}${`${fmt(median(rs.map((r) => r.progressAtSeek)) * 100, 0)}%`.padStart(12)}`);
  }
  for (const layout of LAYOUTS) {
    const w = results[`webtorrent ${layout}`];
    for (const name of ['Sluice', 'Sluice pasted']) {
      const s = results[`${name} ${layout}`];
      if (!s || !w) continue;
      const ratio = (k) => fmt(median(s.map((r) => r[k])) / median(w.map((r) => r[k])));
      console.log(`${layout}: ${name} / webtorrent: first frame ${ratio('firstFrameS')}x, wire→first frame ${ratio('wireToFrameS')}x, seek ${ratio('seekS')}x`);
    }
  }
  if (SEEK_COMPLETE) {
    for (const [key, rs] of Object.entries(results)) {
      console.log(`${key}: seek within the complete torrent, median of ${rs.length * 3}: ${fmt(median(rs.flatMap((r) => r.completeSeeksS)))} s`);
    }
  }
  console.log(`targets: first frame ≤ ${FIRST_FRAME_TARGET_S} s, seek to an undownloaded 80% ≤ ${SEEK_TARGET_S} s (×target > 1: not met)`);
  process.exit(0);
}

await main();
