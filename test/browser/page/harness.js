// Test-only page side of test/browser/webrtc.test.ts. Plain JavaScript on purpose: test/ is type-checked
// without DOM types, and src/browser (which has them) holds only shipped code. The test drives this
// through page.evaluate; it is the signalling channel, so no tracker is involved.
import { BrowserRtcConnector } from '/src/browser/rtc/index.ts';

const connector = new BrowserRtcConnector({ iceServers: [], connectTimeoutMs: 15_000 });
const offers = new Map();
const answers = new Map();
const peers = new Map();
let nextId = 1;

/** Errors cross page.evaluate as text only; keep the typed code in it. */
function rethrow(err) {
  throw new Error(`${err?.code ?? err?.name ?? 'error'}: ${err?.message ?? String(err)}`);
}

/** Attaches to a transport and records everything it delivers (chunks are copied: they are valid only during the call). */
function adopt(id, transport) {
  let buffer = new Uint8Array(1 << 20);
  let length = 0;
  let drainWaiters = [];
  const peer = {
    transport,
    drains: 0,
    closes: 0,
    closeError: null,
    dataAfterClose: false,
    received: () => buffer.subarray(0, length),
    nextDrain: () => new Promise((resolve) => drainWaiters.push(resolve)),
    closed: null,
  };
  let onClosed;
  peer.closed = new Promise((resolve) => (onClosed = resolve));
  transport.attach({
    data(chunk) {
      if (peer.closes > 0) peer.dataAfterClose = true;
      if (length + chunk.length > buffer.length) {
        const grown = new Uint8Array(Math.max(buffer.length * 2, length + chunk.length));
        grown.set(buffer.subarray(0, length));
        buffer = grown;
      }
      buffer.set(chunk, length);
      length += chunk.length;
    },
    drain() {
      peer.drains++;
      const waiters = drainWaiters;
      drainWaiters = [];
      for (const w of waiters) w();
    },
    close(error) {
      peer.closes++;
      peer.closeError = error ? `${error.code}: ${error.message}` : null;
      onClosed();
    },
  });
  peers.set(id, peer);
  return { kind: transport.kind, outgoing: transport.outgoing, remoteAddress: transport.remoteAddress };
}

async function sha256(bytes) {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function randomBytes(n) {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

async function until(cond, what, ms = 15_000) {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

window.sluiceRtc = {
  async offer() {
    try {
      const offer = await connector.createOffer();
      const id = nextId++;
      offers.set(id, offer);
      return { id, sdp: offer.sdp };
    } catch (err) {
      rethrow(err);
    }
  },
  async complete(id, answerSdp) {
    try {
      return adopt(id, await offers.get(id).complete(answerSdp));
    } catch (err) {
      rethrow(err);
    }
  },
  async accept(offerSdp) {
    try {
      const accepted = await connector.acceptOffer(offerSdp);
      const id = nextId++;
      answers.set(id, accepted);
      return { id, answerSdp: accepted.answerSdp };
    } catch (err) {
      rethrow(err);
    }
  },
  async connected(id) {
    try {
      return adopt(id, await answers.get(id).connected);
    } catch (err) {
      rethrow(err);
    }
  },
  info(id) {
    const { transport } = peers.get(id);
    return { kind: transport.kind, outgoing: transport.outgoing, remoteAddress: transport.remoteAddress };
  },
  cancel(id) {
    offers.get(id)?.cancel();
    answers.get(id)?.cancel();
  },
  /** Writes `total` random bytes in random-sized writes, waiting for `drain` whenever `write` refuses more. */
  async send(id, total, maxWrite) {
    const peer = peers.get(id);
    const data = randomBytes(total);
    let refused = 0;
    const nextTask = () => new Promise((r) => setTimeout(r, 0));
    for (let offset = 0, i = 0; offset < total; i++) {
      const n = Math.min(total - offset, 1 + Math.floor(Math.random() * maxWrite));
      // Until the first refusal every write shares one task, so the high-water mark is certainly crossed
      // however fast the far side reads. After it, most writes share their task with others and are packed;
      // every fourth is alone in its task and goes out unpacked, cut into messages.
      const alone = refused > 0 && i % 4 === 3;
      if (alone) await nextTask();
      const more = peer.transport.write(data.subarray(offset, offset + n));
      offset += n;
      if (!more) {
        refused++;
        await peer.nextDrain();
      } else if (alone) await nextTask();
    }
    return { sha256: await sha256(data), refused, drains: peer.drains };
  },
  async received(id, total) {
    const peer = peers.get(id);
    await until(() => peer.received().length >= total || peer.closes > 0, `${total} bytes`);
    const bytes = peer.received();
    return { length: bytes.length, sha256: await sha256(bytes) };
  },
  /** Writes `tail` then closes in the same task: the far side must get the tail before its close. */
  close(id, tail) {
    const peer = peers.get(id);
    if (tail.length > 0) peer.transport.write(new Uint8Array(tail));
    peer.transport.close();
    peer.transport.close();
  },
  async closed(id) {
    const peer = peers.get(id);
    let timer;
    const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out waiting for the close')), 10_000)));
    await Promise.race([peer.closed, timeout]).finally(() => clearTimeout(timer));
    // Let any stray callback run before reporting: none may come after the close.
    await new Promise((r) => setTimeout(r, 50));
    const bytes = peer.received();
    return { closes: peer.closes, closeError: peer.closeError, dataAfterClose: peer.dataAfterClose, length: bytes.length, last: [...bytes.subarray(Math.max(0, bytes.length - 16))] };
  },
  /** The typed error an attempt ends with, or null when it did not fail. */
  async errorOf(step, sdp) {
    try {
      if (step === 'accept') await connector.acceptOffer(sdp);
      else {
        const offer = await connector.createOffer();
        await offer.complete(sdp);
      }
      return null;
    } catch (err) {
      return { name: err?.name, code: err?.code, message: err?.message };
    }
  },
};
