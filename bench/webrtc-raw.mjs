// Raw WebRTC data-channel throughput, Node → Node, in two processes on loopback, through Sluice's
// node-datachannel connector and data-channel Transport (no BitTorrent on top). For each message size
// and high-water mark: MiB/s, and CPU seconds per GiB moved for the sender and for the receiver.
// Also connection set-up time (createOffer → both sides open; signalling over IPC, no tracker).
// The figures and the defaults chosen from them are in docs/webrtc.md. Needs the built sidecar.
// Usage: node bench/webrtc-raw.mjs [MiB per run=256]
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NodeRtcConnector, shutdownWebRtc } from '../build/sidecar/src/webrtc/node-rtc-connector.js';

const KIB = 1024;
const MIB = 1024 * KIB;
const LOOPBACK = { iceServers: [], bindAddress: '127.0.0.1' };
const MESSAGE_SIZES = [16 * KIB, 64 * KIB, 256 * KIB];
const HIGH_WATER_MARKS = [256 * KIB, 1 * MIB, 4 * MIB];
const SETUP_ROUNDS = 20;
const WRITE_SIZE = 256 * KIB;

function cpuSeconds(since) {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

// ---- receiver (child process): answers offers, counts bytes, reports its CPU per run ----
async function receiver() {
  const connector = new NodeRtcConnector(LOOPBACK);
  process.on('message', async (msg) => {
    if (msg.type === 'quit') {
      connector.close();
      shutdownWebRtc();
      process.exit(0);
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
    let cpuStart = null;
    transport.attach({
      data(chunk) {
        if (cpuStart === null) cpuStart = process.cpuUsage();
        received += chunk.length;
        if (received === msg.expect) process.send({ type: 'done', cpu: cpuSeconds(cpuStart) });
      },
      drain() {},
      close() {},
    });
    if (msg.expect === 0) process.send({ type: 'done', cpu: 0 });
  });
  process.send({ type: 'ready' });
}

// ---- sender (this process) ----
function nextMessage(child, type) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (m.type !== type) return;
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
  });
}

let attempts = 0;
let failedSetups = 0;

/** Retries a failed set-up (a native race hits ~0.5% of them, see docs/webrtc.md) and counts it. */
async function connect(child, tuning, expect) {
  for (;;) {
    attempts++;
    const connector = new NodeRtcConnector({ ...LOOPBACK, tuning, connectTimeoutMs: 5000 });
    const started = performance.now();
    const offer = await connector.createOffer();
    const answered = nextMessage(child, 'answer');
    child.send({ type: 'offer', sdp: offer.sdp, expect });
    try {
      const transport = await offer.complete((await answered).sdp);
      return { transport, setupMs: performance.now() - started };
    } catch (err) {
      failedSetups++;
      console.log(`  (set-up failed, retrying: ${err.message})`);
    }
  }
}

async function transfer(child, tuning, total) {
  const { transport } = await connect(child, tuning, total);
  const done = nextMessage(child, 'done');
  let drained = () => {};
  transport.attach({ data() {}, drain: () => drained(), close() {} });
  const block = new Uint8Array(WRITE_SIZE).fill(0x5a);
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  for (let sent = 0; sent < total; sent += WRITE_SIZE) {
    // The transport may keep what it is given, so each write gets its own buffer, as the engine's do.
    if (!transport.write(block.slice())) await new Promise((r) => (drained = r));
  }
  const { cpu: receiverCpu } = await done;
  const seconds = (performance.now() - started) / 1000;
  const senderCpu = cpuSeconds(cpuStart);
  transport.close();
  const gib = total / (1024 * MIB);
  return { mibps: total / MIB / seconds, senderCpuPerGib: senderCpu / gib, receiverCpuPerGib: receiverCpu / gib };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  const total = Math.max(16, Number(process.argv[2] ?? 256)) * MIB;
  const child = fork(fileURLToPath(import.meta.url), ['--receiver'], { stdio: 'inherit' });
  await nextMessage(child, 'ready');

  const setups = [];
  for (let i = 0; i < SETUP_ROUNDS; i++) {
    const { transport, setupMs } = await connect(child, {}, 0);
    await nextMessage(child, 'done');
    setups.push(setupMs);
    transport.close();
  }
  const sorted = [...setups].sort((a, b) => a - b);
  console.log(
    `connection set-up (offer → open, loopback, ${SETUP_ROUNDS} runs): median ${median(setups).toFixed(1)} ms, ` +
      `min ${sorted[0].toFixed(1)} ms, max ${sorted.at(-1).toFixed(1)} ms`,
  );

  console.log(`\nthroughput, ${total / MIB} MiB per run, sender writes ${WRITE_SIZE / KIB} KiB at a time`);
  console.log('message KiB | high-water KiB |   MiB/s | sender CPU s/GiB | receiver CPU s/GiB');
  console.log('------------|----------------|---------|------------------|-------------------');
  for (const messageSize of MESSAGE_SIZES) {
    for (const highWaterMark of HIGH_WATER_MARKS) {
      const tuning = { messageSize, highWaterMark, lowWaterMark: highWaterMark / 4 };
      const r = await transfer(child, tuning, total);
      console.log(
        `${String(messageSize / KIB).padStart(11)} | ${String(highWaterMark / KIB).padStart(14)} | ${r.mibps.toFixed(1).padStart(7)} | ` +
          `${r.senderCpuPerGib.toFixed(1).padStart(16)} | ${r.receiverCpuPerGib.toFixed(1).padStart(18)}`,
      );
    }
  }
  console.log(`\nset-ups that failed and were retried: ${failedSetups} of ${attempts}`);
  child.send({ type: 'quit' });
  await new Promise((r) => child.once('exit', r));
  shutdownWebRtc();
  process.exit(0);
}

if (process.argv.includes('--receiver')) await receiver();
else await main();
