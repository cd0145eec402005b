// The four measurements of bench/browser.mjs, each in the same Chromium: the raw data channel page↔page
// and Node → page, and a torrent downloaded from a Node webtorrent seeder by webtorrent's browser build
// and by Sluice's app. Every function returns plain numbers; browser.mjs takes medians and prints.
import { fork, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { newContext, startTrace } from './chromium.mjs';
import { cpuSeconds, cpuSnapshot, threadSeconds } from './proc-cpu.mjs';
import { openQuietPage } from './quiet-page.mjs';
import { ROOT } from './work.mjs';

const LIB = join(ROOT, 'bench', 'lib');
const MIB = 1 << 20;
const GIVE_UP_MS = 15 * 60_000;
export const HOOKS = readFileSync(join(LIB, 'pages', 'sluice-hooks.js'), 'utf8');
/**
 * How the raw channels send. `seeder`: the shape of the downloads' seeder, webtorrent in Node over
 * simple-peer: one message per BitTorrent piece message (a 16 KiB block and its 13-byte header), sent
 * while at most 64 KiB is buffered, resumed at 64 KiB (simple-peer's MAX_BUFFERED_AMOUNT and threshold).
 * That is the ceiling of the downloads' path: no download from this seeder can beat it, and the
 * target (Sluice ≥ 0.95×) is held to it. `bulk`: 64 KiB messages with up to 1 MiB buffered, the most
 * this sender can push, shown beside it as the stack's own ceiling. `pages`: 16 KiB messages, 1 MiB
 * buffered, as the issue's page ↔ page figures were measured.
 */
export const RAW_SHAPES = {
  pages: { messageSize: 16 * 1024, highWater: MIB, lowWater: MIB / 4 },
  seeder: { messageSize: 16 * 1024 + 13, highWater: 64 * 1024, lowWater: 64 * 1024 },
  bulk: { messageSize: 64 * 1024, highWater: MIB, lowWater: MIB / 4 },
};

export const rate = (bytes, fromMs, toMs) => bytes / MIB / ((toMs - fromMs) / 1000);

async function rawPage(browser, benchOrigin) {
  const context = await newContext(browser, benchOrigin);
  const page = await context.newPage();
  await page.goto(`${benchOrigin}/raw.html`);
  await page.waitForFunction(() => 'raw' in window);
  return { context, page, call: (name, ...args) => page.evaluate(([n, a]) => window.raw[n](...a), [name, args]) };
}

/** Page → page: one context offers and sends, another answers and counts. MiB/s from the first message to the last. */
export async function rawPageToPage(browser, benchOrigin, total, { messageSize, highWater, lowWater } = RAW_SHAPES.pages) {
  const sender = await rawPage(browser, benchOrigin);
  const receiver = await rawPage(browser, benchOrigin);
  try {
    const answer = await receiver.call('answer', await sender.call('offer'));
    await sender.call('complete', answer);
    const cpuBefore = cpuSnapshot();
    const arrived = receiver.call('received', total);
    await sender.call('send', total, messageSize, highWater, lowWater);
    const got = await arrived;
    return { mibps: rate(got.bytes, got.firstAt, got.lastAt), cpu: cpuSeconds(cpuBefore, cpuSnapshot()) };
  } finally {
    await sender.context.close();
    await receiver.context.close();
  }
}

function nextMessage(child, type) {
  return new Promise((resolve, reject) => {
    const on = (m) => {
      if (m.type === 'error') reject(new Error(`node sender: ${m.message}`));
      if (m.type !== type && m.type !== 'error') return;
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
  });
}

/** Node → page: webrtc-polyfill (node-datachannel) in a child process offers and sends; the page counts. */
export async function rawNodeToPage(browser, benchOrigin, total, { messageSize, highWater, lowWater } = RAW_SHAPES.seeder) {
  const child = fork(join(LIB, 'node-raw-sender.mjs'), [], { stdio: 'inherit' });
  const receiver = await rawPage(browser, benchOrigin);
  try {
    await nextMessage(child, 'ready');
    child.send({ type: 'offer' });
    const { sdp } = await nextMessage(child, 'offer');
    const answer = await receiver.call('answer', sdp);
    child.send({ type: 'complete', sdp: answer });
    await nextMessage(child, 'complete');
    const cpuBefore = cpuSnapshot();
    const arrived = receiver.call('received', total);
    child.send({ type: 'send', total, messageSize, highWater, lowWater });
    await nextMessage(child, 'send');
    const got = await arrived;
    const cpuAfter = cpuSnapshot();
    if (process.env.BENCH_CPU_THREADS) console.log(`raw Node→page renderer threads, CPU s: ${JSON.stringify(threadSeconds(cpuBefore, cpuAfter, 'renderer'))}`);
    return { mibps: rate(got.bytes, got.firstAt, got.lastAt), cpu: cpuSeconds(cpuBefore, cpuAfter) };
  } finally {
    await receiver.context.close();
    child.disconnect();
  }
}

/** bench/lib/wt-browser-seed.mjs in its own process; its JSON lines as they come. */
export async function startSeeder(torrentPath, dataDir, trackerUrl) {
  const child = spawn(process.execPath, [join(LIB, 'wt-browser-seed.mjs'), torrentPath, dataDir, trackerUrl], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = [];
  const watchers = [];
  createInterface({ input: child.stdout }).on('line', (text) => {
    const line = JSON.parse(text);
    lines.push(line);
    for (const w of [...watchers]) {
      if (!w.match(line)) continue;
      watchers.splice(watchers.indexOf(w), 1);
      w.resolve(line);
    }
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const seeder = {
    lines,
    first: (match) => lines.find(match),
    waitFor(match) {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        watchers.push({ match, resolve });
        exited.then(() => reject(new Error(`the seeder exited: ${JSON.stringify(lines.slice(-5))}`)));
      });
    },
    async stop() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const ready = await seeder.waitFor((l) => l.ready || l.error);
  if (ready.error) throw new Error(`seeder: ${ready.error}`);
  return seeder;
}

/** What the seeder saw of one downloader: metadata sent → first request, first request → every byte sent. */
function seederTimes(seeder) {
  const firstRequest = seeder.first((l) => l.firstRequest)?.firstRequest ?? NaN;
  const metadataSent = seeder.lines.filter((l) => l.metadataSent && l.metadataSent <= firstRequest).at(-1)?.metadataSent ?? NaN;
  return { firstRequest, metadataSent, uploadedAll: seeder.first((l) => l.uploaded)?.at ?? NaN };
}

export function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: gave up after ${GIVE_UP_MS / 60_000} min`)), GIVE_UP_MS)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The figures both torrent runs report: throughput from the seeder's first piece request to the page's
 * completion, metadata → ready (seen by the seeder), longest main-thread and worker tasks during that
 * transfer window, and heap peaks.
 */
function torrentFigures({ size, opened, doneAt, seeder, trace, marks, heap }) {
  const s = seederTimes(seeder);
  const window = [s.firstRequest, doneAt];
  const none = { longestMs: NaN, longestCpuMs: NaN, longestOwnCpuMs: NaN, longestWhat: '', longestCpuWhat: '', tasks: 0, over50: 0 };
  const main = trace ? trace.longestTask('bench-main', marks.main, ...window) : none;
  const worker = trace && marks.worker ? trace.longestTask('bench-worker', marks.worker, ...window) : none;
  return {
    mibps: rate(size, s.firstRequest, doneAt),
    mibpsWithSetup: rate(size, opened, doneAt),
    metadataToReadyMs: s.firstRequest - s.metadataSent,
    mainLongestMs: main.longestMs,
    mainLongestCpuMs: main.longestCpuMs,
    mainLongestOwnCpuMs: main.longestOwnCpuMs,
    mainLongestWhat: main.longestWhat,
    mainLongestCpuWhat: main.longestCpuWhat,
    mainTasks: main.tasks,
    mainOver50: main.over50,
    workerLongestMs: worker.longestMs,
    workerLongestCpuMs: worker.longestCpuMs,
    heapPageMiB: heap.page / MIB,
    heapWorkerMiB: heap.worker / MIB,
    heapTotalMiB: heap.total / MIB,
    buffersMiB: heap.buffers / MIB,
    traceMiB: trace ? trace.bytes / MIB : NaN,
  };
}

/** A uniquely named performance mark made in a quiet page or its worker; its wall-clock time. */
const markExpression = (name) => `(() => { const m = performance.mark(${JSON.stringify(name)}); return performance.timeOrigin + m.startTime; })()`;

/**
 * webtorrent's browser build (its bundle as shipped) in a quiet page (bench/lib/quiet-page.mjs): in the
 * browser's profile on disk, as a user's tab runs, since its default store (fsa-chunk-store) is OPFS and
 * an incognito context keeps OPFS in memory behind a synchronous IPC per write.
 */
export async function webtorrentRun(browser, { benchOrigin, magnet, size, torrentPath, dataDir, trackerUrl, trace: tracing }) {
  const seeder = await startSeeder(torrentPath, dataDir, trackerUrl);
  const page = await openQuietPage(browser, '', { origin: benchOrigin });
  try {
    await page.goto(`${benchOrigin}/wt.html`);
    await page.waitFor(`'wtBench' in window`, { timeoutMs: 60_000, everyMs: 20 });
    const trace = tracing ? await startTrace(browser) : null;
    const marks = { main: await page.evaluate(markExpression('bench-main')) };
    const heap = page.sampleHeap();
    const cpuBefore = cpuSnapshot();
    const result = await withTimeout(page.evaluate(`window.wtBench.download(${JSON.stringify(magnet)})`), 'webtorrent');
    const cpu = cpuSeconds(cpuBefore, cpuSnapshot());
    const heapPeak = await heap.stop();
    const traced = trace ? await trace.stop() : null;
    if (result.length !== size || result.verifiedPieces !== result.pieces) throw new Error(`webtorrent finished with ${result.verifiedPieces}/${result.pieces} pieces of ${result.length} bytes`);
    await seeder.waitFor((l) => l.uploaded);
    await page.evaluate('window.wtBench.destroy()');
    return {
      ...torrentFigures({ size, opened: result.at.added, doneAt: result.at.done, seeder, trace: traced, marks, heap: heapPeak }),
      ownMetadataToReadyMs: result.at.ready - result.at.metadata,
      cpu,
    };
  } finally {
    await page.close();
    await seeder.stop();
  }
}

/**
 * MiB/s as the app's page saw it: from the first data-progress above 0 to data-state "seeding", in the
 * hooks' log (window.sluiceBenchLog). The hooks change at most every 250 ms, so short transfers read coarse.
 */
export function pageSeenRate(log, infoHash, size) {
  const first = log.find((e) => e.infoHash === infoHash && e.progress > 0);
  const done = log.find((e) => e.infoHash === infoHash && e.state === 'seeding');
  if (!first || !done) return NaN;
  return rate(size * (1 - first.progress), first.at, done.at);
}

/** A quiet page for the app at `appOrigin`, with the bench's hooks installed (only `trackers` for new torrents). */
export function openAppPage(browser, appOrigin, trackers) {
  return openQuietPage(browser, `${HOOKS}\nglobalThis.installSluiceBenchHooks(${JSON.stringify({ trackers })});`, { origin: appOrigin });
}

/**
 * Waits until the app's hooks log `infoHash` as seeding (failing with what the page shows and its
 * errors); the hooks' log, when it seeded, and the states it went through.
 */
export async function waitForAppSeeding(page, infoHash, what) {
  const seeding = `(window.sluiceBenchLog ?? []).some((e) => e.infoHash === ${JSON.stringify(infoHash)} && e.state === 'seeding')`;
  await withTimeout(page.waitFor(seeding, { timeoutMs: GIVE_UP_MS }), what).catch(async (err) => {
    const shown = await page.evaluate(`document.querySelector('main')?.innerText ?? '?'`).catch(() => '?');
    throw new Error(`${err.message}\npage: ${shown}\npage errors: ${page.errors.join(' | ')}`);
  });
  const log = await page.evaluate('window.sluiceBenchLog');
  return {
    log,
    doneAt: log.find((e) => e.infoHash === infoHash && e.state === 'seeding')?.at ?? NaN,
    states: [...new Set(log.map((e) => e.state))].join('→'),
  };
}

/** Throws if the page reported uncaught errors. */
export function assertNoPageErrors(page) {
  if (page.errors.length > 0) throw new Error(`the app's page reported errors: ${page.errors.join(' | ')}`);
}

/**
 * Sluice's app as `sluice serve` serves it, opened at /#<magnet> in a quiet page in the browser's profile
 * on disk (as webtorrentRun), followed through its data-* hooks.
 */
export async function sluiceRun(browser, { appOrigin, magnet, infoHash, size, torrentPath, dataDir, trackerUrl, trace: tracing }) {
  const seeder = await startSeeder(torrentPath, dataDir, trackerUrl);
  const page = await openAppPage(browser, appOrigin, [trackerUrl]);
  try {
    // The trace and heap sampling start on the blank page, so the app's start-up is in both.
    const trace = tracing ? await startTrace(browser) : null;
    const heap = page.sampleHeap();
    const cpuBefore = cpuSnapshot();
    const opened = performance.timeOrigin + performance.now();
    await page.goto(`${appOrigin}/#${magnet}`);
    await page.waitFor(`location.origin === ${JSON.stringify(appOrigin)} && document.readyState !== 'loading'`, { timeoutMs: 60_000, everyMs: 20 });
    const marks = { main: await page.evaluate(markExpression('bench-main')) };
    marks.worker = await page.workerEvaluate(markExpression('bench-worker'));
    // BENCH_WORKER_PROFILE=/path/prefix: a V8 CPU profile of the engine worker for the whole run.
    if (process.env.BENCH_WORKER_PROFILE) await page.workerCommand('Profiler.enable').then(() => page.workerCommand('Profiler.start'));
    const { log, doneAt, states } = await waitForAppSeeding(page, infoHash, 'sluice');
    const cpuAfter = cpuSnapshot();
    const cpu = cpuSeconds(cpuBefore, cpuAfter);
    if (process.env.BENCH_CPU_THREADS) console.log(`Sluice renderer threads, CPU s: ${JSON.stringify(threadSeconds(cpuBefore, cpuAfter, 'renderer'))}`);
    // The engine marks metadata-received and torrent-checked (engine-host.ts): storage ready, seen inside.
    const engineMarks = await page.workerEvaluate(
      `Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.endsWith(${JSON.stringify(`:${infoHash}`)})).map((m) => [m.name.split(':')[1], m.startTime]))`,
    );
    const heapPeak = await heap.stop();
    const traced = trace ? await trace.stop() : null;
    if (process.env.BENCH_WORKER_PROFILE) {
      for (const [i, { result }] of (await page.workerCommand('Profiler.stop')).entries()) {
        writeFileSync(`${process.env.BENCH_WORKER_PROFILE}-${process.pid}-${i}.cpuprofile`, JSON.stringify(result.profile));
      }
    }
    await seeder.waitFor((l) => l.uploaded);
    assertNoPageErrors(page);
    return {
      ...torrentFigures({ size, opened, doneAt, seeder, trace: traced, marks, heap: heapPeak }),
      ownMetadataToReadyMs: engineMarks['torrent-checked'] - engineMarks['metadata-received'],
      pageMibps: pageSeenRate(log, infoHash, size),
      states,
      cpu,
    };
  } finally {
    await page.close();
    await seeder.stop();
  }
}
