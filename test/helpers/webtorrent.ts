import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { followJsonLines } from './json-line-child.js';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * A real webtorrent 3 peer (npm `webtorrent`) in a child Node process so its sockets, timers and
 * native modules never share the test's process. TCP only by default; with `wsTracker` WebRTC only
 * (see WebTorrentOptions.wsTracker). It prints one JSON object per line: `listening` (its TCP port), `stats` (answers a `stats` line),
 * `ready` (infoHash, magnet, name; the .torrent written to `torrentOut` when asked), `wire` (a peer
 * connected: address and connection type), `progress`, `done`, `tcp-refused` (WebRTC mode: a TCP
 * peer it turned away), `reannounce` (WebRTC mode: announcing again with fresh offers while it has no
 * peer), `warning` and `error`. Lines on stdin: `peer HOST:PORT` adds a peer; end of
 * stdin destroys the client and exits, so a peer never outlives its test.
 */
const PEER_SCRIPT = String.raw`
import { writeFileSync } from 'node:fs';
const [moduleUrl, configJson] = process.argv.slice(1);
const { default: WebTorrent } = await import(moduleUrl);
const cfg = JSON.parse(configJson);
const emit = (o) => process.stdout.write(JSON.stringify(o) + '\n');

const webrtcOnly = typeof cfg.wsTracker === 'string';
const client = new WebTorrent({
  dht: false, lsd: false, utp: false, natUpnp: false, natPmp: false, webSeeds: false,
  secure: cfg.secure ?? 0,
  uploadLimit: cfg.uploadLimit ?? -1,
  // node-datachannel gathers no ICE candidates on a host with only 'lo' unless bound to it; no STUN.
  tracker: webrtcOnly ? { rtcConfig: { iceServers: [], bindAddress: '127.0.0.1' } } : cfg.classicTrackers ? {} : false,
  // ut_pex is how a webtorrent in Node learns TCP addresses from its WebRTC peers.
  utPex: !webrtcOnly,
});
client.on('error', (err) => emit({ type: 'error', message: String(err && err.message || err) }));
if (!client.listening) await new Promise((resolve) => client.once('listening', resolve));
emit({ type: 'listening', port: client.torrentPort });
if (webrtcOnly) {
  // webtorrent in Node always listens on TCP; a browser cannot. Turn every incoming connection away.
  const tcpServer = client._connPool.tcpServer;
  tcpServer.removeAllListeners('connection');
  tcpServer.on('connection', (conn) => {
    emit({ type: 'tcp-refused', address: conn.remoteAddress + ':' + conn.remotePort, direction: 'in' });
    conn.destroy();
  });
}
const announce = webrtcOnly ? [cfg.wsTracker] : [];

const onTorrent = (torrent) => {
  torrent.on('warning', (err) => emit({ type: 'warning', message: String(err && err.message || err) }));
  torrent.on('error', (err) => emit({ type: 'error', message: String(err && err.message || err) }));
  torrent.on('wire', (wire, addr) => (wiresEver.push(wire), emit({ type: 'wire', address: addr ?? null, connection: wire.type ?? null, sinceStartMs: Math.round(performance.now()) })));
  const onReady = () => {
    if (cfg.torrentOut) writeFileSync(cfg.torrentOut, torrent.torrentFile);
    emit({ type: 'ready', infoHash: torrent.infoHash, magnet: torrent.magnetURI, name: torrent.name, length: torrent.length, pieceLength: torrent.pieceLength });
  };
  // seed() calls back after 'ready' has fired; add() returns before it.
  if (torrent.ready) onReady();
  else torrent.once('ready', onReady);
  let last = -1;
  torrent.on('download', () => {
    const p = Math.floor(torrent.progress * 20);
    if (p !== last) emit({ type: 'progress', progress: torrent.progress, peers: torrent.numPeers });
    last = p;
  });
  torrent.on('done', () => emit({ type: 'done', downloaded: torrent.downloaded }));
  if (webrtcOnly) {
    // A WebRTC connection that fails is retried only with the offers of the next announce (every 2 min
    // from these trackers). While it has no peer, this one announces again every 10 s, 5 times at most.
    let reannounces = 0;
    const retry = setInterval(() => {
      if (torrent.destroyed || torrent.done || torrent.wires.length > 0 || reannounces >= 5) return;
      reannounces += 1;
      emit({ type: 'reannounce', count: reannounces });
      torrent.discovery?.tracker?.update();
    }, 10_000);
    retry.unref();
    // Addresses (from addPeer, PEX or a tracker) become TCP dials; a browser has none, so neither does this peer.
    const addPeerAnyKind = torrent.addPeer.bind(torrent);
    torrent.addPeer = (peer, source) => {
      if (typeof peer !== 'string') return addPeerAnyKind(peer, source);
      emit({ type: 'tcp-refused', address: peer, direction: 'out' });
      return false;
    };
  }
  // webtorrent refuses addPeer() before it knows the info hash (a .torrent path is read asynchronously).
  const addPeer = (p) => (torrent.infoHash ? torrent.addPeer(p) : torrent.once('infoHash', () => torrent.addPeer(p)));
  for (const p of cfg.peers ?? []) addPeer(p);
  torrents.push({ torrent, addPeer });
};
const torrents = [];
const wiresEver = [];
if (cfg.seed) client.seed(cfg.seed, { announce, ...(cfg.pieceLength ? { pieceLength: cfg.pieceLength } : {}) }, onTorrent);
else onTorrent(client.add(cfg.torrent ?? cfg.magnet, { path: cfg.out, announce }));

let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buffered += d;
  let nl;
  while ((nl = buffered.indexOf('\n')) !== -1) {
    const [cmd, arg] = buffered.slice(0, nl).split(' ');
    buffered = buffered.slice(nl + 1);
    if (cmd === 'peer') for (const t of torrents) t.addPeer(arg);
    if (cmd === 'stats') for (const t of torrents) emit({ type: 'stats', uploaded: t.torrent.uploaded, downloaded: t.torrent.downloaded, wires: wiresEver.length, answered: wiresEver.reduce((sum, w) => sum + w.uploaded, 0) });
  }
});
process.stdin.on('end', () => client.destroy(() => process.exit(0)));
`;

