// Test-only page side of test/browser/firefox.test.ts: what the Firefox launch must make possible,
// in plain JavaScript (test/ is type-checked without DOM types). A data channel between two pages,
// with the test relaying offer and answer, and an OPFS sync access handle in a dedicated worker.
// Bytes come from a seeded xorshift generator the test reproduces in Node, so each side's SHA-256 is
// compared with one computed independently.

import { pattern, sha256 } from '/pattern.js';

const MESSAGE = 16 * 1024;

function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve()));
}

function opened(dc) {
  if (dc.readyState === 'open') return Promise.resolve();
  return new Promise((resolve, reject) => {
    dc.onopen = () => resolve();
    dc.onerror = (e) => reject(new Error(`data channel: ${e.error?.message ?? 'error'}`));
  });
}

/** The addresses of the candidate pair ICE selected (Firefox marks it `selected`). */
async function selectedPair(pc) {
  const stats = [...(await pc.getStats()).values()];
  const pair = stats.find((s) => s.type === 'candidate-pair' && s.selected && s.state === 'succeeded');
  if (!pair) return null;
  const byId = (id) => stats.find((s) => s.id === id);
  const side = (c) => ({ address: c.address, type: c.candidateType, protocol: c.protocol });
  return { local: side(byId(pair.localCandidateId)), remote: side(byId(pair.remoteCandidateId)) };
}

let pc = null;
let channel = null;
let received = null;

window.firefoxCheck = {
  /** Offering side: a peer connection with one channel; the offer once every candidate is in it. */
  async offer() {
    pc = new RTCPeerConnection({ iceServers: [] });
    channel = pc.createDataChannel('check');
    channel.binaryType = 'arraybuffer';
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    return pc.localDescription.sdp;
  },

  /** Answering side: collects what arrives on the offered channel. */
  async answer(sdp) {
    pc = new RTCPeerConnection({ iceServers: [] });
    const chunks = [];
    let length = 0;
    let waiter = null;
    received = { chunks, length: () => length, until: (total) => new Promise((resolve) => (waiter = { total, resolve })) };
    pc.ondatachannel = (event) => {
      event.channel.binaryType = 'arraybuffer';
      event.channel.onmessage = (m) => {
        chunks.push(new Uint8Array(m.data));
        length += m.data.byteLength;
        if (waiter && length >= waiter.total) waiter.resolve();
      };
    };
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    return pc.localDescription.sdp;
  },

  /** Offering side: takes the answer and waits for the channel to open. */
  async complete(sdp) {
    await pc.setRemoteDescription({ type: 'answer', sdp });
    await opened(channel);
  },

  /** Offering side: sends `total` pattern bytes in 16 KiB messages, minding the channel's buffer. */
  async send(seed, total) {
    const bytes = pattern(seed, total);
    channel.bufferedAmountLowThreshold = 256 * 1024;
    for (let at = 0; at < total; at += MESSAGE) {
      if (channel.bufferedAmount > 1024 * 1024) await new Promise((resolve) => (channel.onbufferedamountlow = resolve));
      channel.send(bytes.subarray(at, Math.min(total, at + MESSAGE)));
    }
    return sha256(bytes);
  },

  /** Answering side: waits for `total` bytes; their SHA-256 and the pair ICE selected. */
  async received(total) {
    if (received.length() < total) await received.until(total);
    const all = new Uint8Array(received.length());
    let at = 0;
    for (const c of received.chunks) {
      all.set(c, at);
      at += c.length;
    }
    return { length: all.length, sha256: await sha256(all), pair: await selectedPair(pc) };
  },

  close() {
    pc?.close();
  },

  /** A worker writes `total` pattern bytes through a sync access handle; the page reads the file back. */
  async opfs(seed, total) {
    const worker = new Worker('/opfs-worker.js', { type: 'module' });
    const fromWorker = await new Promise((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(`worker: ${e.message}`));
      worker.postMessage({ seed, total });
    });
    worker.terminate();
    if (fromWorker.error) throw new Error(`in the worker: ${fromWorker.error}`);
    const root = await navigator.storage.getDirectory();
    const file = await (await root.getFileHandle('check.bin')).getFile();
    const pageSha256 = await sha256(new Uint8Array(await file.arrayBuffer()));
    await root.removeEntry('check.bin');
    return { ...fromWorker, fileSize: file.size, pageSha256 };
  },

  /** Resolves (true or false) only if the storage prompt is answered; headless Firefox waits forever otherwise. */
  persist() {
    return navigator.storage.persist();
  },
};
