// Tracker throughput: announces per second each tracker sustains and its latency, Sluice's tracker
// (`startTrackerServer`, what `sluice tracker` runs) against bittorrent-tracker's server (the reference
// WebTorrent tracker), in the same run, each in its own process, order alternated between runs.
//
// Load: bench/lib/tracker-load.mjs, a separate process on raw sockets with pre-encoded requests, so
// that its CPU is measured apart from the tracker's and it costs less per announce than the trackers do.
// HTTP: 64 keep-alive connections, one request outstanding per connection (no pipelining), 500 torrents,
// 20 000 peers announced first (the fill), so every reply carries 50 compact peers.
// WebSocket: 64 connections, each one peer id announcing (no offers) on 4 torrents in turn.
//
// Closed loop (default): each connection sends its next request when the reply lands, for SECONDS.
// Open loop (--open, after the closed-loop runs; --runs 0 for the open loop only): offered rates stepped
// up from --open-start (default 1000/s) by x1.25, each step measured on every tracker in turn, while p99
// stays under the bound (BOUND_MS, p99 < 50 ms) and >= 98 % of the offered announces are answered; prints
// the highest rate each tracker holds. Latency in the open loop counts from the scheduled send time.
//
// The Sluice tracker allows 120 WebSocket messages a minute per connection by default; the bench client
// is one trusted machine, so that bound is lifted for the bench only (maxMessagesPerMinute: 1e9). The
// reference has no such bound. Everything else runs with each tracker's defaults.
//
// Needs the build: `npm run build:sidecar`.
// Usage: node bench/tracker.mjs [--seconds 5] [--runs 2] [--open] [--only http|ws] [--profile DIR] [--extra NAME=FILE]
import { fork, spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
};
const SECONDS = Number(arg('seconds', 5));
const RUNS = Number(arg('runs', 2));
const OPEN = process.argv.includes('--open');
const OPEN_SECONDS = Number(arg('open-seconds', 3));
const OPEN_START = Number(arg('open-start', 1000));
const ONLY = arg('only', null);
// --profile DIR: each tracker runs with --cpu-prof into DIR (summarise with bench/lib/cpuprofile-summary.mjs).
const PROFILE = arg('profile', null);
const CONNECTIONS = 64;
const TORRENTS = 500;
const PEERS = 20_000;
const BOUND_MS = 50;
const LOAD = fileURLToPath(new URL('./lib/tracker-load.mjs', import.meta.url));

const REFERENCE = `
import { Server } from 'bittorrent-tracker';
const server = new Server({ http: true, udp: false, ws: true, stats: false });
server.on('warning', () => {});
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.http.address().port }) + '\\n'));
`;
const SLUICE = `
import { startTrackerServer } from './build/sidecar/src/tracker-server/server.js';
const server = await startTrackerServer({ port: 0, udp: false, maxMessagesPerMinute: 1e9 });
process.stdout.write(JSON.stringify({ port: server.port }) + '\\n');
`;
const TRACKERS = { sluice: SLUICE, 'bittorrent-tracker': REFERENCE };
// --extra NAME=FILE (repeatable): more trackers in the same runs, e.g. an older build of Sluice's (before/
// after in one run) or a constant-reply server (what the sockets alone cost). FILE is an ES module
// that listens on 127.0.0.1 and prints {"port": N} as its first line.
process.argv.forEach((a, i) => {
  if (a !== '--extra') return;
  const [name, file] = process.argv[i + 1].split('=');
  TRACKERS[name] = readFileSync(file, 'utf8');
});

function start(script) {
  const flags = PROFILE ? ['--cpu-prof', '--cpu-prof-dir', PROFILE] : [];
  const child = spawn(process.execPath, [...flags, '--input-type=module', '-e', `process.on('SIGTERM', () => process.exit(0));\n${script}`], { stdio: ['ignore', 'pipe', 'inherit'], cwd: process.cwd() });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, port: JSON.parse(out.slice(0, nl)).port });
    });
    child.once('exit', (code) => reject(new Error(`tracker exited (${code})`)));
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const percentile = (sorted, p) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]);
const load = () => execFileSync('uptime', { encoding: 'utf8' }).trim().replace(/.*load average: /, 'load ');

const torrents = Array.from({ length: TORRENTS }, () => randomBytes(20).toString('hex'));
const peers = Array.from({ length: PEERS }, (_, i) => ({ id: randomBytes(20).toString('hex'), port: 1024 + (i % 60000), torrent: i % TORRENTS }));

