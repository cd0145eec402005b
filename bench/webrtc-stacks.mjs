// Which native WebRTC stack for Node, by measurement: a raw data channel (no BitTorrent) between two
// Node processes on loopback, for node-datachannel (libdatachannel: libjuice ICE, usrsctp, OpenSSL DTLS)
// at its default SCTP MTU and at the loopback MTU Sluice uses on loopback paths, and for @roamhq/wrtc
// (Google's libwebrtc). Same message size and buffering for all: 64 KiB messages, 1 MiB high / 256 KiB
// low water. Rounds alternate the stacks; medians are printed with CPU seconds per GiB on each side.
// Usage: node bench/webrtc-stacks.mjs [MiB per run=256] [rounds=3]
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const MIB = 1024 * 1024;
const MESSAGE = 64 * 1024;
const HIGH = MIB;
const LOW = HIGH / 4;
// What Sluice ships on loopback paths (NodeRtcConnector): Chromium drops DTLS datagrams over 2048 bytes.
const LOOPBACK_MTU = 2048;

const STACKS = [
  { name: 'node-datachannel, default MTU', lib: 'ndc', mtu: null },
  { name: `node-datachannel, MTU ${LOOPBACK_MTU} (loopback)`, lib: 'ndc', mtu: LOOPBACK_MTU },
  { name: '@roamhq/wrtc (libwebrtc)', lib: 'wrtc', mtu: null },
];

