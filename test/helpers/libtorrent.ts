import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { followJsonLines } from './json-line-child.js';
import { runPython, requireTool } from './tools.js';

/**
 * A real libtorrent peer (Debian python3-libtorrent, run by /usr/bin/python3) driven as a child
 * process. It prints one JSON object per line: `listening` (its port), `added`, `metadata`,
 * `status` (state, progress, peers; on every change and every second), `finished`, `peer`
 * (connect/disconnect with libtorrent's reason) and `error`. Lines on stdin: `connect PORT` dials
 * 127.0.0.1:PORT; end of stdin (the test process gone) ends it, so no peer outlives its test.
 */
const PEER_SCRIPT = String.raw`
import json, sys, threading, time
import libtorrent as lt

cfg = json.loads(sys.argv[1])
lock = threading.Lock()

def emit(**kw):
    with lock:
        sys.stdout.write(json.dumps(kw) + '\n')
        sys.stdout.flush()

settings = {
    'listen_interfaces': '127.0.0.1:%d' % cfg.get('port', 0),
    'enable_dht': False, 'enable_lsd': bool(cfg.get('lsd')), 'enable_upnp': False, 'enable_natpmp': False,
    'enable_incoming_utp': False, 'enable_outgoing_utp': False,
    'enable_incoming_tcp': True, 'enable_outgoing_tcp': True,
    # Every peer here is 127.0.0.1: a second connection from the same address must not be refused.
    'allow_multiple_connections_per_ip': True,
    'alert_mask': lt.alert.category_t.status_notification | lt.alert.category_t.error_notification
        | lt.alert.category_t.connect_notification | lt.alert.category_t.peer_notification
        | lt.alert.category_t.storage_notification,
}
if cfg.get('uploadLimit'):
    settings['upload_rate_limit'] = int(cfg['uploadLimit'])
    # Loopback is a local network: without this the limit would not apply to it.
    settings['ignore_limits_on_local_network'] = False
if cfg.get('verbose'):
    settings['alert_mask'] = lt.alert.category_t.all_categories
if cfg.get('plaintext'):
    settings['out_enc_policy'] = lt.enc_policy.disabled
    settings['in_enc_policy'] = lt.enc_policy.disabled
if cfg.get('forceRc4'):
    settings['out_enc_policy'] = lt.enc_policy.forced
    settings['in_enc_policy'] = lt.enc_policy.forced
    settings['allowed_enc_level'] = lt.enc_level.rc4
ses = lt.session(settings)

if cfg.get('magnet'):
    atp = lt.parse_magnet_uri(cfg['magnet'])
else:
    atp = lt.add_torrent_params()
    atp.ti = lt.torrent_info(cfg['torrent'])
atp.save_path = cfg['savePath']
if cfg.get('seedMode'):
    atp.flags |= lt.torrent_flags.seed_mode
# Added torrents start paused and auto-managed: until the queue manager starts it (a moment later),
# libtorrent drops incoming connections for it, and the dialler waits out its reconnect back-off.
atp.flags &= ~(lt.torrent_flags.paused | lt.torrent_flags.auto_managed)
handle = ses.add_torrent(atp)

# The listen socket is open once add_torrent returns; listen_port() is the port it got.
emit(type='listening', port=ses.listen_port())
ih = handle.info_hashes()
emit(type='added', v1=str(ih.v1) if ih.has_v1() else None, v2=str(ih.v2) if ih.has_v2() else None)

def connect(port):
    handle.connect_peer(('127.0.0.1', port))

for p in cfg.get('peers', []):
    connect(p)

stop = threading.Event()
def read_stdin():
    for line in sys.stdin:
        parts = line.split()
        if len(parts) == 2 and parts[0] == 'connect':
            connect(int(parts[1]))
    stop.set()
threading.Thread(target=read_stdin, daemon=True).start()

# libtorrent 2.0 hashes a piece from its write buffer and may count it before the bytes reach the
# file: 'seeding' and 'finished' are reported only once a flush (a fence behind every queued write)
# has completed, so a test that then reads the files sees every byte.
flush_asked = False
flushed = False
finished_seen = False
last = None
last_time = 0.0
while not stop.is_set():
    ses.wait_for_alert(200)
    for a in ses.pop_alerts():
        if isinstance(a, lt.torrent_finished_alert):
            finished_seen = True
            if flushed:
                emit(type='finished')
        elif isinstance(a, lt.cache_flushed_alert):
            flushed = True
            if finished_seen:
                emit(type='finished')
        elif isinstance(a, lt.metadata_received_alert):
            emit(type='metadata')
        elif isinstance(a, (lt.torrent_error_alert, lt.file_error_alert, lt.metadata_failed_alert, lt.hash_failed_alert)):
            emit(type='error', alert=type(a).__name__, message=a.message())
        elif isinstance(a, (lt.peer_connect_alert, lt.peer_disconnected_alert, lt.peer_error_alert)):
            emit(type='peer', alert=type(a).__name__, message=a.message())
        elif cfg.get('verbose'):
            emit(type='log', alert=type(a).__name__, message=a.message())
    s = handle.status()
    if s.is_seeding and not flush_asked:
        flush_asked = True
        handle.flush_cache()
    now = (str(s.state), round(s.progress, 4), s.num_peers, s.is_seeding and flushed)
    if now != last or time.time() - last_time >= 1.0:
        last, last_time = now, time.time()
        # The flush gates the line's 'seeding' too, not only the change check: it said is_seeding
        # raw, so a test waiting for it read a file before its last bytes were written (CI, once).
        emit(type='status', state=now[0], progress=s.progress, peers=s.num_peers, seeding=now[3],
             downloaded=s.total_payload_download, uploaded=s.total_payload_upload)
`;

