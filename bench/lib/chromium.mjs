// Debian Chromium for bench/browser.mjs, through playwright-core, and what the bench reads from its
// traces (the heap is sampled by bench/lib/quiet-page.mjs): the longest task of a thread over a time
// window (a trace with the `toplevel` category, whose ThreadControllerImpl::RunTask events are the tasks of
// each thread: `dur` is wall time, which a loaded machine stretches; `tdur` the thread's CPU time).
import { mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { WORK } from './work.mjs';

let kept = 0;

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
 * A browser of its own on a fresh on-disk profile, as a person's tab has, whose `origin` may use camera and
 * microphone. Not an incognito context: there Chromium keeps OPFS in memory, so writing a video's tail
 * first makes it allocate the whole file (2 s for a 200 MB file), which no ordinary profile pays.
 */
export async function launchProfile(origin) {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-profile-'));
  const context = await chromium.launchPersistentContext(dir, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  await context.grantPermissions(['camera', 'microphone'], { origin });
  return {
    context,
    browser: context.browser(),
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A trace of the whole browser (`toplevel` and user timing). Threads are found by a performance.mark
 * made in them (browser-runs.mjs's markExpression), which also ties the trace clock to wall-clock time.
 */
export async function startTrace(browser) {
  const path = join(WORK, `browser-trace-${process.pid}.json`);
  const extra = process.env.BENCH_TRACE_CATEGORIES ? process.env.BENCH_TRACE_CATEGORIES.split(',') : [];
  await browser.startTracing(undefined, { path, categories: ['toplevel', 'blink.user_timing', ...extra] });
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
