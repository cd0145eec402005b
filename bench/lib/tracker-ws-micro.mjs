// In-process microbenchmark of the WebSocket announce path: no sockets, no kernel. Pre-built announce
// frames (the shape bench/lib/tracker-load.mjs sends: no offers, numwant 0; 64 clients, each one peer id
// announcing on 4 torrents in turn) are fed to the tracker's handler and the replies are sunk. Reports
// CPU µs per announce (process.cpuUsage, so time the process is preempted on a busy machine is not
// counted), the median of several batches, implementations alternating batch by batch.
//
// Implementations:
//   sluice          the build in ./build (npm run build:sidecar), frames fed to the tracker's TCP-level
//                   handler: masked frame in (a fresh copy per message, as each socket read is), unmask,
//                   UTF-8 check, parse, registry, reply framed and "written" to a sink
//   sluice-handler  the same from the unmasked payload on (WsRelay's message handler)
//   reference       bittorrent-tracker 11's server, its onWebSocketConnection fed the same payload as a
//                   `ws` socket would (a Buffer per message), the reply framed as WsSocket frames ours
//                   (so both include making the reply frame; neither includes `ws`'s or our input framing)
//   --extra NAME=DIR  another build of Sluice (a copy of ./build, e.g. before a change), run as `sluice`
//
// Usage: node bench/lib/tracker-ws-micro.mjs [--batches 9] [--announces 40000] [--only sluice,reference]
//                                            [--extra before=/tmp/build-before]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { maskedTextFrame } from './ws-client-frame.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
};
const BATCHES = Number(arg('batches', 9));
const ANNOUNCES = Number(arg('announces', 40_000));
const CLIENTS = 64;
const TORRENTS = 500;

const torrents = Array.from({ length: TORRENTS }, () => randomBytes(20));
const clients = Array.from({ length: CLIENTS }, (_, c) => {
  const peerId = randomBytes(20).toString('latin1');
  return [0, 1, 2, 3].map((k) =>
    Buffer.from(JSON.stringify({
      action: 'announce', info_hash: torrents[(c * 4 + k) % TORRENTS].toString('latin1'), peer_id: peerId,
      numwant: 0, uploaded: 0, downloaded: 0, left: 100, offers: [],
    }), 'utf8'));
});

const maskedFrames = clients.map((frames) => frames.map(maskedTextFrame));

const CHUNK = 256;
const turn = () => new Promise((r) => setImmediate(r));
/** Runs `one(i)` for i < n, CHUNK at a time with a turn of the event loop between chunks. */
const chunked = (one) => async (n) => {
  for (let i = 0; i < n; ) {
    const end = Math.min(n, i + CHUNK);
    for (; i < end; i++) one(i);
    await turn();
  }
};

/** Reply bytes sunk, so the work cannot be optimised away, and a reply count to check against. */
const sink = { bytes: 0, replies: 0, failures: 0 };

/** A byte stream stand-in with what WsSocket and the upgrade use; writes are counted and dropped. */
function fakeSocket() {
  const handlers = {};
  return {
    handlers,
    remoteAddress: '127.0.0.1',
    writableLength: 0,
    on(event, fn) { handlers[event] = fn; return this; },
    once(event, fn) { handlers[event] = fn; return this; },
    write(chunk) {
      sink.bytes += chunk.length;
      sink.replies++;
      if (chunk.length > 2 && chunk.indexOf('failure') >= 0) sink.failures++;
      return true;
    },
    cork() {},
    uncork() {},
    end() {},
    destroy() {},
    setNoDelay() { return this; },
    setTimeout() { return this; },
  };
}

