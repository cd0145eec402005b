// A webtorrent 3 peer for the WebRTC benchmark, in its own Node process, WebRTC only as in a browser:
// one ws:// tracker, no STUN, ICE bound to 127.0.0.1 (a host with only `lo` gathers no candidate
// otherwise), no DHT/LSD/uTP/PEX/UPnP/NAT-PMP/web seeds, every TCP connection turned away; the same
// settings as test/helpers/webtorrent.ts. Prints JSON lines: {"ready":true} once seeding (seed mode),
// {"done":true} once every piece is verified (download mode), then exits when stdin closes (seed) or
// after the client is destroyed and its writes are flushed (download).
// Usage: node bench/lib/wt-webrtc.mjs seed TORRENT DATA_DIR WS_URL
//        node bench/lib/wt-webrtc.mjs download MAGNET OUT_DIR
import { readFileSync } from 'node:fs';
import { emit, webrtcOnlyClient } from './webrtc-only-client.mjs';

const [mode, source, dir, wsUrl] = process.argv.slice(2);
const client = await webrtcOnlyClient();

const torrent =
  mode === 'seed'
    ? client.add(readFileSync(source), { path: dir, skipVerify: true, announce: [wsUrl] })
    : client.add(source, { path: dir });
torrent.on('error', (err) => {
  emit({ error: String(err?.message ?? err) });
  process.exit(1);
});
torrent.on('wire', (wire) => emit({ wire: wire.type ?? null }));
// A failed WebRTC attempt is otherwise retried only with the next announce (minutes away): while there
// is no peer, announce again every 10 s (5 times at most), as the interop tests do.
let reannounces = 0;
setInterval(() => {
  if (torrent.destroyed || torrent.done || torrent.wires.length > 0 || reannounces >= 5) return;
  reannounces++;
  emit({ reannounce: reannounces });
  torrent.discovery?.tracker?.update();
}, 10_000).unref();

if (mode === 'seed') {
  const ready = () => emit({ ready: true, infoHash: torrent.infoHash, seeding: torrent.done });
  if (torrent.ready) ready();
  else torrent.once('ready', ready);
  process.stdin.resume();
  process.stdin.on('end', () => client.destroy(() => process.exit(0)));
} else {
  torrent.once('done', () => {
    emit({ done: true, downloaded: torrent.downloaded });
    client.destroy(() => process.exit(0));
  });
}
