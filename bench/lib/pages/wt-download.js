// Page side of bench/browser.mjs's webtorrent run: webtorrent's own browser bundle
// (node_modules/webtorrent/dist/webtorrent.min.js, served as is, as test/browser/page/webtorrent-peer.js
// loads it) downloads a magnet into its default browser store, as a page using it would, with no ICE
// servers so nothing leaves 127.0.0.1. Times are wall-clock ms since the epoch.
import WebTorrent from '/webtorrent.min.js';

const now = () => performance.timeOrigin + performance.now();

window.wtBench = {
  download(magnet) {
    const client = new WebTorrent({ tracker: { rtcConfig: { iceServers: [] } } });
    window.wtClient = client;
    const at = { added: now(), metadata: NaN, ready: NaN, firstDownload: NaN, done: NaN };
    return new Promise((resolve, reject) => {
      client.on('error', (err) => reject(new Error(`webtorrent: ${err?.message ?? String(err)}`)));
      const torrent = client.add(magnet);
      torrent.on('error', (err) => reject(new Error(`webtorrent torrent: ${err?.message ?? String(err)}`)));
      torrent.once('metadata', () => (at.metadata = now()));
      torrent.once('ready', () => (at.ready = now()));
      torrent.once('download', () => (at.firstDownload = now()));
      torrent.once('done', () => {
        at.done = now();
        let verifiedPieces = 0;
        for (let i = 0; i < torrent.pieces.length; i++) if (torrent.bitfield.get(i)) verifiedPieces++;
        resolve({ at, length: torrent.length, downloaded: torrent.downloaded, verifiedPieces, pieces: torrent.pieces.length });
      });
    });
  },

  destroy() {
    const client = window.wtClient;
    return client ? new Promise((resolve) => client.destroy(() => resolve())) : undefined;
  },
};
