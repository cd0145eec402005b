// Tracker throughput: announces per second each tracker sustains, with its latency, Sluice's tracker
// (`sluice tracker`) against bittorrent-tracker's server (the reference WebTorrent tracker), in the same
// run, each in its own process, driven by the same load from this process. HTTP announces over 64
// keep-alive connections, then WebSocket announces (no offers) over 64 sockets. Swarms: 500 torrents,
// 20 000 peers, so every reply carries up to 50 peers. Needs the build: `npm run build:sidecar`.
// Usage: node bench/tracker.mjs [seconds per run, default 5]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import WebSocket from 'ws';

const SECONDS = Number(process.argv[2] ?? 5);
const CONNECTIONS = 64;
const TORRENTS = 500;
const PEERS = 20_000;

const REFERENCE = `
import { Server } from 'bittorrent-tracker';
const server = new Server({ http: true, udp: false, ws: true, stats: false });
server.on('warning', () => {});
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.http.address().port }) + '\\n'));
`;

function start(args) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], cwd: process.cwd() });
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

const pct = (bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
const torrents = Array.from({ length: TORRENTS }, () => randomBytes(20));
const peers = Array.from({ length: PEERS }, (_, i) => ({ id: randomBytes(20), port: 1024 + (i % 60000), torrent: torrents[i % TORRENTS] }));

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

async function loadHttp(port, pid) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let next = 0;
  const latencies = [];
  let failures = 0;
  const get = (path) =>
    new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      });
      req.setTimeout(5000, () => req.destroy());
      req.on('error', () => resolve(null));
    });
  const announce = async () => {
    const p = peers[next++ % PEERS];
    const path = `/announce?info_hash=${pct(p.torrent)}&peer_id=${pct(p.id)}&port=${p.port}&uploaded=0&downloaded=0&left=${p.port % 3 === 0 ? 0 : 1000}&compact=1&numwant=50`;
    const t0 = process.hrtime.bigint();
    const body = await get(path);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (body === null || body.includes('failure reason')) failures++;
    return ms;
  };
  // Fill the swarms first, then measure.
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => { while (next < PEERS) await announce(); }));
  log("filled");
  const cpu0 = cpuSeconds(pid);
  const end = Date.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => { while (Date.now() < end) latencies.push(await announce()); }));
  const cpu = cpuSeconds(pid) - cpu0;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { rate: latencies.length / SECONDS, perCpu: latencies.length / cpu, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failures };
}

async function loadWs(port, pid) {
  const sockets = await Promise.all(
    Array.from({ length: CONNECTIONS }, () => new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}`);
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    })),
  );
  const latencies = [];
  let failures = 0;
  const cpu0 = cpuSeconds(pid);
  const end = Date.now() + SECONDS * 1000;
  await Promise.all(sockets.map(async (ws, c) => {
    const peerId = randomBytes(20).toString('latin1');
    let i = c;
    while (Date.now() < end) {
      // Each socket carries 4 torrents, as a browser tab with a few torrents would.
      const infoHash = torrents[(c * 4 + (i++ % 4)) % TORRENTS].toString('latin1');
      const t0 = process.hrtime.bigint();
      const reply = await new Promise((resolve) => {
        const timer = setTimeout(() => resolve({ 'failure reason': 'no reply in 5 s' }), 5000);
        ws.once('message', (d) => {
          clearTimeout(timer);
          resolve(JSON.parse(d.toString()));
        });
        ws.send(JSON.stringify({ action: 'announce', info_hash: infoHash, peer_id: peerId, numwant: 0, uploaded: 0, downloaded: 0, left: 100, offers: [] }));
      });
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (reply['failure reason']) failures++;
    }
  }));
  const cpu = cpuSeconds(pid) - cpu0;
  for (const ws of sockets) ws.terminate();
  latencies.sort((a, b) => a - b);
  return { rate: latencies.length / SECONDS, perCpu: latencies.length / cpu, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failures };
}

const show = (r) => `${Math.round(r.rate)} announces/s, ${Math.round(r.perCpu)} per tracker CPU-second (p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms${r.failures ? `, ${r.failures} failures` : ''})`;

// The Sluice tracker allows 120 WebSocket messages a minute per connection by default; the benchmark
// client is one trusted machine, so that bound is lifted for this run only via a tiny wrapper.
const SLUICE = `
import { startTrackerServer } from './build/sidecar/src/tracker-server/server.js';
const server = await startTrackerServer({ port: 0, maxMessagesPerMinute: 1e9 });
process.stdout.write(JSON.stringify({ port: server.port }) + '\\n');
`;

const results = {};
const log = (...a) => process.env.BENCH_DEBUG && console.error(...a);
for (const [name, script] of [['sluice', SLUICE], ['bittorrent-tracker', REFERENCE]]) {
  log("starting", name);
  const { child, port } = await start(['--input-type=module', '-e', script]);
  try {
    results[name] = { http: await loadHttp(port, child.pid), ws: await loadWs(port, child.pid) };
  } finally {
    child.kill();
  }
  console.log(`${name.padEnd(18)} HTTP ${show(results[name].http)}`);
  console.log(`${' '.repeat(18)} WS   ${show(results[name].ws)}`);
}
const ratio = (kind, key) => (results.sluice[kind][key] / results['bittorrent-tracker'][kind][key]).toFixed(2);
// On 2 shared cores the load generator (this process) limits announces/s; announces per tracker
// CPU-second is what the tracker itself can hold.
console.log(`ratio (Sluice / bittorrent-tracker), announces/s:          HTTP ${ratio('http', 'rate')}x, WebSocket ${ratio('ws', 'rate')}x`);
console.log(`ratio (Sluice / bittorrent-tracker), per tracker CPU-second: HTTP ${ratio('http', 'perCpu')}x, WebSocket ${ratio('ws', 'perCpu')}x (target >= 2x)`);
