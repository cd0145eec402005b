import { DEFAULT_ICE_SERVERS } from '../../../src/core/ports/rtc.js';
import type { OptionSpec } from './args.js';

/**
 * Every command's options, in one declarative table per command: the parser is built from it and
 * so is `--help`, so the two cannot disagree. Kept apart from the commands so `--help` and errors
 * need not load them.
 */
export interface CommandSpec {
  readonly name: string;
  /** One line for `sluice --help`. */
  readonly summary: string;
  /** The positional arguments, as the synopsis shows them. */
  readonly operands: string;
  readonly options: readonly OptionSpec[];
  readonly examples: readonly { readonly command: string; readonly says: string }[];
}

const HELP: OptionSpec = { name: 'help', short: 'h', help: "show this command's help", default: 'off' };

const JSON_STATUS: OptionSpec = {
  name: 'json',
  help: 'one JSON object per line: status every second, and {"event": …} lines for engine events',
  default: 'when stdout is not a terminal',
};

/** The engine's alerts as a log; the same lines go to the --json stream. */
export const LOG_OPTIONS: readonly OptionSpec[] = [
  { name: 'log', value: 'FILE', help: 'append a line per engine event (peers, trackers, failed pieces, errors) to FILE', default: 'no log file' },
  { name: 'verbose', short: 'v', help: 'print those lines on stderr as they happen', default: 'off' },
];

const STATE: OptionSpec = { name: 'state', value: 'DIR', help: 'where resume data and the DHT routing table are kept', default: '$SLUICE_STATE_DIR, else ~/.local/state/sluice' };
const PEER: OptionSpec = { name: 'peer', value: 'HOST:PORT', repeat: true, help: 'connect to this peer too ([v6]:PORT for IPv6)', default: 'none' };

/** The options `download` and `seed` share: which swarms to join and how. */
export const SWARM_OPTIONS: readonly OptionSpec[] = [
  { name: 'no-dht', help: 'do not use the DHT to find peers', default: 'DHT on' },
  { name: 'dht-bootstrap', value: 'HOST:PORT', repeat: true, help: 'start the DHT from this node instead of the public routers', default: 'the public routers' },
  { name: 'no-lsd', help: 'do not look for peers on the LAN (Local Service Discovery)', default: 'LSD on, unless SLUICE_LSD=0' },
  { name: 'no-webrtc', help: 'stay out of the WebRTC swarm (browsers, through ws:// trackers)', default: 'WebRTC on' },
  { name: 'no-tcp', help: 'stay out of the TCP swarm: no listening, HTTP/UDP trackers, DHT or LSD', default: 'TCP on' },
  { name: 'webrtc-host', value: 'ADDR', help: 'bind WebRTC to this local address', default: 'every routable interface; loopback or link-local when there is none' },
  { name: 'stun', value: 'URL', repeat: true, help: 'use this STUN server for WebRTC (stun: or stuns: URL)', default: DEFAULT_ICE_SERVERS.map((s) => s.urls).join(', ') },
  { name: 'no-stun', help: 'use no STUN server (not needed offline: unreachable STUN never blocks the local addresses)', default: 'STUN on' },
  { name: 'encryption', value: 'POLICY', help: 'prefer-plaintext, prefer-encrypted or require (MSE/PE on TCP)', default: 'prefer-plaintext' },
  { name: 'download-limit', value: 'RATE', help: 'most bytes per second to download, such as 500K or 2M; 0 for no limit', default: '0' },
  { name: 'upload-limit', value: 'RATE', help: 'most bytes per second to upload, such as 500K or 2M; 0 for no limit', default: '0' },
  { name: 'max-peers', value: 'N', help: 'most peers connected at once for the torrent', default: '50' },
];

const TRACKER_URL = 'http, https, udp, ws or wss';