export type LibtorrentLine =
  | { type: 'listening'; port: number }
  | { type: 'added'; v1: string | null; v2: string | null }
  | { type: 'metadata' }
  | { type: 'status'; state: string; progress: number; peers: number; seeding: boolean; downloaded: number; uploaded: number }
  | { type: 'finished' }
  | { type: 'peer'; alert: string; message: string }
  | { type: 'error'; alert: string; message: string }
  | { type: 'log'; alert: string; message: string };

export interface LibtorrentOptions {
  /** A .torrent path, or `magnet` instead. */
  readonly torrent?: string;
  readonly magnet?: string;
  /** libtorrent's save_path: the folder that holds (or will hold) the torrent's name. */
  readonly savePath: string;
  /** Trust the data at savePath as complete (a fast seeder); libtorrent checks pieces as it sends them. */
  readonly seedMode?: boolean;
  /** Ports on 127.0.0.1 to dial at once. */
  readonly peers?: readonly number[];
  /** Disable MSE/PE both ways (libtorrent's default tries encryption first on outgoing connections). */
  readonly plaintext?: boolean;
  /** MSE/PE forced both ways with RC4 only (pe_forced, pe_rc4): plaintext peers are refused. */
  readonly forceRc4?: boolean;
  /** Most bytes per second it uploads (loopback included), so a test can act mid-transfer. */
  readonly uploadLimit?: number;
  /** Print every libtorrent alert (peer_log included) as `log` lines, for debugging. */
  readonly verbose?: boolean;
  /** Local Service Discovery on (only inside a network namespace: see netns.ts). */
  readonly lsd?: boolean;
  /** argv prefix to run it under, e.g. a network namespace's `ip netns exec NAME`. */
  readonly prefix?: readonly string[];
}

export interface LibtorrentPeer {
  readonly port: number;
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: readonly LibtorrentLine[];
  /** Resolves with the first line (seen so far or later) that matches; rejects if libtorrent exits first. */
  waitFor<T extends LibtorrentLine>(match: (line: LibtorrentLine) => line is T, giveUpMs?: number): Promise<T>;
  waitFor(match: (line: LibtorrentLine) => boolean, giveUpMs?: number): Promise<LibtorrentLine>;
  connect(port: number): void;
  /** What it printed, for failure messages. */
  transcript(): string;
  close(): Promise<void>;
}

const running = new Set<LibtorrentPeer>();

export async function startLibtorrent(options: LibtorrentOptions): Promise<LibtorrentPeer> {
  requireTool('libtorrent');
  const argv = [...(options.prefix ?? []), '/usr/bin/python3', '-u', '-c', PEER_SCRIPT, JSON.stringify(options)];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  const followed = followJsonLines<LibtorrentLine>('libtorrent', child, { killAfterMs: 3000 });
  const { lines, waitFor, transcript } = followed;

  const listening = (await waitFor((l) => l.type === 'listening')) as { type: 'listening'; port: number };
  const peer: LibtorrentPeer = {
    port: listening.port,
    child,
    lines,
    waitFor: waitFor as LibtorrentPeer['waitFor'],
    connect: (port) => child.stdin.write(`connect ${port}\n`),
    transcript,
    close: async () => {
      running.delete(peer);
      await followed.stop();
    },
  };
  running.add(peer);
  return peer;
}

/** Ends every libtorrent peer still running (for afterEach, so a failed test leaves none behind). */
export async function stopAllLibtorrent(): Promise<void> {
  await Promise.all([...running].map((p) => p.close()));
}

/**
 * Makes a .torrent of `path` (a file or folder) with libtorrent's own creator; returns its info hashes.
 * `v1Only` false makes a hybrid (libtorrent 2.0's default).
 */
export function libtorrentCreate(path: string, out: string, options: { pieceLength?: number; v1Only?: boolean } = {}): { v1: string | null; v2: string | null } {
  const script = String.raw`
import json, os, sys
import libtorrent as lt
path, out, piece_length, v1_only = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == '1'
fs = lt.file_storage()
lt.add_files(fs, path)
ct = lt.create_torrent(fs, piece_length, flags=lt.create_torrent.v1_only if v1_only else 0)
lt.set_piece_hashes(ct, os.path.dirname(os.path.abspath(path)))
data = lt.bencode(ct.generate())
with open(out, 'wb') as f:
    f.write(data)
ih = lt.torrent_info(out).info_hashes()
print(json.dumps({'v1': str(ih.v1) if ih.has_v1() else None, 'v2': str(ih.v2) if ih.has_v2() else None}))
`;
  return JSON.parse(runPython(script, [path, out, String(options.pieceLength ?? 0), options.v1Only ? '1' : '0'])) as { v1: string | null; v2: string | null };
}
