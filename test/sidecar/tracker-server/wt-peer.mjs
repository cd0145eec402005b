// One webtorrent 3 client in its own process (each needs its own WebSocket to the tracker and its own
// node-datachannel), reaching peers only through the WebSocket tracker given: WebRTC, no DHT/LSD/TCP peers.
// Usage: node wt-peer.mjs seed TRACKER_URL FILE      → prints {"magnet": ..., "infoHash": ...}
//        node wt-peer.mjs leech TRACKER_URL MAGNET DIR → prints {"done": true, "wireTypes": [...]} when complete
import WebTorrent from 'webtorrent';

const [role, trackerUrl, target, outDir] = process.argv.slice(2);
const client = new WebTorrent({
  dht: false,
  lsd: false,
  utp: false,
  natUpnp: false,
  natPmp: false,
  webSeeds: false,
  tracker: { rtcConfig: { iceServers: [], bindAddress: '127.0.0.1' } },
});
const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
client.on('error', (err) => {
  print({ error: String(err?.message ?? err) });
  process.exit(1);
});

if (role === 'seed') {
  client.seed(target, { announce: [trackerUrl] }, (torrent) => print({ magnet: torrent.magnetURI, infoHash: torrent.infoHash }));
} else {
  const torrent = client.add(target, { path: outDir, announce: [trackerUrl] });
  const wireTypes = new Set();
  torrent.on('wire', (wire) => wireTypes.add(wire.type));
  torrent.on('done', () => {
    print({ done: true, wireTypes: [...wireTypes] });
    setTimeout(() => client.destroy(() => process.exit(0)), 200);
  });
  // libdatachannel sometimes fails a set-up ('remote candidate without ICE transport'); webtorrent would
  // retry only at its next announce, 2 minutes on. While it has no peer, announce again every 10 s (5 times).
  let reannounces = 0;
  const retry = setInterval(() => {
    if (torrent.destroyed || torrent.done || torrent.wires.length > 0 || reannounces >= 5) return;
    reannounces += 1;
    torrent.discovery?.tracker?.update();
  }, 10_000);
  retry.unref();
}
