// The browser engine in Debian's Chromium, side by side in the same browser and run (issue 9):
//   raw page↔page       a data channel between two pages (16 KiB messages, ≤ 1 MiB buffered)
//   raw Node→page       the same from webrtc-polyfill (node-datachannel, what webtorrent in Node uses) in
//                       a child process to a page, sent the way the downloads' seeder sends (16 KiB
//                       blocks with their piece-message header, simple-peer's 64 KiB buffering): the
//                       ceiling of the path the downloads below take, the target's denominator
//   raw Node→page bulk  the same with 64 KiB messages and 1 MiB buffered: the stack's own ceiling
//   webtorrent          webtorrent's browser build (dist/webtorrent.min.js as shipped) in a page
//   Sluice              the app built by `vite build`, served by `sluice serve`, opened at /#<magnet>
//                       and followed through its data-infohash / data-state / data-progress hooks
// Both downloaders fetch the same torrent (one random file, 1 MiB pieces) from a fresh webtorrent 3
// seeder in Node (bench/lib/wt-browser-seed.mjs) found through a bittorrent-tracker ws:// server in this
// process; ICE on 127.0.0.1 only, no STUN. For each: MiB/s from the seeder's first piece request to the
// page's completion (and from opening the page), metadata → ready as the seeder sees it (last metadata
// piece sent → first piece request; and the client's own: Sluice's engine marks), the longest task of the
// page's main thread (and of a worker) during the transfer, by wall and by CPU time (a Chromium trace,
// `toplevel`), and the peak V8 heap of page and worker (CDP
// Runtime.getHeapUsage every 500 ms). Rounds alternate the order; medians are printed, then the ratios.
// The figures are in docs/benchmarks.md (Browser). `npm run bench` builds the sidecar; this builds the app.
// Usage: node bench/browser.mjs [--size MiB=256] [--rounds N=3] [--short] [--only raw,webtorrent,sluice] [--no-trace]
//   --short: 32 MiB, 1 round (a check that everything runs); --no-trace: no Chromium trace (no task figures)
//   BENCH_WORKER_PROFILE=/path/prefix saves a V8 CPU profile of the engine worker per Sluice run;
//   BENCH_KEEP_TRACE=/path/prefix keeps each trace as <prefix>-N.json; BENCH_TRACE_CATEGORIES=a,b adds trace
//   categories (devtools.timeline shows what a long task ran: frames, layout, event handlers)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { RAW_SHAPES, rawNodeToPage, rawPageToPage, sluiceRun, webtorrentRun } from './lib/browser-runs.mjs';
import { launchChromium } from './lib/chromium.mjs';
import { buildApp, ensureTorrent, serveApp, startTracker } from './lib/sluice-app.mjs';
import { ensureRandomFile, median, MIB, ROOT, WORK } from './lib/work.mjs';

const argv = process.argv.slice(2);
const opt = (flag) => {
  const at = argv.indexOf(flag);
  return at === -1 ? null : argv[at + 1];
};
const SHORT = argv.includes('--short');
const SIZE_MIB = Number(opt('--size') ?? (SHORT ? 32 : 256));
const ROUNDS = Math.max(1, Number(opt('--rounds') ?? (SHORT ? 1 : 3)));
const ONLY = (opt('--only') ?? 'raw,webtorrent,sluice').split(',');
const TRACE = !argv.includes('--no-trace');
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
const load = () => loadavg()[0].toFixed(1);

/** The page files the bench serves itself (the raw channel and webtorrent's pages). */
function startBenchServer() {
  const files = {
    '/raw-channel.mjs': join(ROOT, 'bench/lib/raw-channel.mjs'),
    '/wt-download.js': join(ROOT, 'bench/lib/pages/wt-download.js'),
    '/webtorrent.min.js': join(ROOT, 'node_modules/webtorrent/dist/webtorrent.min.js'),
  };
  const html = (script) => `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body><script type="module">${script}</script></body></html>`;
  const pages = {
    '/raw.html': html("import { rawChannel } from '/raw-channel.mjs'; window.raw = rawChannel(RTCPeerConnection, { iceServers: [] });"),
    '/wt.html': html("import '/wt-download.js';"),
  };
  const server = createServer((req, res) => {
    if (pages[req.url]) return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(pages[req.url]);
    if (files[req.url]) return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(files[req.url]));
    res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ origin: `http://127.0.0.1:${server.address().port}`, close: () => server.close() })));
}