function cpuSeconds(since) {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

// ---- one side of one transfer, in a child process ----
async function side(role, lib, mtu, total) {
  const send = (m) => process.send(m);
  const inbox = [];
  let wake = () => {};
  process.on('message', (m) => {
    inbox.push(m);
    wake();
  });
  const next = async (type) => {
    for (;;) {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return inbox.splice(i, 1)[0];
      await new Promise((r) => (wake = r));
    }
  };
  const ch = lib === 'ndc' ? await ndcChannel(role, mtu, send, next) : await wrtcChannel(role, send, next);
  if (role === 'receiver') {
    let got = 0;
    let cpu0 = null;
    ch.onData((n) => {
      cpu0 ??= process.cpuUsage();
      got += n;
      if (got >= total) send({ type: 'done', cpu: cpuSeconds(cpu0) });
    });
    return;
  }
  await ch.opened;
  const buf = new Uint8Array(MESSAGE).fill(0x5a);
  let sent = 0;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  await new Promise((resolve) => {
    const pump = () => {
      while (sent < total && ch.buffered() < HIGH) {
        ch.send(buf);
        sent += MESSAGE;
      }
      if (sent >= total) resolve();
    };
    ch.onLow(pump);
    pump();
  });
  const receiverDone = await next('receiver-done');
  send({ type: 'result', seconds: (performance.now() - started) / 1000, cpu: cpuSeconds(cpu0), receiverCpu: receiverDone.cpu });
}

async function ndcChannel(role, mtu, send, next) {
  const ndc = require('node-datachannel');
  const pc = new ndc.PeerConnection(role, { iceServers: [], bindAddress: '127.0.0.1', ...(mtu ? { mtu } : {}) });
  const gathered = new Promise((r) => pc.onGatheringStateChange((s) => s === 'complete' && r()));
  const keep = [];
  const wrap = (dc) => {
    keep.push(dc);
    dc.setBufferedAmountLowThreshold(LOW);
    return {
      opened: new Promise((r) => (dc.isOpen() ? r() : dc.onOpen(r))),
      send: (b) => dc.sendMessageBinary(b),
      buffered: () => dc.bufferedAmount(),
      onLow: (f) => dc.onBufferedAmountLow(f),
      onData: (f) => dc.onMessage((m) => f(m.length)),
    };
  };
  if (role === 'sender') {
    const ch = wrap(pc.createDataChannel('webtorrent'));
    await gathered;
    send({ type: 'offer', sdp: pc.localDescription().sdp });
    pc.setRemoteDescription((await next('answer')).sdp, 'answer');
    return ch;
  }
  const channel = new Promise((r) => pc.onDataChannel((dc) => r(wrap(dc))));
  pc.setRemoteDescription((await next('offer')).sdp, 'offer');
  await gathered;
  send({ type: 'answer', sdp: pc.localDescription().sdp });
  return await channel;
}

async function wrtcChannel(role, send, next) {
  const { RTCPeerConnection } = require('@roamhq/wrtc');
  const pc = new RTCPeerConnection({ iceServers: [] });
  const gathered = new Promise((r) => (pc.onicecandidate = (e) => e.candidate === null && r()));
  const wrap = (dc) => {
    dc.binaryType = 'arraybuffer';
    dc.bufferedAmountLowThreshold = LOW;
    return {
      opened: new Promise((r) => (dc.readyState === 'open' ? r() : (dc.onopen = r))),
      send: (b) => dc.send(b),
      buffered: () => dc.bufferedAmount,
      // 0.10.0 never fires 'bufferedamountlow' here: poll every millisecond instead.
      onLow: (f) => {
        const poll = () => {
          f();
          if (dc.readyState === 'open') setTimeout(poll, 1);
        };
        setTimeout(poll, 1);
      },
      onData: (f) => (dc.onmessage = (e) => f(e.data.byteLength)),
    };
  };
  if (role === 'sender') {
    const ch = wrap(pc.createDataChannel('webtorrent'));
    await pc.setLocalDescription(await pc.createOffer());
    await gathered;
    send({ type: 'offer', sdp: pc.localDescription.sdp });
    await pc.setRemoteDescription({ type: 'answer', sdp: (await next('answer')).sdp });
    return ch;
  }
  const channel = new Promise((r) => (pc.ondatachannel = (e) => r(wrap(e.channel))));
  await pc.setRemoteDescription({ type: 'offer', sdp: (await next('offer')).sdp });
  await pc.setLocalDescription(await pc.createAnswer());
  await gathered;
  send({ type: 'answer', sdp: pc.localDescription.sdp });
  return await channel;
}

// ---- the bench: one pair of child processes per transfer ----
async function transfer(stack, total) {
  const me = fileURLToPath(import.meta.url);
  const args = (role) => ['--side', role, stack.lib, String(stack.mtu ?? 0), String(total)];
  const sender = fork(me, args('sender'));
  const receiver = fork(me, args('receiver'));
  const relay = (from, to) => from.on('message', (m) => (m.type === 'done' ? to.send({ type: 'receiver-done', cpu: m.cpu }) : m.type !== 'result' && to.send(m)));
  relay(sender, receiver);
  relay(receiver, sender);
  const timeout = setTimeout(() => sender.emit('message', { type: 'result', failed: true }), 120_000);
  const result = await new Promise((resolve) => sender.on('message', (m) => m.type === 'result' && resolve(m)));
  clearTimeout(timeout);
  sender.kill('SIGKILL');
  receiver.kill('SIGKILL');
  if (result.failed) return null;
  const gib = total / (1024 * MIB);
  return { mibps: total / MIB / result.seconds, sender: result.cpu / gib, receiver: result.receiverCpu / gib };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  const total = Math.max(16, Number(process.argv[2] ?? 256)) * MIB;
  const rounds = Math.max(1, Number(process.argv[3] ?? 3));
  const stacks = STACKS.filter((s) => {
    try {
      require.resolve(s.lib === 'ndc' ? 'node-datachannel' : '@roamhq/wrtc');
      return true;
    } catch {
      console.log(`${s.name}: not installed, left out`);
      return false;
    }
  });
  const results = new Map(stacks.map((s) => [s, []]));
  console.log(`raw data channel, ${total / MIB} MiB per run, ${MESSAGE / 1024} KiB messages, ${HIGH / MIB} MiB high water; load ${loadavg()[0].toFixed(1)}`);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? stacks : [...stacks].reverse();
    for (const stack of order) {
      const r = await transfer(stack, total);
      if (r) results.get(stack).push(r);
      else console.log(`  ${stack.name}: a transfer did not finish in 120 s`);
    }
  }
  console.log('stack                                    |  MiB/s | sender CPU s/GiB | receiver CPU s/GiB');
  for (const [stack, rs] of results) {
    if (rs.length === 0) continue;
    const m = (k) => median(rs.map((r) => r[k]));
    console.log(`${stack.name.padEnd(40)} | ${m('mibps').toFixed(1).padStart(6)} | ${m('sender').toFixed(2).padStart(16)} | ${m('receiver').toFixed(2).padStart(18)}`);
  }
  console.log(`load ${loadavg()[0].toFixed(1)} at the end`);
}

if (process.argv[2] === '--side') {
  const [, , , role, lib, mtu, total] = process.argv;
  await side(role, lib, Number(mtu) || null, Number(total));
} else {
  await main();
  process.exit(0);
}