export type WebTorrentLine =
  | { type: 'listening'; port: number }
  | { type: 'ready'; infoHash: string; magnet: string; name: string; length: number; pieceLength: number }
  /**
   * Answer to `stats()`: bytes sent and received so far (every byte of the wire, messages' framing
   * included, counted as it passes into the connection), how many connections it ever had, and the
   * block payload it answered requests with (counted when the block is queued on the wire).
   */
  | { type: 'stats'; uploaded: number; downloaded: number; wires: number; answered: number }
  /** `sinceStartMs`: since the process started (how long connecting took, for the record). */
  | { type: 'wire'; address: string | null; connection: string | null; sinceStartMs: number }
  | { type: 'progress'; progress: number; peers: number }
  | { type: 'done'; downloaded: number }
  | { type: 'tcp-refused'; address: string; direction: 'in' | 'out' }
  | { type: 'reannounce'; count: number }
  | { type: 'warning'; message: string }
  | { type: 'error'; message: string };

export interface WebTorrentOptions {
  /** Seed this file or folder (webtorrent makes the torrent), or download `torrent` (a path) / `magnet` into `out`. */
  readonly seed?: string;
  readonly torrent?: string;
  readonly magnet?: string;
  readonly out?: string;
  /** Write the .torrent webtorrent made or received here once it is ready. */
  readonly torrentOut?: string;
  readonly peers?: readonly string[];
  /** webtorrent's `uploadLimit` in bytes per second (default none): its sends queue in a throttled stream. */
  readonly uploadLimit?: number;
  /** Piece length of the torrent it makes of `seed` (default: create-torrent's choice). */
  readonly pieceLength?: number;
  /** webtorrent's `secure`: 0 plaintext (the default here), 1 MSE/PE first with plaintext fallback, 2 RC4 only. */
  readonly secure?: 0 | 1 | 2;
  /**
   * WebRTC only, like webtorrent in a browser: announce to this ws:// tracker (the only tracker it
   * knows, also the one written into a torrent it seeds), reach peers through relayed offers with no
   * STUN and ICE bound to 127.0.0.1, no DHT/LSD/PEX, every TCP connection turned away.
   */
  readonly wsTracker?: string;
  /** TCP peer that announces to the torrent's own HTTP/UDP trackers (off by default: peers come from `peers`). */
  readonly classicTrackers?: boolean;
  /** argv prefix to run it under, e.g. a network namespace's `ip netns exec NAME` (not passed to the peer). */
  readonly prefix?: readonly string[];
}

export interface WebTorrentPeer {
  readonly port: number;
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: readonly WebTorrentLine[];
  waitFor<T extends WebTorrentLine>(match: (line: WebTorrentLine) => line is T, giveUpMs?: number): Promise<T>;
  waitFor(match: (line: WebTorrentLine) => boolean, giveUpMs?: number): Promise<WebTorrentLine>;
  addPeer(address: string): void;
  /** Bytes uploaded and downloaded so far (webtorrent's torrent.uploaded/downloaded) and connections ever made. */
  stats(): Promise<{ uploaded: number; downloaded: number; wires: number; answered: number }>;
  transcript(): string;
  close(): Promise<void>;
}

const running = new Set<WebTorrentPeer>();

export async function startWebTorrent(options: WebTorrentOptions): Promise<WebTorrentPeer> {
  const moduleUrl = pathToFileURL(createRequire(import.meta.url).resolve('webtorrent')).href;
  const { prefix = [], ...config } = options;
  const argv = [...prefix, process.execPath, '--input-type=module', '-e', PEER_SCRIPT, moduleUrl, JSON.stringify(config)];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  const followed = followJsonLines<WebTorrentLine>('webtorrent', child, { killAfterMs: 5000 });
  const { lines, waitFor, transcript } = followed;

  const listening = (await waitFor((l) => l.type === 'listening')) as { type: 'listening'; port: number };
  const peer: WebTorrentPeer = {
    port: listening.port,
    child,
    lines,
    waitFor: waitFor as WebTorrentPeer['waitFor'],
    addPeer: (address) => child.stdin.write(`peer ${address}\n`),
    stats: async () => {
      const seen = lines.length;
      child.stdin.write('stats\n');
      const answer = (await waitFor((l) => l.type === 'stats' && lines.indexOf(l) >= seen)) as { type: 'stats'; uploaded: number; downloaded: number; wires: number; answered: number };
      return { uploaded: answer.uploaded, downloaded: answer.downloaded, wires: answer.wires, answered: answer.answered };
    },
    transcript,
    close: async () => {
      running.delete(peer);
      await followed.stop();
    },
  };
  running.add(peer);
  return peer;
}

/** Ends every webtorrent peer still running (for afterEach). */
export async function stopAllWebTorrent(): Promise<void> {
  await Promise.all([...running].map((p) => p.close()));
}