async function main() {
  const size = SIZE_MIB * MIB;
  const file = ensureRandomFile(`bench-${size}.bin`, size);
  const torrent = await ensureTorrent(file);
  const bench = await startBenchServer();
  const tracker = await startTracker();
  if (ONLY.includes('sluice')) buildApp();
  // Without a bridge (its sidecar would join the torrent, fetch it from the same seeder and relay it) and
  // with state of its own (the default state dir would keep what an earlier run fetched).
  const serveDir = mkdtempSync(join(WORK, 'serve-'));
  const app = ONLY.includes('sluice') ? await serveApp(['--no-bridge', '--state', join(serveDir, 'state'), '--out', join(serveDir, 'out')]) : null;
  const browser = await launchChromium();
  const magnet = `magnet:?xt=urn:btih:${torrent.infoHash}&tr=${encodeURIComponent(tracker.url)}`;
  const common = { benchOrigin: bench.origin, appOrigin: app?.origin, magnet, infoHash: torrent.infoHash, size, torrentPath: torrent.path, dataDir: WORK, trackerUrl: tracker.url, trace: TRACE };
  const shape = ({ messageSize, highWater, lowWater }) => `${messageSize} B messages, ≤ ${highWater / 1024} KiB buffered (resumed at ${lowWater / 1024})`;
  console.log(`Browser engine in Chromium ${browser.version()}: ${SIZE_MIB} MiB, 1 MiB pieces, ${ROUNDS} round(s)`);
  console.log(`raw channels: page↔page ${shape(RAW_SHAPES.pages)}; Node→page in the seeder's shape ${shape(RAW_SHAPES.seeder)}, and bulk ${shape(RAW_SHAPES.bulk)}`);
  console.log(`machine: ${cpus().length} cores; load average at the start ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

  const runs = {
    'raw page↔page': ONLY.includes('raw') ? () => rawPageToPage(browser, bench.origin, size, RAW_SHAPES.pages) : null,
    'raw Node→page': ONLY.includes('raw') ? () => rawNodeToPage(browser, bench.origin, size, RAW_SHAPES.seeder) : null,
    'raw Node→page bulk': ONLY.includes('raw') ? () => rawNodeToPage(browser, bench.origin, size, RAW_SHAPES.bulk) : null,
    webtorrent: ONLY.includes('webtorrent') ? () => webtorrentRun(browser, common) : null,
    Sluice: ONLY.includes('sluice') ? () => sluiceRun(browser, common) : null,
  };
  const names = Object.keys(runs).filter((n) => runs[n]);
  const results = Object.fromEntries(names.map((n) => [n, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of round % 2 === 0 ? names : [...names].reverse()) {
        const before = load();
        const r = await runs[name]();
        results[name].push(r);
        const extra = r.metadataToReadyMs === undefined ? '' : `; metadata→ready ${fmt(r.ownMetadataToReadyMs, 0)} ms (seeder-seen ${fmt(r.metadataToReadyMs, 0)}); longest main-thread task ${fmt(r.mainLongestMs, 0)} ms wall (${fmt(r.mainLongestOwnCpuMs, 0)} ms of it CPU, ${r.mainLongestWhat}), by CPU ${fmt(r.mainLongestCpuMs, 0)} ms (${r.mainLongestCpuWhat}); worker wall / CPU ${fmt(r.workerLongestMs, 0)} / ${fmt(r.workerLongestCpuMs, 0)}; heap ${fmt(r.heapTotalMiB)} MiB, buffers ${fmt(r.buffersMiB)} MiB`;
        console.log(`round ${round + 1} ${name}: ${fmt(r.mibps)} MiB/s${extra}; load ${before}→${load()}`);
      }
    }
  } finally {
    await browser.close();
    await app?.close();
    rmSync(serveDir, { recursive: true, force: true });
    await tracker.close();
    bench.close();
  }
  report(results);
  console.log(`load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  process.exit(0);
}

const CPU_ROLES = ['renderer', 'network', 'browser', 'gpu', 'chromium other', 'seeder', 'sidecar'];

/** CPU ms per MiB moved, by process role (bench/lib/proc-cpu.mjs), medians of the rounds. */
function reportCpu(results) {
  const size = SIZE_MIB;
  console.log(`\nCPU ms per MiB (user + system, from /proc; raw runs over the send, downloads from opening to done)`);
  console.log(`run                 ${CPU_ROLES.map((r) => r.padStart(15)).join('')}          total`);
  for (const [name, rounds] of Object.entries(results)) {
    if (!rounds[0]?.cpu) continue;
    const per = (role) => median(rounds.map((r) => ((r.cpu[role] ?? 0) * 1000) / size));
    const total = median(rounds.map((r) => (Object.values(r.cpu).reduce((a, b) => a + b, 0) * 1000) / size));
    console.log(`${name.padEnd(19)}${CPU_ROLES.map((r) => fmt(per(r), 0).padStart(15)).join('')}${fmt(total, 0).padStart(15)}`);
  }
}

function report(results) {
  const m = (name, key) => median((results[name] ?? []).map((r) => r[key]));
  console.log(`\nmedians of ${ROUNDS} round(s)`);
  console.log('run                  MiB/s  with set-up  meta→ready ms (own)  longest task ms: main wall/CPU  worker wall/CPU  >50 ms  heap MiB page/worker/sum  buffers MiB');
  for (const name of Object.keys(results)) {
    const torrentRun = results[name][0]?.metadataToReadyMs !== undefined;
    const row = `${name.padEnd(19)}${fmt(m(name, 'mibps')).padStart(7)}`;
    if (!torrentRun) {
      console.log(row);
      continue;
    }
    const pair = (a, b, digits = 0) => `${fmt(m(name, a), digits)} / ${fmt(m(name, b), digits)}`;
    console.log(
      `${row}${fmt(m(name, 'mibpsWithSetup')).padStart(13)}${fmt(m(name, 'metadataToReadyMs'), 0).padStart(14)}${`(${fmt(m(name, 'ownMetadataToReadyMs'), 0)})`.padStart(12)}` +
        `${pair('mainLongestMs', 'mainLongestCpuMs').padStart(33)}${pair('workerLongestMs', 'workerLongestCpuMs').padStart(17)}${fmt(m(name, 'mainOver50'), 0).padStart(8)}` +
        `${`${fmt(m(name, 'heapPageMiB'))} / ${fmt(m(name, 'heapWorkerMiB'))} / ${fmt(m(name, 'heapTotalMiB'))}`.padStart(26)}${fmt(m(name, 'buffersMiB')).padStart(13)}`,
    );
  }
  console.log('MiB/s: raw, first to last message at the page; torrents, seeder\'s first piece request to the page\'s completion (with set-up: from opening the page).');
  console.log('metadata→ready: last metadata piece sent → first piece request, at the seeder (one and a half loopback round trips more than the storage set-up);');
  console.log('  own: the client\'s metadata → ready (webtorrent\'s `metadata` and `ready` events; Sluice\'s engine marks metadata-received → torrent-checked, its store open and checked).');
  console.log('longest task: of the thread, among tasks started during the transfer: the longest by wall time (stretched while the thread waits for a core on a loaded machine) / the longest by thread CPU time (the work itself; often another task). >50 ms: main-thread tasks over 50 ms (wall).');
  console.log('heap: peak V8 used size (Runtime.getHeapUsage); buffers: peak array-buffer backing stores V8 reports, page and worker.');
  reportCpu(results);
  const mark = (ok) => (ok ? 'met' : 'NOT met');
  const S = results.Sluice?.length ? 'Sluice' : null;
  // The ceiling of the downloads' path: the channel sending as their seeder sends (bulk is the stack's own, shown beside it).
  const ceilingName = 'raw Node→page';
  const raw = results[ceilingName]?.length ? m(ceilingName, 'mibps') : NaN;
  const bulk = results['raw Node→page bulk']?.length ? m('raw Node→page bulk', 'mibps') : NaN;
  if (S) {
    console.log('');
    if (Number.isFinite(raw)) {
      const t = m(S, 'mibps') / raw;
      console.log(`Sluice / raw Node→page channel in the seeder's shape: ${fmt(t, 2)}x (target ≥ 0.95x: ${mark(t >= 0.95)}); / bulk: ${fmt(m(S, 'mibps') / bulk, 2)}x`);
    }
    if (results['raw page↔page']?.length) console.log(`Sluice / raw page↔page channel: ${fmt(m(S, 'mibps') / m('raw page↔page', 'mibps'), 2)}x`);
    if (results.webtorrent?.length) {
      console.log(`Sluice / webtorrent: ${fmt(m(S, 'mibps') / m('webtorrent', 'mibps'), 2)}x once connected, ${fmt(m(S, 'mibpsWithSetup') / m('webtorrent', 'mibpsWithSetup'), 2)}x with set-up`);
      console.log(`webtorrent / raw Node→page channel in the seeder's shape: ${fmt(m('webtorrent', 'mibps') / raw, 2)}x`);
    }
    const ready = m(S, 'ownMetadataToReadyMs');
    const wt = results.webtorrent?.length ? `; webtorrent ${fmt(m('webtorrent', 'ownMetadataToReadyMs'), 0)} ms (seeder-seen ${fmt(m('webtorrent', 'metadataToReadyMs'), 0)})` : '';
    console.log(`Sluice storage ready after metadata: ${fmt(ready, 0)} ms in the engine, ${fmt(m(S, 'metadataToReadyMs'), 0)} ms to the first request at the seeder (target ≤ 100 ms: ${mark(ready <= 100)})${wt}`);
    if (TRACE) {
      const task = m(S, 'mainLongestMs');
      const cpu = m(S, 'mainLongestCpuMs');
      console.log(`Sluice longest main-thread task during the transfer: ${fmt(task, 0)} ms wall, ${fmt(cpu, 0)} ms CPU (target ≤ 50 ms: ${mark(task <= 50)} by wall time, ${mark(cpu <= 50)} by CPU; aim 16 ms: ${mark(task <= 16)})${results.webtorrent?.length ? `; webtorrent ${fmt(m('webtorrent', 'mainLongestMs'), 0)} ms wall, ${fmt(m('webtorrent', 'mainLongestCpuMs'), 0)} ms CPU` : ''}`);
    }
    const heap = m(S, 'heapTotalMiB');
    console.log(`Sluice JS heap, page + worker, peak: ${fmt(heap)} MiB during a ${SIZE_MIB} MiB download (target < 150 MB during 1 GiB: ${mark(heap * MIB < 150e6)} at this size)${results.webtorrent?.length ? `; webtorrent ${fmt(m('webtorrent', 'heapTotalMiB'))} MiB` : ''}`);
    console.log(`Sluice states seen through the hooks: ${results[S][0].states}`);
  }
}

await main();
