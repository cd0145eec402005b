// Debian Chromium for bench/browser.mjs, through playwright-core, and what the bench reads from it
// over the DevTools protocol: JS heap of a page and its workers (Runtime.getHeapUsage on each target,
// sampled; also the array-buffer backing stores it reports), and the longest task of a thread over a time
// window (a trace with the `toplevel` category, whose ThreadControllerImpl::RunTask events are the tasks of
// each thread: `dur` is wall time, which a loaded machine stretches; `tdur` the thread's CPU time).
import { readFileSync, renameSync, rmSync } from 'node:fs';

let kept = 0;
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { WORK } from './work.mjs';

/**
 * The flags of test/helpers/chromium.ts and ../shared/reference/interop-notes.md: no outside traffic,
 * loopback allowed in peer connections. Never a `--disable-features` (Playwright passes its own).
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--allow-loopback-in-peer-connection',
];

export function launchChromium() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** A fresh profile whose `origin` may use camera and microphone: Chromium enumerates interfaces for ICE only then. */
export async function newContext(browser, origin) {
  const context = await browser.newContext();
  await context.grantPermissions(['camera', 'microphone'], { origin });
  return context;
}

/**
 * Samples the JS heap (V8 used size) of every page and worker target whose URL starts with `origin`,
 * every `everyMs`, until stopped. Workers are reached with a non-flattened attach from a browser-level
 * session, since Playwright gives no CDP session for a worker. Peaks are of each sample's sums.
 */
export async function sampleHeap(browser, origin, everyMs = 500) {
  const cdp = await browser.newBrowserCDPSession();
  const sessions = new Map();
  const waiting = new Map();
  let nextId = 0;
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    const reply = JSON.parse(event.message);
    waiting.get(reply.id)?.(reply);
    waiting.delete(reply.id);
  });
  const ask = async (sessionId, method) => {
    const id = ++nextId;
    const answered = new Promise((resolve) => waiting.set(id, resolve));
    await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params: {} }) });
    return answered;
  };
  const peak = { page: 0, worker: 0, total: 0, buffers: 0, samples: 0 };
  const sample = async () => {
    const { targetInfos } = await cdp.send('Target.getTargets');
    const sums = { page: 0, worker: 0, buffers: 0 };
    for (const t of targetInfos) {
      if (!t.url.startsWith(origin) || (t.type !== 'page' && t.type !== 'worker')) continue;
      try {
        if (!sessions.has(t.targetId)) sessions.set(t.targetId, (await cdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: false })).sessionId);
        const reply = await ask(sessions.get(t.targetId), 'Runtime.getHeapUsage');
        if (reply.result) {
          sums[t.type] += reply.result.usedSize;
          sums.buffers += reply.result.backingStorageSize ?? 0;
        }
      } catch {
        sessions.delete(t.targetId); // Gone between listing and asking.
      }
    }
    peak.page = Math.max(peak.page, sums.page);
    peak.worker = Math.max(peak.worker, sums.worker);
    peak.total = Math.max(peak.total, sums.page + sums.worker);
    peak.buffers = Math.max(peak.buffers, sums.buffers);
    peak.samples++;
  };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await sample().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await sample().catch(() => {});
      await cdp.detach().catch(() => {});
      return peak;
    },
  };
}

/**
 * A trace of the whole browser (`toplevel` and user timing). Threads are found by a performance.mark
 * made in them (`markIn`), which also ties the trace clock to wall-clock time.
 */
export async function startTrace(browser, page) {
  const path = join(WORK, `browser-trace-${process.pid}.json`);
  const extra = process.env.BENCH_TRACE_CATEGORIES ? process.env.BENCH_TRACE_CATEGORIES.split(',') : [];
  await browser.startTracing(page, { path, categories: ['toplevel', 'blink.user_timing', ...extra] });
  return {
    async stop() {
      await browser.stopTracing();
      const { traceEvents } = JSON.parse(readFileSync(path, 'utf8'));
      const bytes = readFileSync(path).length;
      if (process.env.BENCH_KEEP_TRACE) renameSync(path, `${process.env.BENCH_KEEP_TRACE}-${++kept}.json`);
      else rmSync(path, { force: true });
      return traceOf(traceEvents, bytes);
    },
  };
}

/** Makes a uniquely named mark in a page or worker (a Playwright Page or Worker); its wall-clock time. */
export async function markIn(target, name) {
  return target.evaluate((n) => {
    const mark = performance.mark(n);
    return performance.timeOrigin + mark.startTime;
  }, name);
}

/** The function that posted a task, without its C++ signature: `ScheduledActionSendBeginMainFrame`, `OnMessage`. */
function poster(task) {
  const at = task?.args?.src_func ?? '';
  return at.replace(/\(.*$/, '').split(' ').pop();
}

function traceOf(events, bytes) {
  return {
    bytes,
    /**
     * The longest task (ms) of the thread where mark `name` (made at wall-clock `markedAt`) was made,
     * among tasks that started between wall-clock `from` and `to`, by wall time and by thread CPU time
     * (often two different tasks: on a loaded machine the longest by wall is one that waited for a core);
     * what posted each; and how many tasks there were.
     */
    longestTask(name, markedAt, from, to) {
      const mark = events.find((e) => e.name === name && e.ph !== 'M');
      if (!mark) return { longestMs: NaN, longestCpuMs: NaN, longestOwnCpuMs: NaN, longestWhat: '', longestCpuWhat: '', tasks: 0, over50: 0 };
      const toTrace = (wallMs) => mark.ts + (wallMs - markedAt) * 1000;
      const start = toTrace(from);
      const end = toTrace(to);
      let longest = null;
      let longestCpu = null;
      let tasks = 0;
      let over50 = 0;
      for (const e of events) {
        if (e.pid !== mark.pid || e.tid !== mark.tid || e.ph !== 'X' || e.name !== 'ThreadControllerImpl::RunTask') continue;
        if (e.ts < start || e.ts > end) continue;
        tasks++;
        if (e.dur > 50_000) over50++;
        if (!longest || e.dur > longest.dur) longest = e;
        if (e.tdur !== undefined && (!longestCpu || e.tdur > longestCpu.tdur)) longestCpu = e;
      }
      return {
        longestMs: longest ? longest.dur / 1000 : NaN,
        longestCpuMs: longestCpu ? longestCpu.tdur / 1000 : NaN,
        // The same task's CPU time, and where Chromium posted it from (a frame, a message, a timer).
        longestOwnCpuMs: longest?.tdur !== undefined ? longest.tdur / 1000 : NaN,
        longestWhat: poster(longest),
        longestCpuWhat: poster(longestCpu),
        tasks,
        over50,
      };
    },
  };
}