/** One measurement: the generator connects (and fills), then runs closed or open loop at `rate`. */
async function measure(pid, port, protocol, { fill = false, rate = 0, seconds = SECONDS } = {}) {
  const gen = fork(LOAD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  gen.send({ port, protocol, connections: CONNECTIONS, seconds, torrents, peers: protocol === 'http' ? peers : [], fill });
  const messages = [];
  let wake = null;
  gen.on('message', (m) => { messages.push(m); wake?.(); });
  const next = async () => { while (messages.length === 0) await new Promise((r) => (wake = r)); return messages.shift(); };
  const exited = new Promise((resolve) => gen.once('exit', resolve));
  await next(); // connected (and filled)
  const cpu0 = cpuSeconds(pid);
  gen.send({ rate });
  const r = await next();
  const cpu = cpuSeconds(pid) - cpu0;
  await exited;
  const lat = r.latencies.sort();
  const answered = lat.length - r.failures + r.shed;
  return {
    rate: lat.length / r.elapsed,
    offered: rate,
    answered: rate ? (lat.length - r.failures) / (r.offered || 1) : 1,
    perCpu: lat.length / cpu,
    trackerCpu: cpu / r.elapsed,
    genCpu: r.cpuSeconds / r.elapsed,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    failures: r.failures,
    sampled: r.sampled,
    sampleFailures: r.sampleFailures,
    answeredCount: answered,
  };
}

const show = (r) =>
  `${String(Math.round(r.rate)).padStart(6)} announces/s, ${String(Math.round(r.perCpu)).padStart(6)} per tracker CPU-s, ` +
  `p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms (tracker CPU ${(r.trackerCpu * 100).toFixed(0)} %, generator CPU ${(r.genCpu * 100).toFixed(0)} %` +
  `${r.failures ? `, ${r.failures} failures` : ''}${r.sampleFailures ? `, ${r.sampleFailures}/${r.sampled} sampled replies wrong` : ''})`;

/**
 * Open loop, interleaved: every tracker runs at once (idle unless loaded) and each offered rate of the
 * ladder (from OPEN_START, x1.25) is measured on each in turn, the order alternating per step, so a
 * noisy moment on the shared machine falls on both. A step holds while p99 < BOUND_MS and >= 98 % of
 * the offered announces are answered; a step that misses is tried once more (one scheduling stall of
 * tens of ms is enough to miss, and says nothing about the tracker); a tracker that misses twice stops.
 */
async function openInterleaved(names) {
  const procs = {};
  for (const name of names) procs[name] = await start(TRACKERS[name]);
  try {
    if (ONLY !== 'ws') for (const name of names) await measure(procs[name].child.pid, procs[name].port, 'http', { fill: true, seconds: 1 });
    for (const kind of ['http', 'ws']) {
      if (ONLY !== null && ONLY !== kind) continue;
      console.log(`open loop ${kind} (${load()})`);
      const alive = new Set(names);
      const held = Object.fromEntries(names.map((n) => [n, new Map()]));
      for (let step = 0, rate = OPEN_START; step < 24 && alive.size > 0; step++, rate = Math.round(rate * 1.25)) {
        const order = step % 2 === 0 ? [...alive] : [...alive].reverse();
        for (const name of order) {
          let ok = false;
          for (let attempt = 0; attempt < 2 && !ok; attempt++) {
            const r = await measure(procs[name].child.pid, procs[name].port, kind, { rate, seconds: OPEN_SECONDS });
            ok = r.p99 < BOUND_MS && r.answered >= 0.98;
            console.log(`  ${name.padEnd(18)} ${kind.padEnd(4)} offered ${String(rate).padStart(6)}/s: ${ok ? 'holds ' : 'BREAKS'} ${show(r)}`);
            if (ok) held[name].set(rate, r);
          }
          if (!ok) alive.delete(name);
        }
      }
      const top = (name) => Math.max(0, ...held[name].keys());
      for (const name of names) console.log(`  ${name.padEnd(18)} ${kind.padEnd(4)} highest offered rate held at p99 < ${BOUND_MS} ms: ${top(name)}/s`);
      if (held.sluice && held['bittorrent-tracker']) {
        const common = Math.min(top('sluice'), top('bittorrent-tracker'));
        const [ours, theirs] = [held.sluice.get(common), held['bittorrent-tracker'].get(common)];
        console.log(`  ratio ${kind.padEnd(4)} open loop: held rate ${(top('sluice') / top('bittorrent-tracker')).toFixed(2)}x` +
          (ours && theirs ? `; at ${common}/s (both hold) per tracker CPU-s ${(ours.perCpu / theirs.perCpu).toFixed(2)}x, p99 ${ours.p99.toFixed(1)} vs ${theirs.p99.toFixed(1)} ms` : ''));
      }
    }
  } finally {
    for (const { child } of Object.values(procs)) child.kill();
  }
}

const all = [];
for (let run = 0; run < RUNS; run++) {
  // Every tracker in each run, the order rotated from run to run.
  const names = arg('trackers', null)?.split(',') ?? Object.keys(TRACKERS);
  const order = names.map((_, i) => names[(i + run) % names.length]);
  const results = {};
  console.log(`run ${run + 1} (${load()})`);
  for (const name of order) {
    const { child, port } = await start(TRACKERS[name]);
    try {
      const r = {};
      if (ONLY !== 'ws') r.http = await measure(child.pid, port, 'http', { fill: true });
      if (ONLY !== 'http') r.ws = await measure(child.pid, port, 'ws');
      for (const kind of ['http', 'ws']) if (r[kind]) console.log(`  ${name.padEnd(18)} ${kind.padEnd(4)} ${show(r[kind])}`);
      results[name] = r;
    } finally {
      child.kill();
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve()));
    }
  }
  if (!results.sluice || !results['bittorrent-tracker']) continue;
  const ratio = (kind, key) => (results.sluice[kind]?.[key] / results['bittorrent-tracker'][kind]?.[key]).toFixed(2);
  for (const kind of ['http', 'ws']) {
    if (!results.sluice[kind]) continue;
    console.log(`  ratio ${kind.padEnd(4)} Sluice / bittorrent-tracker, closed loop: announces/s ${ratio(kind, 'rate')}x, per tracker CPU-s ${ratio(kind, 'perCpu')}x`);
  }
  all.push(results);
}
if (OPEN) await openInterleaved(arg('trackers', null)?.split(',') ?? ['sluice', 'bittorrent-tracker']);
console.log(`done (${load()})`);