async function sluice(dir, mode) {
  const { TrackerService } = await import(pathToFileURL(resolve(dir, 'sidecar/src/tracker-server/service.js')).href);
  const service = new TrackerService({ maxMessagesPerMinute: 1e9 });
  const sockets = clients.map(() => {
    const socket = fakeSocket();
    service.handleUpgrade({ headers: { 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' }, socket: { remoteAddress: '127.0.0.1' } }, socket, Buffer.alloc(0));
    return socket;
  });
  if (mode === 'framed') {
    return chunked((i) => {
      const c = i % CLIENTS;
      const template = maskedFrames[c][(i >> 6) & 3];
      const chunk = Buffer.allocUnsafe(template.length);
      template.copy(chunk);
      sockets[c].handlers.data(chunk);
    });
  }
  const relay = service.ws;
  const connections = [...relay.connections];
  return chunked((i) => {
    const c = i % CLIENTS;
    relay.onMessage(connections[c], clients[c][(i >> 6) & 3]);
  });
}

async function reference() {
  const { Server } = await import('bittorrent-tracker');
  const { EventEmitter } = await import('node:events');
  const server = new Server({ http: false, udp: false, ws: false, stats: false });
  server.on('warning', () => {});
  const header = (length) => (length < 126 ? 2 : length < 65536 ? 4 : 10);
  const sockets = clients.map(() => {
    const ws = new EventEmitter();
    ws.upgradeReq = { headers: {}, connection: { remoteAddress: '127.0.0.1', remotePort: 40000 } };
    // What ws's sender does at least: the frame's bytes in one buffer.
    ws.send = (text, cb) => {
      const length = Buffer.byteLength(text);
      const frame = Buffer.allocUnsafe(header(length) + length);
      frame[0] = 0x81;
      frame[1] = length;
      frame.write(text, header(length), 'utf8');
      sink.bytes += frame.length;
      sink.replies++;
      if (frame.indexOf('failure') >= 0) sink.failures++;
      cb?.();
    };
    server.onWebSocketConnection(ws);
    return ws;
  });
  // Its swarm lookups answer on process.nextTick: the replies of a chunk are out once the chunk's
  // macrotask ends. Every implementation runs in the same chunks (CHUNK messages, then setImmediate).
  return chunked((i) => {
    const c = i % CLIENTS;
    sockets[c].emit('message', clients[c][(i >> 6) & 3], false);
  });
}

const impls = {};
const only = arg('only', null)?.split(',');
const want = (name) => only === undefined || only.includes(name);
if (want('sluice')) impls.sluice = await sluice('build', 'framed');
if (want('sluice-handler')) impls['sluice-handler'] = await sluice('build', 'handler');
if (want('reference')) impls.reference = await reference();
process.argv.forEach((a, i) => {
  if (a !== '--extra') return;
  const [name, dir] = process.argv[i + 1].split('=');
  impls[name] = dir;
});
for (const [name, value] of Object.entries(impls)) {
  if (typeof value === 'string') impls[name] = await sluice(value, name.endsWith('-handler') ? 'handler' : 'framed');
}

const load = () => execFileSync('uptime', { encoding: 'utf8' }).trim().replace(/.*load average: /, 'load ');
console.log(`${ANNOUNCES} announces per batch, ${BATCHES} batches, ${CLIENTS} clients x 4 torrents (${load()})`);
const names = Object.keys(impls);
const samples = Object.fromEntries(names.map((n) => [n, []]));
for (const name of names) {
  // Warm up: every peer announced, the JIT settled.
  await impls[name](ANNOUNCES);
}
for (let b = 0; b < BATCHES; b++) {
  const order = b % 2 === 0 ? names : [...names].reverse();
  for (const name of order) {
    sink.replies = 0;
    sink.failures = 0;
    const cpu0 = process.cpuUsage();
    await impls[name](ANNOUNCES);
    const cpu = process.cpuUsage(cpu0);
    if (sink.replies !== ANNOUNCES || sink.failures !== 0) throw new Error(`${name}: ${sink.replies} replies, ${sink.failures} failures for ${ANNOUNCES} announces`);
    samples[name].push((cpu.user + cpu.system) / ANNOUNCES);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const name of names) {
  const s = samples[name];
  console.log(`${name.padEnd(16)} ${median(s).toFixed(2)} µs/announce (median; min ${Math.min(...s).toFixed(2)}, max ${Math.max(...s).toFixed(2)})`);
}
if (samples.reference) for (const name of names.filter((n) => n !== 'reference')) {
  console.log(`reference / ${name}: ${(median(samples.reference) / median(samples[name])).toFixed(2)}x`);
}
console.log(`done (${load()})`);
