// A webtorrent downloader for the download benchmark, in its own Node process: TCP only (no DHT,
// trackers, LSD, uTP, UPnP, NAT-PMP), one peer added by hand. webtorrent checks each piece's SHA-1
// before it counts it, so 'done' means every piece verified. Prints {"done": true}, then exits.
// Usage: node bench/lib/wt-download.mjs TORRENT OUT_DIR PEER_PORT
import { readFileSync } from 'node:fs';
import WebTorrent from 'webtorrent';

const [torrentPath, outDir, peerPort] = process.argv.slice(2);
const client = new WebTorrent({ dht: false, tracker: false, lsd: false, utp: false, natUpnp: false, natPmp: false, webSeeds: false });
client.on('error', (err) => {
  console.log(JSON.stringify({ done: false, error: String(err?.message ?? err) }));
  process.exit(1);
});
client.add(readFileSync(torrentPath), { path: outDir }, (torrent) => {
  torrent.addPeer(`127.0.0.1:${peerPort}`);
  torrent.on('done', () => {
    console.log(JSON.stringify({ done: true, downloaded: torrent.downloaded }));
    // Let the last writes reach the file before leaving.
    client.destroy(() => process.exit(0));
  });
});
