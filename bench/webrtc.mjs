// WebRTC transfer on loopback, Node → Node, in one run (issue 5):
//   webtorrent → webtorrent  webtorrent 3 seeder and downloader, each in its own process (bench/lib/wt-webrtc.mjs)
//   Sluice → Sluice          `sluice seed X.torrent` and `sluice download MAGNET` (the CLI), WebRTC only
//   raw data channel         Sluice's node-datachannel connector and Transport with the tuning it ships
//                            (DEFAULT_DATA_CHANNEL_TUNING, printed), no BitTorrent: the limit
// Both BitTorrent pairs meet through the same bittorrent-tracker WebSocket server on 127.0.0.1 (in this
// process), no STUN, ICE bound to 127.0.0.1, and move the same file with the same .torrent (1 MiB
// pieces, made by Sluice's creator) from a magnet link. For each: throughput from the downloader's
// spawn and from the first payload byte, set-up time, CPU seconds per GiB of each side during the
// transfer, peak RSS; every download is checked (size and SHA-1) so a broken run cannot look fast.
// The figures are in docs/benchmarks.md (WebRTC). Needs the built sidecar (`npm run bench`).
// Usage: node bench/webrtc.mjs [--size MiB=1024] [--only webtorrent,sluice,raw] [--profile DIR]
//   --profile: Sluice's seeder and downloader run with --cpu-prof into DIR
import { fork, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import bencode from 'bencode';
import { Server } from 'bittorrent-tracker';
import { createTorrentFromPath } from '../build/sidecar/src/create/index.js';
import { DEFAULT_NATIVE_MTU, isLoopbackAddress, LOOPBACK_MTU, NodeRtcConnector, shutdownWebRtc } from '../build/sidecar/src/webrtc/node-rtc-connector.js';
import { DEFAULT_DATA_CHANNEL_TUNING as TUNING } from '../build/src/core/ports/rtc.js';
import { cachedSha1, dropCaches, ensureRandomFile, median, MIB, ROOT, sha1File, warm, WORK } from './lib/work.mjs';

const PY = '/usr/bin/python3';
const LIB = join(ROOT, 'bench', 'lib');
const CLI = join(ROOT, 'sidecar', 'bin', 'sluice.js');
const PROBE = pathToFileURL(join(LIB, 'rtc-probe.mjs')).href;
const GIB = 1024 * MIB;
const KIB = 1024;
const RUN_TIMEOUT_MS = 10 * 60_000;
const CLK_TCK = 100;
const SLUICE_RTC = ['--no-tcp', '--no-stun', '--webrtc-host', '127.0.0.1', '--json'];
const RAW_LOOPBACK = { iceServers: [], bindAddress: '127.0.0.1' };
/**
 * The MTU each pair's native stack sizes packets for. Sluice (and the raw channel, through the same connector)
 * bound to 127.0.0.1 use LOOPBACK_MTU; webtorrent's webrtc-polyfill sets none, so libdatachannel's default.
 */
const MTU = { webtorrent: DEFAULT_NATIVE_MTU, sluice: isLoopbackAddress('127.0.0.1') ? LOOPBACK_MTU : DEFAULT_NATIVE_MTU, raw: new NodeRtcConnector(RAW_LOOPBACK).mtu };
const RAW_WRITE = 256 * KIB;
/** The raw channel runs with the tuning Sluice ships (its messages: this size, unless the far side allows less). */
const RAW_MESSAGE = TUNING.messageSize;
const RAW_SETUPS = 10;

const now = () => performance.timeOrigin + performance.now();
const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
const load = () => loadavg()[0].toFixed(1);

function nextMessage(child, type) {
  return new Promise((resolve, reject) => {
    const on = (m) => {
      if (m.type !== type) return;
      child.off('message', on);
      child.off('exit', gone);
      resolve(m);
    };
    const gone = (code) => reject(new Error(`raw ${type}: the child exited (${code}) first`));
    child.on('message', on);
    child.once('exit', gone);
  });
}

// ---------------------------------------------------------------- raw data channel (children) ----

function rawCpu(since) {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

/** Answers offers; counts and checks what arrives: each 64 KiB message starts with its index. */
async function rawReceiver() {
  const connector = new NodeRtcConnector(RAW_LOOPBACK);
  process.on('message', async (msg) => {
    if (msg.type === 'quit') {
      connector.close();
      setTimeout(() => {
        shutdownWebRtc();
        process.exit(0);
      }, 300);
      return;
    }
    if (msg.type !== 'offer') return;
    const accepted = await connector.acceptOffer(msg.sdp);
    process.send({ type: 'answer', sdp: accepted.answerSdp });
    let transport;
    try {
      transport = await accepted.connected;
    } catch {
      return; // The sender sees its side fail too and starts over.
    }
    let received = 0;
    let index = 0;
    let bad = null;
    let cpuStart = null;
    let firstAt = 0;
    transport.attach({
      data(chunk) {
        if (cpuStart === null) {
          cpuStart = process.cpuUsage();
          firstAt = now();
        }
        if (bad === null) {
          const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          if (chunk.length !== RAW_MESSAGE && received + chunk.length !== msg.expect) bad = `message ${index} is ${chunk.length} bytes, not ${RAW_MESSAGE}`;
          else if (view.getUint32(0) !== index) bad = `message ${index} carries index ${view.getUint32(0)}`;
        }
        index++;
        received += chunk.length;
        if (received === msg.expect) {
          process.send({ type: 'done', cpu: rawCpu(cpuStart), firstAt, doneAt: now(), received, bad, maxRssKiB: process.resourceUsage().maxRSS });
        }
      },
      drain() {},
      close() {},
    });
    // A set-up round (expect 0) reports nothing: a late 'done' from it was once taken for the transfer's.
  });
  process.send({ type: 'ready' });
}

/** Offers (through the parent, to the receiver), then writes `total` bytes 256 KiB at a time. */
async function rawSender() {
  let attempts = 0;
  let failed = 0;
  const connect = async (expect) => {
    for (;;) {
      attempts++;
      const connector = new NodeRtcConnector({ ...RAW_LOOPBACK, connectTimeoutMs: 5000 });
      const started = now();
      const offer = await connector.createOffer();
      const answered = nextMessage(process, 'answer');
      process.send({ type: 'offer', sdp: offer.sdp, expect });
      try {
        const transport = await offer.complete((await answered).sdp);
        return { transport, started, setupMs: now() - started };
      } catch {
        failed++; // libdatachannel's set-up race (docs/webrtc.md): retried, and counted.
      }
    }
  };
  process.on('message', async (msg) => {
    if (msg.type === 'quit') {
      setTimeout(() => {
        shutdownWebRtc();
        process.exit(0);
      }, 300);
      return;
    }
    if (msg.type === 'setups') {
      const times = [];
      for (let i = 0; i < msg.count; i++) {
        const { transport, setupMs } = await connect(0);
        times.push(setupMs);
        transport.close();
      }
      process.send({ type: 'setups-done', times, attempts, failed });
      return;
    }
    if (msg.type !== 'send') return;
    const { transport, started, setupMs } = await connect(msg.total);
    let drained = () => {};
    transport.attach({ data() {}, drain: () => drained(), close() {} });
    const block = new Uint8Array(RAW_WRITE).fill(0x5a);
    const view = new DataView(block.buffer);
    const cpuStart = process.cpuUsage();
    let index = 0;
    for (let sent = 0; sent < msg.total; sent += RAW_WRITE) {
      for (let at = 0; at < RAW_WRITE; at += RAW_MESSAGE) view.setUint32(at, index++);
      // The transport may keep what it is given, so each write gets its own buffer, as the engine's do.
      if (!transport.write(block.slice())) await new Promise((r) => (drained = r));
    }
    process.send({ type: 'sent', started, setupMs, cpu: rawCpu(cpuStart), maxRssKiB: process.resourceUsage().maxRSS, attempts, failed });
    process.once('message', (m) => {
      if (m.type === 'close') transport.close();
    });
  });
  process.send({ type: 'ready' });
}

async function runRaw(total) {
  const self = fileURLToPath(import.meta.url);
  const receiver = fork(self, ['--raw-receiver'], { stdio: 'inherit' });
  const sender = fork(self, ['--raw-sender'], { stdio: 'inherit' });
  await Promise.all([nextMessage(receiver, 'ready'), nextMessage(sender, 'ready')]);
  // Signalling is this process relaying one offer and one answer over IPC.
  sender.on('message', (m) => m.type === 'offer' && receiver.send(m));
  receiver.on('message', (m) => m.type === 'answer' && sender.send(m));
  sender.send({ type: 'setups', count: RAW_SETUPS });
  const setups = await nextMessage(sender, 'setups-done');
  const loadBefore = load();
  const received = nextMessage(receiver, 'done');
  sender.send({ type: 'send', total });
  const sent = await nextMessage(sender, 'sent');
  const got = await received;
  sender.send({ type: 'close' });
  if (got.bad !== null || got.received !== total) throw new Error(`raw: the receiver got ${got.received} bytes (want ${total}): ${got.bad}`);
  const gib = total / GIB;
  const result = {
    name: 'raw',
    load: `${loadBefore}→${load()}`,
    rateTotal: total / MIB / ((got.doneAt - sent.started) / 1000),
    rateConnected: total / MIB / ((got.doneAt - got.firstAt) / 1000),
    setupS: sent.setupMs / 1000,
    signalS: NaN,
    setupMedianMs: median(setups.times),
    downCpuPerGib: got.cpu / gib,
    upCpuPerGib: sent.cpu / gib,
    downRssMiB: got.maxRssKiB / 1024,
    upRssMiB: sent.maxRssKiB / 1024,
    downWholeCpu: NaN,
    upWholeCpu: NaN,
    note: `set-up median of ${RAW_SETUPS}: ${fmt(median(setups.times), 1)} ms; failed set-ups retried: ${sent.failed} of ${sent.attempts}; every ${RAW_MESSAGE / KIB} KiB message checked in order`,
  };
  receiver.send({ type: 'quit' });
  sender.send({ type: 'quit' });
  await Promise.all([new Promise((r) => receiver.once('exit', r)), new Promise((r) => sender.once('exit', r))]);
  return result;
}

// ------------------------------------------------------------------- BitTorrent over WebRTC ----

/** CPU seconds (user + system, every thread) of a live process, from /proc/<pid>/stat. */
function procCpu(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** The process measure.py started (its only child). */
async function measuredPid(wrapper) {
  for (let i = 0; i < 200; i++) {
    try {
      const kids = readFileSync(`/proc/${wrapper.pid}/task/${wrapper.pid}/children`, 'utf8').trim();
      if (kids) return Number(kids.split(' ')[0]);
    } catch {
      // Not there yet.
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('could not find the measured process');
}

/** A command under bench/lib/measure.py, its stdout and stderr as lines. */
function measured(name, command, { stdin = 'ignore' } = {}) {
  const resultPath = join(WORK, `measure-webrtc-${name}.json`);
  rmSync(resultPath, { force: true });
  const child = spawn(PY, [join(LIB, 'measure.py'), resultPath, ...command], { stdio: [stdin, 'pipe', 'pipe'] });
  const out = [];
  const err = [];
  const watchers = [];
  const onLine = (store) => (line) => {
    store.push(line);
    for (const w of [...watchers]) {
      if (w.match(line)) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  createInterface({ input: child.stdout }).on('line', onLine(out));
  createInterface({ input: child.stderr }).on('line', onLine(err));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const transcript = () => `--- stdout\n${out.slice(-10).join('\n')}\n--- stderr\n${err.slice(-20).join('\n')}`;
  return {
    child,
    pid: measuredPid(child),
    exited,
    transcript,
    /** The first line (stdout or stderr) matching, seen or to come; rejects if the process ends first. */
    line(match, giveUpMs = RUN_TIMEOUT_MS) {
      const seen = [...out, ...err].find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: gave up waiting\n${transcript()}`)), giveUpMs);
        const w = {
          match,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        };
        watchers.push(w);
        exited.then(({ code, signal }) => {
          if (!watchers.includes(w)) return;
          clearTimeout(timer);
          reject(new Error(`${name} ended (${code ?? signal}) before the awaited line\n${transcript()}`));
        });
      });
    },
    result: () => (existsSync(resultPath) ? JSON.parse(readFileSync(resultPath, 'utf8')) : null),
  };
}

const probeAt = (event) => (line) => line.startsWith('probe ') && JSON.parse(line.slice(6)).event === event;
const probeTime = (line) => JSON.parse(line.slice(6)).at;

/** How each pair is started, and which lines say "seeding" and "complete". */
function pairs(torrentPath, magnet, wsUrl, dataDir, profileDir) {
  const prof = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const state = () => mkdtempSync(join(tmpdir(), 'sluice-bench-rtc-state-'));
  return {
    webtorrent: {
      seeder: () => [process.execPath, join(LIB, 'wt-webrtc.mjs'), 'seed', torrentPath, dataDir, wsUrl],
      seeding: (line) => line.includes('"ready":true'),
      stopSeeder: (s) => s.child.stdin.end(),
      downloader: (out) => [process.execPath, '--import', PROBE, join(LIB, 'wt-webrtc.mjs'), 'download', magnet, out],
      complete: (line) => line.includes('"done":true'),
    },
    sluice: {
      seeder: () => [process.execPath, ...prof, CLI, 'seed', torrentPath, '--data', dataDir, '--tracker', wsUrl, ...SLUICE_RTC, '--state', state()],
      seeding: (line) => line.startsWith('{"infoHash"'),
      stopSeeder: (s) => s.child.kill('SIGTERM'),
      downloader: (out) => [process.execPath, '--import', PROBE, ...prof, CLI, 'download', magnet, ...SLUICE_RTC, '--out', out, '--state', state()],
      complete: (line) => /"state":"(seeding|done)"/.test(line),
    },
  };
}

async function startTracker(infoHash) {
  const server = new Server({ http: false, udp: false, ws: true, stats: false });
  server.on('warning', () => {});
  server.on('error', () => {});
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const announces = [];
  // The downloader's first announce (left > 0) starts WebRTC signalling: it carries its offers.
  for (const event of ['start', 'update']) {
    server.on(event, (_addr, params) => {
      if (params.info_hash === infoHash && Number(params.left) > 0) announces.push(now());
    });
  }
  return {
    url: `ws://127.0.0.1:${server.http.address().port}`,
    firstDownloaderAnnounce: () => announces[0] ?? NaN,
    seeders: () => server.torrents[infoHash]?.complete ?? 0,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      setTimeout(resolve, 2000).unref();
    }),
  };
}

async function runPair(name, file, torrentPath, infoHash, profileDir) {
  const size = statSync(file).size;
  const expected = cachedSha1(file);
  const tracker = await startTracker(infoHash);
  const magnet = `magnet:?xt=urn:btih:${infoHash}&tr=${encodeURIComponent(tracker.url)}`;
  const pair = pairs(torrentPath, magnet, tracker.url, WORK, profileDir)[name];
  const out = join(WORK, `out-webrtc-${name}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  if (!dropCaches()) console.log('note: could not drop the page cache (not root?): runs only warm the source file');
  warm(file);

  const seeder = measured(`${name}-seeder`, pair.seeder(), { stdin: 'pipe' });
  await seeder.line(pair.seeding, 120_000);
  for (let i = 0; tracker.seeders() < 1; i++) {
    if (i > 3000) throw new Error(`${name}: the seeder never announced as complete\n${seeder.transcript()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const seederPid = await seeder.pid;
  const loadBefore = load();

  const spawnedAt = now();
  const downloader = measured(`${name}-downloader`, pair.downloader(out));
  const downloaderPid = await downloader.pid;
  const firstMessage = probeTime(await downloader.line(probeAt('first-message')));
  const firstPayload = probeTime(await downloader.line(probeAt('first-payload')));
  const cpuAtPayload = { down: procCpu(downloaderPid), up: procCpu(seederPid) };
  await downloader.line(pair.complete);
  const doneAt = now();
  const cpuAtDone = { down: procCpu(downloaderPid), up: procCpu(seederPid) };
  const loadAfter = load();
  const how = await downloader.exited;
  pair.stopSeeder(seeder);
  const seederTimer = setTimeout(() => seeder.child.kill('SIGKILL'), 10_000);
  await seeder.exited;
  clearTimeout(seederTimer);
  await tracker.close();
  const down = downloader.result();
  const up = seeder.result();
  if (how.code !== 0 || down === null || up === null) throw new Error(`${name}: the downloader exited ${how.code ?? how.signal}\n${downloader.transcript()}`);

  const written = join(out, `bench-${size}.bin`);
  const got = existsSync(written) ? statSync(written).size : -1;
  const sha1 = got === size ? sha1File(written) : null;
  if (sha1 !== expected) throw new Error(`${name} wrote a wrong file: size ${got} (want ${size}), sha1 ${sha1} (want ${expected})`);
  rmSync(out, { recursive: true, force: true });

  const gib = size / GIB;
  const announcedAt = tracker.firstDownloaderAnnounce();
  return {
    name,
    load: `${loadBefore}→${loadAfter}`,
    rateTotal: size / MIB / ((doneAt - spawnedAt) / 1000),
    rateConnected: size / MIB / ((doneAt - firstPayload) / 1000),
    setupS: (firstMessage - spawnedAt) / 1000,
    signalS: (firstMessage - announcedAt) / 1000,
    toAnnounceS: (announcedAt - spawnedAt) / 1000,
    downCpuPerGib: (cpuAtDone.down - cpuAtPayload.down) / gib,
    upCpuPerGib: (cpuAtDone.up - cpuAtPayload.up) / gib,
    downRssMiB: down.maxRssKiB / 1024,
    upRssMiB: up.maxRssKiB / 1024,
    downWholeCpu: down.cpu,
    upWholeCpu: up.cpu,
    note: `spawn → first announce ${fmt((announcedAt - spawnedAt) / 1000, 2)} s, announce → first message ${fmt((firstMessage - announcedAt) / 1000, 2)} s; whole-process CPU downloader ${fmt(down.cpu, 1)} s, seeder ${fmt(up.cpu, 1)} s (start-up included); file size and SHA-1 checked`,
  };
}

async function ensureTorrent(file) {
  const path = `${file}.torrent`;
  if (!existsSync(path) || statSync(path).mtimeMs < statSync(file).mtimeMs) {
    const created = await createTorrentFromPath(file, { pieceLength: MIB });
    writeFileSync(path, created.torrent);
  }
  const info = bencode.decode(readFileSync(path)).info;
  return { path, infoHash: createHash('sha1').update(bencode.encode(info)).digest('hex') };
}

// ------------------------------------------------------------------------------------- main ----

async function main() {
  const argv = process.argv.slice(2);
  const opt = (flag) => {
    const at = argv.indexOf(flag);
    return at === -1 ? null : argv[at + 1];
  };
  const sizeMiB = Number(opt('--size') ?? 1024);
  if (!Number.isInteger(sizeMiB) || sizeMiB < 16) throw new Error('--size takes a whole number of MiB, at least 16');
  const only = (opt('--only') ?? 'webtorrent,sluice,raw').split(',');
  const profileDir = opt('--profile');
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const size = sizeMiB * MIB;

  const file = ensureRandomFile(`bench-${size}.bin`, size);
  const { path: torrentPath, infoHash } = await ensureTorrent(file);
  cachedSha1(file);
  console.log(`WebRTC transfer of ${sizeMiB} MiB on loopback (1 MiB pieces, magnet link, bittorrent-tracker ws:// on 127.0.0.1, no STUN)`);
  console.log(`machine: ${cpus().length} cores; load average at the start ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`data-channel tuning (Sluice and raw): ${TUNING.messageSize / KIB} KiB messages, ${TUNING.highWaterMark / KIB} KiB high / ${TUNING.lowWaterMark / KIB} KiB low water`);

  const results = {};
  for (const name of ['webtorrent', 'sluice', 'raw']) {
    if (!only.includes(name)) continue;
    const r = name === 'raw' ? await runRaw(size) : await runPair(name, file, torrentPath, infoHash, profileDir);
    results[name] = r;
    console.log(`${name}: ${fmt(r.rateConnected, 1)} MiB/s connected, ${fmt(r.rateTotal, 1)} MiB/s with set-up; set-up ${fmt(r.setupS, 2)} s; load ${r.load}`);
    console.log(`  ${r.note}`);
  }

  console.log('\npair        MiB/s with set-up  MiB/s connected  set-up s  announce→conn s  CPU s/GiB down  CPU s/GiB up  peak RSS down/up MiB   MTU  load');
  for (const r of Object.values(results)) {
    console.log(
      `${r.name.padEnd(12)}${fmt(r.rateTotal, 1).padStart(17)}${fmt(r.rateConnected, 1).padStart(17)}${fmt(r.setupS, 2).padStart(10)}${fmt(r.signalS, 2).padStart(17)}` +
        `${fmt(r.downCpuPerGib, 2).padStart(16)}${fmt(r.upCpuPerGib, 2).padStart(14)}${`${fmt(r.downRssMiB)} / ${fmt(r.upRssMiB)}`.padStart(22)}${String(MTU[r.name]).padStart(6)}  ${r.load}`,
    );
  }
  console.log('set-up: downloader spawn → first data-channel message (raw: offer → open, no process start); CPU: each process, all threads, from the first payload byte to completion');
  const S = results.sluice;
  const W = results.webtorrent;
  const R = results.raw;
  const mark = (ok) => (ok ? 'met' : 'NOT met');
  if (S && W) {
    const t = S.rateConnected / W.rateConnected;
    console.log(`\nSluice/webtorrent throughput once connected: ${fmt(t, 2)}x (target ≥ 1.25x: ${mark(t >= 1.25)}); with set-up ${fmt(S.rateTotal / W.rateTotal, 2)}x`);
    console.log(`Sluice/webtorrent CPU per GiB: downloader ${fmt(S.downCpuPerGib / W.downCpuPerGib, 2)}x, seeder ${fmt(S.upCpuPerGib / W.upCpuPerGib, 2)}x (target ≤ 1: ${mark(S.downCpuPerGib <= W.downCpuPerGib && S.upCpuPerGib <= W.upCpuPerGib)})`);
    console.log(`Sluice/webtorrent peak RSS: downloader ${fmt(S.downRssMiB / W.downRssMiB, 2)}x, seeder ${fmt(S.upRssMiB / W.upRssMiB, 2)}x`);
  }
  if (S) console.log(`Sluice set-up: ${fmt(S.setupS, 2)} s from spawn, ${fmt(S.signalS, 2)} s from its announce (target < 0.5 s: ${mark(S.setupS < 0.5)} from spawn, ${mark(S.signalS < 0.5)} from the announce)`);
  if (S && R) {
    const t = S.rateConnected / R.rateConnected;
    console.log(`Sluice/raw data-channel limit: ${fmt(t, 2)}x (target ≥ 0.9x: ${mark(t >= 0.9)}); CPU per GiB Sluice/raw: downloader ${fmt(S.downCpuPerGib / R.downCpuPerGib, 2)}x, seeder ${fmt(S.upCpuPerGib / R.upCpuPerGib, 2)}x`);
  }
  console.log(`load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  shutdownWebRtc();
  process.exit(0);
}

if (process.argv.includes('--raw-receiver')) await rawReceiver();
else if (process.argv.includes('--raw-sender')) await rawSender();
else await main();
