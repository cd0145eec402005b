// libtorrent (Debian python3-libtorrent) announcing one info hash to one tracker, as a child process so
// the tracker in the test process keeps running. It prints the tracker's reply, then stays a few seconds
// so it can dial the peers it was given.
import { spawn } from 'node:child_process';
import { requireTool } from '../../helpers/tools.js';

const SCRIPT = String.raw`
import json, sys, time
import libtorrent as lt
url, ih, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = lt.session({
    'listen_interfaces': '127.0.0.1:%d' % port,
    'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
    'enable_incoming_utp': False, 'enable_outgoing_utp': False,
    'allow_multiple_connections_per_ip': True,
    'alert_mask': lt.alert.category_t.tracker_notification | lt.alert.category_t.error_notification,
})
p = lt.add_torrent_params()
p.info_hashes = lt.info_hash_t(lt.sha1_hash(bytes.fromhex(ih)))
p.trackers = [url]
p.save_path = '/tmp'
h = s.add_torrent(p)
result = None
deadline = time.time() + 30
while result is None and time.time() < deadline:
    s.wait_for_alert(500)
    for a in s.pop_alerts():
        if isinstance(a, lt.tracker_reply_alert):
            result = {'peers': a.num_peers}
        elif isinstance(a, lt.tracker_error_alert):
            result = {'error': a.message()}
print(json.dumps(result or {'error': 'no tracker reply in 30 s'}), flush=True)
time.sleep(float(sys.argv[4]))
`;

export interface LibtorrentAnnounce {
  /** libtorrent's tracker_reply_alert: how many peers the tracker gave it. */
  readonly reply: Promise<{ peers?: number; error?: string }>;
  readonly exited: Promise<void>;
}

export function libtorrentAnnounce(trackerUrl: string, infoHashHex: string, listenPort: number, stayMs = 3000): LibtorrentAnnounce {
  requireTool('libtorrent');
  const child = spawn('/usr/bin/python3', ['-c', SCRIPT, trackerUrl, infoHashHex, String(listenPort), String(stayMs / 1000)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const reply = new Promise<{ peers?: number; error?: string }>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as { peers?: number; error?: string });
    });
    child.once('exit', (code) => reject(new Error(`libtorrent exited (${code}) before its tracker reply: ${err}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { reply, exited };
}
