// The bridge against direct WebRTC, in the same Chromium and run (issue 11, "Benchmark"):
//   bridge   libtorrent seeds over TCP on 127.0.0.1; `sluice serve` (fresh --out and --state each round)
//            serves the app, opened at /#<magnet with x.pe=libtorrent> with no tracker and no ICE server,
//            so every byte goes libtorrent → sidecar → one WebSocket (/bridge) → the app's worker
//   WebRTC   a Node webtorrent 3 seeder (bench/lib/wt-browser-seed.mjs), found through a ws:// tracker in
//            this process, → a data channel → the same app, served without a bridge
// Both pages run outside Playwright in the browser's own profile (bench/lib/quiet-page.mjs says why).
// Both are followed through the app's data-infohash / data-state / data-progress hooks; MiB/s is the
// page's: from the first data-progress above 0 to data-state "seeding" (the same clock for both paths;
// the hooks change at most every 250 ms). "With set-up" is from opening the page. Rounds alternate the
// order; medians are printed, then bridge / WebRTC against the target ≥ 5x. Figures: docs/benchmarks.md (Bridge).
// Usage: node bench/bridge.mjs [--size MiB=256] [--rounds N=3] [--short]   (--short: 32 MiB, 1 round)
import { cpus, loadavg } from 'node:os';
import { bridgeRun, webrtcRun } from './lib/bridge-run.mjs';
import { launchChromium } from './lib/chromium.mjs';
import { buildApp, ensureTorrent, serveApp, startTracker } from './lib/sluice-app.mjs';
import { ensureRandomFile, median, MIB, WORK } from './lib/work.mjs';

const argv = process.argv.slice(2);
const opt = (flag) => {
  const at = argv.indexOf(flag);
  return at === -1 ? null : argv[at + 1];
};
const SHORT = argv.includes('--short');
const SIZE_MIB = Number(opt('--size') ?? (SHORT ? 32 : 256));
const ROUNDS = Math.max(1, Number(opt('--rounds') ?? (SHORT ? 1 : 3)));
const TARGET = 5;
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
const loads = () => loadavg().map((l) => l.toFixed(1)).join(' ');

async function main() {
  const size = SIZE_MIB * MIB;
  const file = ensureRandomFile(`bench-${size}.bin`, size);
  const torrent = await ensureTorrent(file);
  buildApp();
  const tracker = await startTracker();
  // The WebRTC path's app server, without a bridge: with one, the app joins its sidecar, which would
  // fetch the torrent from the same seeder over WebRTC and relay it.
  const app = await serveApp(['--no-bridge']);
  const browser = await launchChromium();
  console.log(`Bridge vs WebRTC in Chromium ${browser.version()}: ${SIZE_MIB} MiB, 1 MiB pieces, ${ROUNDS} round(s)`);
  console.log(`machine: ${cpus().length} cores; load average at the start ${loads()}`);
  const webrtc = { appOrigin: app.origin, magnet: `magnet:?xt=urn:btih:${torrent.infoHash}&tr=${encodeURIComponent(tracker.url)}`, infoHash: torrent.infoHash, size, torrentPath: torrent.path, dataDir: WORK, trackerUrl: tracker.url };
  const runs = {
    bridge: () => bridgeRun(browser, { file, infoHash: torrent.infoHash, size, torrentPath: torrent.path }),
    WebRTC: () => webrtcRun(browser, webrtc),
  };
  const names = Object.keys(runs);
  const results = { bridge: [], WebRTC: [] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of round % 2 === 0 ? names : [...names].reverse()) {
        const before = loadavg()[0].toFixed(1);
        const r = await runs[name]();
        results[name].push(r);
        console.log(`round ${round + 1} ${name}: ${fmt(r.pageMibps)} MiB/s (with set-up ${fmt(r.mibpsWithSetup)}); heap page + worker ${fmt(r.heapTotalMiB)} MiB; states ${r.states}; bridge ${r.bridge}; load ${before}→${loadavg()[0].toFixed(1)}`);
      }
    }
  } finally {
    await browser.close();
    await app.close();
    await tracker.close();
  }
  const m = (name, key) => median(results[name].map((r) => r[key]));
  console.log(`\nmedians of ${ROUNDS} round(s)`);
  console.log('path      MiB/s  with set-up');
  for (const name of names) console.log(`${name.padEnd(8)}${fmt(m(name, 'pageMibps')).padStart(7)}${fmt(m(name, 'mibpsWithSetup')).padStart(13)}`);
  console.log('MiB/s: first data-progress above 0 → data-state "seeding", as the page saw it; with set-up: from opening the page.');
  const ratio = m('bridge', 'pageMibps') / m('WebRTC', 'pageMibps');
  console.log(`bridge / WebRTC: ${fmt(ratio, 2)}x (target ≥ ${TARGET}x: ${ratio >= TARGET ? 'met' : 'NOT met'}); with set-up ${fmt(m('bridge', 'mibpsWithSetup') / m('WebRTC', 'mibpsWithSetup'), 2)}x`);
  console.log(`load average at the end ${loads()}`);
  process.exit(0);
}

await main();