export const COMMAND_SPECS: readonly CommandSpec[] = [
  {
    name: 'info',
    summary: 'show what a torrent file or magnet link holds',
    operands: '<file.torrent | magnet>',
    options: [{ name: 'json', help: 'print one JSON object instead of a summary', default: 'off' }, HELP],
    examples: [
      { command: 'sluice info album.torrent', says: 'name, size, trackers, and the files numbered for --select' },
      { command: "sluice info 'magnet:?xt=urn:btih:…' --json", says: 'what a magnet link names, as JSON' },
    ],
  },
  {
    name: 'create',
    summary: 'make a .torrent from a file or folder and print its magnet link',
    operands: '<path>',
    options: [
      { name: 'output', short: 'o', value: 'FILE', help: 'where to write the .torrent', default: '<name>.torrent in the current folder' },
      { name: 'announce', short: 'a', value: 'URL', repeat: true, help: `a tracker tier (${TRACKER_URL}); commas put several trackers in one tier`, default: 'none' },
      { name: 'webseed', short: 'w', value: 'URL', repeat: true, help: 'a web seed (BEP 19), http or https', default: 'none' },
      { name: 'piece-length', value: 'BYTES', help: 'piece size, a power of two from 16K to 16M', default: 'chosen from the total size' },
      { name: 'private', help: 'mark it private (BEP 27): peers from its trackers only', default: 'public' },
      { name: 'comment', short: 'c', value: 'TEXT', help: 'a comment stored in the torrent', default: 'none' },
      { name: 'hybrid', help: 'make a hybrid v1 + v2 torrent (BEP 52)', default: 'v1 only' },
      { name: 'force', short: 'f', help: 'overwrite the output file if it exists', default: 'refuse to overwrite' },
      { name: 'json', help: 'print the result as one JSON object', default: 'off' },
      HELP,
    ],
    examples: [
      { command: 'sluice create album/ --announce udp://tracker.example:6969', says: 'write album.torrent with one tracker' },
      { command: 'sluice create film.mkv -o film.torrent --webseed https://example.org/film.mkv --hybrid', says: 'a hybrid torrent with a web seed' },
    ],
  },
  {
    name: 'download',
    summary: 'download a torrent, magnet link or info hash (then seed with --seed)',
    operands: '<torrent | magnet | infohash>',
    options: [
      { name: 'out', short: 'o', value: 'DIR', help: 'where the files go', default: 'the current folder' },
      PEER,
      { name: 'tracker', short: 't', value: 'URL', repeat: true, help: `announce to this tracker too (${TRACKER_URL})`, default: "the torrent's own trackers" },
      ...SWARM_OPTIONS,
      { name: 'select', value: 'N,M-K', help: 'download only these files, numbered as sluice info prints them', default: 'every file' },
      { name: 'seed', help: 'keep seeding once complete, until Ctrl-C', default: 'exit once complete' },
      { name: 'sequential', help: 'fetch pieces in order (for playing while downloading)', default: 'rarest first' },
      { name: 'port', short: 'p', value: 'N', help: 'TCP port to listen on; 0 for a free one', default: '0' },
      STATE,
      JSON_STATUS,
      ...LOG_OPTIONS,
      HELP,
    ],
    examples: [
      { command: 'sluice download album.torrent --out ~/Music', says: 'download into ~/Music, then exit' },
      { command: "sluice download 'magnet:?xt=urn:btih:…' --seed --upload-limit 1M", says: 'download, then seed at up to 1 MiB/s until Ctrl-C' },
      { command: 'sluice download album.torrent --select 1,3-5 --verbose', says: 'four of its files, telling on stderr why each peer came and went' },
      { command: 'sluice download album.torrent --json --log peers.log', says: 'JSON lines for a script, and an event log in peers.log' },
    ],
  },
  {
    name: 'seed',
    summary: 'share a file, folder or .torrent with the swarm and print its magnet link',
    operands: '<path | file.torrent>',
    options: [
      { name: 'data', short: 'd', value: 'DIR', help: "the folder holding a .torrent's data (not for a path)", default: 'the current folder' },
      { name: 'port', short: 'p', value: 'N', help: 'TCP port to listen on; 0 for a free one', default: '0' },
      { name: 'tracker', short: 't', value: 'URL', repeat: true, help: `announce to this tracker too (${TRACKER_URL}); a path's torrent lists it`, default: "the torrent's own trackers" },
      PEER,
      ...SWARM_OPTIONS,
      STATE,
      JSON_STATUS,
      ...LOG_OPTIONS,
      HELP,
    ],
    examples: [
      { command: 'sluice seed album/ --tracker wss://tracker.example', says: 'hash album/, print its magnet link, seed until Ctrl-C' },
      { command: 'sluice seed album.torrent --data ~/Music --log seed.log', says: 'seed the data in ~/Music/album, logging peers to seed.log' },
    ],
  },
  {
    name: 'serve',
    summary: 'serve the Sluice web app, with a tracker and the bridge to the classic swarm built in',
    operands: '[torrent | magnet | infohash ...]',
    options: [
      { name: 'port', short: 'p', value: 'N', help: 'port to listen on', default: '8787, or the next free one' },
      { name: 'host', value: 'H', help: 'address to listen on; any but loopback needs the bridge token', default: '127.0.0.1' },
      { name: 'app', value: 'DIR', help: 'the built web app to serve', default: 'dist/ of this checkout' },
      { name: 'out', short: 'o', value: 'DIR', help: 'where the sidecar keeps what it downloads for browsers (their only view of this disk)', default: 'downloads/ in the --state folder' },
      STATE,
      {
        name: 'token',
        value: 'T',
        repeat: true,
        help: "the token browsers need for the bridge (/bridge?token=T); NAME=T, given once per person, gives each their own torrents and <out>/NAME",
        default: 'none on loopback; a random one otherwise',
      },
      { name: 'allow-origin', value: 'ORIGIN', repeat: true, help: 'let pages from this origin (https://host:port) use the bridge too', default: "only the server's own" },
      { name: 'cert', value: 'FILE', help: 'serve HTTPS and WSS with this certificate (PEM; with --key)', default: 'plain HTTP' },
      { name: 'key', value: 'FILE', help: "the certificate's private key (PEM)", default: 'none' },
      { name: 'no-bridge', help: 'serve the app and tracker only: no engine, no /bridge', default: 'bridge on' },
      { name: 'peer-port', value: 'N', help: "TCP port of the sidecar's engine in the classic swarm; 0 for a free one", default: '0' },
      ...SWARM_OPTIONS,
      { name: 'json', help: 'print the URLs as one JSON object, and events as {"event": …} lines', default: 'off' },
      { name: 'log', value: 'FILE', help: 'append a line per request, tracker connection and bridge event to FILE', default: 'no log file' },
      { name: 'verbose', short: 'v', help: 'print those lines on stderr as they happen', default: 'off' },
      HELP,
    ],
    examples: [
      { command: 'sluice serve', says: 'the app at http://127.0.0.1:8787/, its tracker at ws://127.0.0.1:8787/announce, and the bridge' },
      { command: 'sluice serve --port 9000 --verbose', says: 'on port 9000, printing each request on stderr' },
      { command: "sluice serve film.torrent 'magnet:?xt=…'", says: "the sidecar downloads and seeds these too; the app lists them (remote mode) and streams their files" },
      { command: 'sluice serve --host 0.0.0.0 --cert cert.pem --key key.pem --out ~/Videos', says: 'for the LAN over HTTPS, printing the URL (with its token) to open' },
      { command: 'sluice serve --host 0.0.0.0 --token ann=S3cretAnn1 --token bo=S3cretBo22', says: 'two people, each with their own URL, torrents and folder; neither sees the other\'s' },
    ],
  },
  {
    name: 'tracker',
    summary: 'run a tracker: WebSocket signalling, HTTP and UDP announce, /stats, /metrics',
    operands: '',
    options: [
      { name: 'port', short: 'p', value: 'N', help: 'port for HTTP, WebSocket and UDP alike', default: '8000' },
      { name: 'host', value: 'H', help: 'address to listen on', default: '127.0.0.1' },
      { name: 'json', help: 'print the URLs as one JSON object', default: 'off' },
      HELP,
    ],
    examples: [
      { command: 'sluice tracker --host 0.0.0.0 --port 6969', says: 'a tracker for the LAN on port 6969' },
      { command: 'sluice tracker --json', says: 'print its ws://, http:// and udp:// announce URLs as JSON' },
    ],
  },
];

export function commandSpec(name: string): CommandSpec {
  const spec = COMMAND_SPECS.find((c) => c.name === name);
  if (!spec) throw new Error(`no such command: ${name}`);
  return spec;
}

/** The short synopsis that mistakes quote: `sluice download <torrent | magnet | infohash> [options]`. */
export function shortUsage(spec: CommandSpec): string {
  return `sluice ${spec.name}${spec.operands ? ` ${spec.operands}` : ''} [options] (see sluice ${spec.name} --help)`;
}
