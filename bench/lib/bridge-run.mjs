// The two runs of bench/bridge.mjs, each the app in a quiet page (bench/lib/quiet-page.mjs: outside
// Playwright, in the browser's own profile), followed through the same data-* hooks as sluiceRun:
// - bridge: libtorrent (bench/lib/lt_seed.py, TCP on 127.0.0.1 only) seeds the bench file; a fresh
//   `sluice serve` (empty --out and --state, no DHT, no WebRTC) serves the app; the app, opened at
//   /#<magnet with x.pe=libtorrent> with no tracker and no ICE server, can only get the bytes through
//   the sidecar over the bridge.
// - WebRTC: a Node webtorrent seeder found through the bench's ws:// tracker, the app served without a bridge.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { assertNoPageErrors, openAppPage, pageSeenRate, rate, startSeeder, waitForAppSeeding } from './browser-runs.mjs';
import { serveApp } from './sluice-app.mjs';
import { cachedSha1, sha1File, ROOT, WORK } from './work.mjs';

const PY = '/usr/bin/python3';

async function startLibtorrentSeeder(torrentPath) {
  const child = spawn(PY, [join(ROOT, 'bench/lib/lt_seed.py'), torrentPath, WORK], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const lines = [];
  const port = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (text) => {
      const line = JSON.parse(text);
      lines.push(line);
      if (line.port) resolve(line.port);
    });
    exited.then(() => reject(new Error(`the libtorrent seeder did not start: ${stderr.trim()}`)));
  });
  return {
    port,
    /** Stops it; what it uploaded in all (lt_seed.py's last line). */
    async stop() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      return lines.find((l) => l.uploaded !== undefined)?.uploaded ?? NaN;
    },
  };
}

/**
 * The app at `appOrigin`/#`magnet` in a quiet page (bench/lib/quiet-page.mjs), followed through the same
 * data-* hooks as sluiceRun until `infoHash` seeds. MiB/s as the page saw it, and with set-up.
 */
async function appRun(browser, { appOrigin, magnet, infoHash, size, trackers }) {
  const page = await openAppPage(browser, appOrigin, trackers);
  try {
    const heap = page.sampleHeap();
    const opened = performance.timeOrigin + performance.now();
    await page.goto(`${appOrigin}/#${magnet}`);
    const { log, doneAt, states } = await waitForAppSeeding(page, infoHash, 'app');
    const heapPeak = await heap.stop();
    const bridge = await page.evaluate(`document.querySelector('[data-bridge]')?.getAttribute('data-bridge') ?? null`);
    assertNoPageErrors(page);
    return {
      pageMibps: pageSeenRate(log, infoHash, size),
      mibpsWithSetup: rate(size, opened, doneAt),
      heapTotalMiB: heapPeak.total / (1 << 20),
      bridge,
      states,
    };
  } finally {
    await page.close();
  }
}

/** libtorrent → sidecar → bridge → the app's page. */
export async function bridgeRun(browser, { file, infoHash, size, torrentPath }) {
  const seeder = await startLibtorrentSeeder(torrentPath);
  const dir = mkdtempSync(join(WORK, 'bridge-'));
  const out = join(dir, 'out');
  const app = await serveApp(['--out', out, '--state', join(dir, 'state'), '--no-dht', '--no-webrtc']);
  try {
    const magnet = `magnet:?xt=urn:btih:${infoHash}&x.pe=127.0.0.1:${seeder.port}`;
    const figures = await appRun(browser, { appOrigin: app.origin, magnet, infoHash, size, trackers: [] });
    // The sidecar kept what it relayed in --out: it must be the bench file, byte for byte.
    const kept = sha1File(join(out, file.split('/').at(-1)));
    if (kept !== cachedSha1(file)) throw new Error(`the sidecar's copy differs from the bench file (${kept})`);
    return figures;
  } finally {
    await app.close();
    const uploaded = await seeder.stop();
    if (uploaded > size * 2) console.log(`note: libtorrent uploaded ${uploaded} bytes for ${size}`);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A Node webtorrent seeder (bench/lib/wt-browser-seed.mjs), found through `trackerUrl` → a data channel → the app's page. */
export async function webrtcRun(browser, { appOrigin, magnet, infoHash, size, torrentPath, dataDir, trackerUrl }) {
  const seeder = await startSeeder(torrentPath, dataDir, trackerUrl);
  try {
    const figures = await appRun(browser, { appOrigin, magnet, infoHash, size, trackers: [trackerUrl] });
    await seeder.waitFor((l) => l.uploaded);
    return figures;
  } finally {
    await seeder.stop();
  }
}
