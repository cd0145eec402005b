// Load generator for bench/tracker.mjs, run as a child process so its CPU is its own (and measurable).
// Cheap on purpose, so the tracker is what limits the rate: raw `net` sockets, every HTTP request and
// every WebSocket frame encoded once before the run, replies parsed only as far as framing needs, each
// checked for "failure" with Buffer#indexOf (native), and every 64th reply decoded and checked fully.
//
// Modes:
//   closed: each connection keeps exactly one request outstanding (the next goes when the reply lands),
//           so latency is the tracker's turnaround under the load it can sustain.
//   open:   requests are scheduled at a fixed offered rate, round-robin over the connections. HTTP keeps
//           one request outstanding per connection (a due request waits in the client for its connection,
//           no pipelining); WebSocket sends at once (messages share the socket, replies come in order).
//           Latency counts from the scheduled time, so a tracker that falls behind is charged for the wait
//           (no coordinated omission). A connection with more than MAX_QUEUED waiting requests sheds new ones
//           (counted as failures).
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import bencode from 'bencode';
import { maskedTextFrame } from './ws-client-frame.mjs';

const MAX_QUEUED = 256;
const SAMPLE_EVERY = 64;
const { port, protocol, connections, seconds, torrents: torrentHex, peers: peerSpecs, fill } = await new Promise((resolve) => process.once('message', resolve));
const torrents = torrentHex.map((h) => Buffer.from(h, 'hex'));
const pct = (bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
const FAILURE = Buffer.from('failure');
const HEADER_END = Buffer.from('\r\n\r\n');

const now = () => performance.now();

// ---- HTTP ---------------------------------------------------------------------------------------------

const httpRequests = protocol === 'http'
  ? peerSpecs.map(({ id, port: peerPort, torrent }) =>
      Buffer.from(
        `GET /announce?info_hash=${pct(torrents[torrent])}&peer_id=${pct(Buffer.from(id, 'hex'))}&port=${peerPort}` +
          `&uploaded=0&downloaded=0&left=${peerPort % 3 === 0 ? 0 : 1000}&compact=1&numwant=50 HTTP/1.1\r\n` +
          `Host: 127.0.0.1:${port}\r\nUser-Agent: sluice-bench\r\nAccept-Encoding: identity\r\n\r\n`,
        'latin1',
      ))
  : [];

/** Finds the end of one HTTP response in `buf` from 0: returns [bodyStart, end, status] or null if incomplete. */
function httpFrame(buf) {
  const he = buf.indexOf(HEADER_END);
  if (he < 0) return null;
  const head = buf.latin1Slice(0, he);
  const status = Number(head.slice(9, 12));
  const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  const bodyStart = he + 4;
  if (cl) {
    const end = bodyStart + Number(cl[1]);
    return end <= buf.length ? [bodyStart, end, status, false] : null;
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    let at = bodyStart;
    for (;;) {
      const le = buf.indexOf('\r\n', at);
      if (le < 0) return null;
      const size = parseInt(buf.latin1Slice(at, le), 16);
      at = le + 2 + size + 2;
      if (at > buf.length) return null;
      if (size === 0) return [bodyStart, at, status, true];
    }
  }
  throw new Error(`response without a length: ${head.slice(0, 200)}`);
}

function checkAnnounceBody(body) {
  const d = bencode.decode(body);
  if (d['failure reason']) return false;
  return typeof d.interval === 'number' && d.peers instanceof Uint8Array && d.peers.length % 6 === 0;
}

// ---- WebSocket ----------------------------------------------------------------------------------------

/** One server frame at the start of `buf`: [payloadStart, end, opcode] or null if incomplete. */
function wsFrame(buf) {
  if (buf.length < 2) return null;
  let len = buf[1] & 0x7f;
  let at = 2;
  if (len === 126) {
    if (buf.length < 4) return null;
    len = buf.readUInt16BE(2);
    at = 4;
  } else if (len === 127) {
    if (buf.length < 10) return null;
    len = Number(buf.readBigUInt64BE(2));
    at = 10;
  }
  if (buf[1] & 0x80) throw new Error('server frame is masked');
  return at + len <= buf.length ? [at, at + len, buf[0] & 0x0f] : null;
}

function wsFramesFor(c) {
  // Each socket is one browser tab: one peer id, 4 torrents, announcing in turn.
  const peerId = randomBytes(20).toString('latin1');
  return [0, 1, 2, 3].map((k) =>
    maskedTextFrame(Buffer.from(JSON.stringify({
      action: 'announce', info_hash: torrents[(c * 4 + k) % torrents.length].toString('latin1'), peer_id: peerId,
      numwant: 0, uploaded: 0, downloaded: 0, left: 100, offers: [],
    }))));
}

function checkWsReply(payload) {
  const m = JSON.parse(payload.toString('utf8'));
  return m.action === 'announce' && typeof m.interval === 'number' && typeof m.complete === 'number' && !m['failure reason'];
}

// ---- connections --------------------------------------------------------------------------------------

const stats = { latencies: [], failures: 0, sampled: 0, sampleFailures: 0, shed: 0 };
let measuring = false;
let replies = 0;

class Conn {
  constructor(c, socket) {
    this.c = c;
    this.socket = socket;
    this.buf = Buffer.alloc(0);
    this.sent = []; // times of requests on the wire, oldest first
    this.waiting = []; // open-loop HTTP: scheduled times not yet sent
    this.next = c;
    this.frames = protocol === 'ws' ? wsFramesFor(c) : null;
    this.onReply = null;
    socket.setNoDelay(true);
    socket.on('data', (d) => this.data(d));
    socket.on('error', () => {});
    socket.on('close', () => { this.closed = true; });
  }

  request(at) {
    this.sent.push(at);
    if (protocol === 'http') {
      const r = httpRequests[this.next % httpRequests.length];
      this.next += connections;
      this.socket.write(r);
    } else {
      this.socket.write(this.frames[this.next++ & 3]);
    }
  }

  data(d) {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    for (;;) {
      const f = protocol === 'http' ? httpFrame(this.buf) : wsFrame(this.buf);
      if (f === null) break;
      const [start, end] = f;
      const body = this.buf.subarray(start, end);
      let ok = protocol === 'http' ? f[2] === 200 : f[2] === 1;
      if (ok && body.indexOf(FAILURE) >= 0) ok = false;
      if (ok && ++replies % SAMPLE_EVERY === 0) {
        stats.sampled++;
        let good = false;
        try {
          good = protocol === 'http' ? (f[3] ? true : checkAnnounceBody(body)) : checkWsReply(body);
        } catch {}
        if (!good) stats.sampleFailures++;
      }
      this.buf = this.buf.subarray(end);
      const t0 = this.sent.shift();
      const t = now();
      if (measuring && t0 !== undefined) {
        stats.latencies.push(t - t0);
        if (!ok) stats.failures++;
      }
      this.onReply?.(t);
    }
  }
}

function connect(c) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      if (protocol === 'http') return resolve(new Conn(c, socket));
      socket.write(
        `GET /announce HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      let head = Buffer.alloc(0);
      const onData = (d) => {
        head = Buffer.concat([head, d]);
        const he = head.indexOf(HEADER_END);
        if (he < 0) return;
        socket.off('data', onData);
        if (!head.latin1Slice(0, 12).startsWith('HTTP/1.1 101')) return reject(new Error(`no upgrade: ${head.latin1Slice(0, he)}`));
        const conn = new Conn(c, socket);
        if (head.length > he + 4) conn.data(head.subarray(he + 4));
        resolve(conn);
      };
      socket.on('data', onData);
    });
    socket.once('error', reject);
  });
}

const conns = await Promise.all(Array.from({ length: connections }, (_, c) => connect(c)));

// Fill: every peer announces once (HTTP), so replies carry 50 peers from the start.
if (fill && protocol === 'http') {
  let next = 0;
  await Promise.all(conns.map((conn) => new Promise((resolve) => {
    const go = () => {
      if (next >= httpRequests.length) return resolve();
      conn.sent.push(now());
      conn.socket.write(httpRequests[next++]);
    };
    conn.onReply = go;
    go();
  })));
  for (const conn of conns) conn.next = conn.c + next;
}
for (const conn of conns) conn.onReply = null;

process.send({ ready: true });
const command = await new Promise((resolve) => process.once('message', resolve));

function runClosed() {
  return new Promise((resolve) => {
    const end = now() + seconds * 1000;
    let open = conns.length;
    for (const conn of conns) {
      conn.onReply = (t) => {
        if (t < end) conn.request(t);
        else if (--open === 0) resolve();
      };
      conn.request(now());
    }
  });
}

function runOpen(rate) {
  return new Promise((resolve) => {
    const start = now();
    const end = start + seconds * 1000;
    let issued = 0;
    let rr = 0;
    for (const conn of conns) {
      conn.onReply = () => {
        if (protocol === 'http' && conn.waiting.length > 0) conn.request(conn.waiting.shift());
      };
    }
    const tick = () => {
      const t = now();
      const due = Math.floor((Math.min(t, end) - start) * rate / 1000);
      for (; issued < due; issued++) {
        const at = start + (issued * 1000) / rate;
        const conn = conns[rr++ % conns.length];
        if (protocol === 'http' && conn.sent.length > 0) {
          if (conn.waiting.length >= MAX_QUEUED) { stats.shed++; stats.failures++; continue; }
          conn.waiting.push(at);
        } else if (conn.sent.length >= MAX_QUEUED) { stats.shed++; stats.failures++; }
        else conn.request(at);
      }
      if (t < end) setTimeout(tick, 1);
      else {
        // Drain what is outstanding (up to 5 s), so late replies count with their full latency.
        const deadline = t + 5000;
        const drain = () => {
          const left = conns.some((c) => c.sent.length > 0 || c.waiting.length > 0);
          if (!left || now() > deadline) {
            for (const c of conns) stats.failures += c.sent.length + c.waiting.length;
            resolve(issued);
          } else setTimeout(drain, 5);
        };
        drain();
      }
    };
    tick();
  });
}

const cpu0 = process.cpuUsage();
const t0 = now();
measuring = true;
const offered = command.rate ? await runOpen(command.rate) : await runClosed();
const elapsed = (now() - t0) / 1000;
measuring = false;
const cpu = process.cpuUsage(cpu0);
for (const conn of conns) conn.socket.destroy();
process.send({
  latencies: Float64Array.from(stats.latencies),
  failures: stats.failures,
  shed: stats.shed,
  sampled: stats.sampled,
  sampleFailures: stats.sampleFailures,
  offered: offered ?? null,
  elapsed,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
}, () => process.disconnect());
