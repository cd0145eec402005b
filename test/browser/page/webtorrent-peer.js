// Test-only page side of test/browser/webtorrent-browser.test.ts: webtorrent's own browser bundle
// (dist/webtorrent.min.js, served as is) as a peer in a real Chromium. Plain JavaScript for the
// same reason as harness.js (test/ is type-checked without DOM types). The test drives it through
// page.evaluate; errors cross as text.
import WebTorrent from '/webtorrent.min.js';

let client = null;

/**
 * A client as a browser page would make it, except for the ICE servers: none, so nothing leaves
 * 127.0.0.1 (no DHT, LSD, TCP or uTP exist in webtorrent's browser build).
 */
function getClient() {
  client ??= new WebTorrent({ tracker: { rtcConfig: { iceServers: [] } } });
  return client;
}

async function sha256(bytes) {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function toHex(id) {
  if (typeof id === 'string') return id;
  return id ? [...id].map((b) => b.toString(16).padStart(2, '0')).join('') : null;
}

/** What the test checks about who this page talked to and how. */
function wiresOf(seen) {
  return seen.map((wire) => ({ type: wire.type, peerId: toHex(wire.peerId), remoteAddress: wire.remoteAddress ?? null }));
}

/**
 * Resolves once `ready()` holds, checked now and on each `event` of `torrent`; rejects on an error
 * of the torrent or the client (with its message). Listeners are removed either way.
 */
function until(torrent, event, ready) {
  const c = getClient();
  return new Promise((resolve, reject) => {
    const done = (settle) => {
      torrent.off(event, check);
      torrent.off('error', fail);
      c.off('error', fail);
      settle();
    };
    const check = () => {
      if (ready()) done(resolve);
    };
    const fail = (err) => done(() => reject(new Error(`webtorrent error before '${event}': ${err?.message ?? String(err)}`)));
    torrent.on(event, check);
    torrent.on('error', fail);
    c.on('error', fail);
    check();
  });
}

window.wtPeer = {
  /**
   * Downloads the magnet (which names the tracker) into webtorrent's default browser store and
   * returns the first file's length and SHA-256, read back through webtorrent's File API.
   */
  async download(magnet) {
    const seen = [];
    const torrent = getClient().add(magnet);
    torrent.on('wire', (wire) => seen.push(wire));
    await until(torrent, 'done', () => torrent.done);
    const file = torrent.files[0];
    const bytes = new Uint8Array(await file.arrayBuffer());
    return {
      infoHash: torrent.infoHash,
      announce: torrent.announce,
      name: file.name,
      length: bytes.length,
      sha256: await sha256(bytes),
      downloaded: torrent.downloaded,
      wires: wiresOf(seen),
    };
  },

  /** Fetches `url` (the test's source file), seeds it as a File named `name`, announcing only to `tracker`. */
  async seed(url, name, tracker) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const file = new File([bytes], name, { type: 'application/octet-stream' });
    const seen = [];
    const torrent = getClient().seed(file, { announce: [tracker] });
    torrent.on('wire', (wire) => seen.push(wire));
    window.wtSeeded = { torrent, seen };
    let seeding = false;
    torrent.once('seed', () => (seeding = true));
    await until(torrent, 'seed', () => seeding);
    return {
      infoHash: torrent.infoHash,
      magnet: torrent.magnetURI,
      announce: torrent.announce,
      length: torrent.length,
      sha256: await sha256(bytes),
    };
  },

  /** Waits until the seeded torrent has uploaded at least `bytes`, then reports its wires. */
  async uploaded(bytes) {
    const { torrent, seen } = window.wtSeeded;
    await until(torrent, 'upload', () => torrent.uploaded >= bytes);
    return { uploaded: torrent.uploaded, wires: wiresOf(seen) };
  },

  destroy() {
    const c = client;
    client = null;
    return c ? new Promise((resolve) => c.destroy(() => resolve())) : undefined;
  },
};
