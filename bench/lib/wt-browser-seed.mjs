// The Node seeder of bench/browser.mjs: webtorrent 3 in Node, WebRTC only (one ws:// tracker, no STUN,
// ICE bound to 127.0.0.1, every TCP connection turned away), as bench/lib/wt-webrtc.mjs seeds. It
// watches each browser peer from this side, the same way for every downloader, and prints JSON lines
// with wall-clock times (ms since the epoch):
//   {"ready":true,"infoHash":…}                       seeding
//   {"wire":…,"at":T}                                 a peer connected
//   {"metadataSent":T}                                the last ut_metadata piece went out to a peer
//   {"firstRequest":T}                                that peer's first piece request arrived
//   {"uploaded":N,"at":T}                             every byte of the torrent has been sent once
// metadataSent → firstRequest is the downloader's time from having the metadata to asking for data
// (its storage set up, interested, unchoked: one loopback round trip more than the storage alone).
// Usage: node bench/lib/wt-browser-seed.mjs TORRENT DATA_DIR WS_URL   (stdin closing ends it)
import { readFileSync } from 'node:fs';
import { emit, webrtcOnlyClient } from './webrtc-only-client.mjs';

const [torrentPath, dir, wsUrl] = process.argv.slice(2);
const now = () => performance.timeOrigin + performance.now();
const client = await webrtcOnlyClient();

const torrent = client.add(readFileSync(torrentPath), { path: dir, skipVerify: true, announce: [wsUrl] });
torrent.on('error', (err) => {
  emit({ error: String(err?.message ?? err) });
  process.exit(1);
});
torrent.on('wire', (wire) => {
  emit({ wire: wire.type ?? null, at: now() });
  const meta = wire.ut_metadata;
  if (meta) {
    const send = meta._data.bind(meta);
    meta._data = (...args) => {
      send(...args);
      emit({ metadataSent: now() });
    };
  }
  wire.once('request', () => emit({ firstRequest: now() }));
  // SEED_TRACE=1: every request, cancel and block sent, to time a downloader's stages (bench/streaming.mjs --trace).
  if (process.env.SEED_TRACE) {
    wire.on('request', (index, offset) => emit({ request: index, offset, at: now() }));
    wire.on('cancel', (index, offset) => emit({ cancel: index, offset, at: now() }));
    wire.on('interested', () => emit({ interested: now() }));
    const piece = wire.piece.bind(wire);
    wire.piece = (index, offset, buffer) => {
      emit({ sent: index, offset, at: now() });
      return piece(index, offset, buffer);
    };
  }
});
let uploaded = 0;
torrent.on('upload', (bytes) => {
  const before = uploaded;
  uploaded += bytes;
  if (before < torrent.length && uploaded >= torrent.length) emit({ uploaded, at: now() });
});
// A failed WebRTC attempt is otherwise retried only with the next announce: while there is no peer,
// announce again every 10 s (5 times at most), as the interop tests do.
let reannounces = 0;
setInterval(() => {
  if (torrent.destroyed || torrent.wires.length > 0 || reannounces >= 5) return;
  reannounces++;
  emit({ reannounce: reannounces });
  torrent.discovery?.tracker?.update();
}, 10_000).unref();

const ready = () => emit({ ready: true, infoHash: torrent.infoHash, seeding: torrent.done });
if (torrent.ready) ready();
else torrent.once('ready', ready);
process.stdin.resume();
process.stdin.on('end', () => client.destroy(() => process.exit(0)));
