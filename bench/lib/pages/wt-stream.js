// Page side of bench/streaming.mjs's webtorrent run: webtorrent's browser bundle as shipped streams a
// magnet's file into a <video> the way its docs say, `file.streamTo(video)` through its Service Worker
// (dist/sw.min.js, registered at the bench origin's root, handed to `client.createServer`). No ICE servers.
import WebTorrent from '/webtorrent.min.js';

window.wtStream = {
  async play(magnet) {
    const registration = await navigator.serviceWorker.register('/sw.min.js', { scope: '/' });
    await navigator.serviceWorker.ready;
    const client = new WebTorrent({ tracker: { rtcConfig: { iceServers: [] } } });
    window.wtClient = client;
    client.createServer({ controller: registration });
    const torrent = client.add(magnet);
    window.wtTorrent = torrent;
    torrent.on('error', (err) => console.error('webtorrent torrent', err));
    await new Promise((resolve) => (torrent.ready ? resolve() : torrent.once('ready', resolve)));
    const file = torrent.files.reduce((a, b) => (b.length > a.length ? b : a));
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    document.body.append(video);
    file.streamTo(video);
  },
  progress() {
    return window.wtTorrent?.progress ?? 0;
  },
};
