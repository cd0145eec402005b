import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { requireTool } from './tools.js';

/**
 * A real qBittorrent (Debian's qbittorrent-nox 4.5, libtorrent 2.0 underneath), in a profile folder of
 * its own, driven through its Web API on 127.0.0.1. The profile turns off DHT, LSD, PEX, uTP and UPnP,
 * binds peers to 127.0.0.1 and lets localhost use the API without a login.
 */
export interface QBittorrent {
  readonly peerPort: number;
  /** Adds a .torrent; `skipChecking` trusts the data at `savePath` (a seeder). Returns when qBittorrent knows it. */
  add(torrentPath: string, savePath: string, options?: { skipChecking?: boolean }): Promise<void>;
  addPeer(infoHash: string, address: string): Promise<void>;
  /** The torrent's progress (0..1) and state as qBittorrent reports them, or null before it is listed. */
  info(infoHash: string): Promise<{ progress: number; state: string } | null>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function config(peerPort: number, webPort: number): string {
  return [
    '[LegalNotice]',
    'Accepted=true',
    '',
    '[BitTorrent]',
    'Session\\DHTEnabled=false',
    'Session\\LSDEnabled=false',
    'Session\\PeXEnabled=false',
    `Session\\Port=${peerPort}`,
    'Session\\BTProtocol=TCP',
    'Session\\InterfaceAddress=127.0.0.1',
    'Session\\QueueingSystemEnabled=false',
    '',
    '[Preferences]',
    'WebUI\\Address=127.0.0.1',
    `WebUI\\Port=${webPort}`,
    'WebUI\\LocalHostAuth=false',
    'WebUI\\CSRFProtection=false',
    'WebUI\\HostHeaderValidation=false',
    'Connection\\UPnP=false',
    '',
  ].join('\n');
}

export async function startQBittorrent(): Promise<QBittorrent> {
  requireTool('qbittorrent');
  const profile = mkdtempSync(join(tmpdir(), 'sluice-qbt-'));
  const peerPort = await freePort();
  const webPort = await freePort();
  mkdirSync(join(profile, 'qBittorrent', 'config'), { recursive: true });
  writeFileSync(join(profile, 'qBittorrent', 'config', 'qBittorrent.conf'), config(peerPort, webPort));
  const child: ChildProcess = spawn('qbittorrent-nox', [`--profile=${profile}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const api = `http://127.0.0.1:${webPort}/api/v2`;
  const call = async (path: string, body?: FormData | URLSearchParams): Promise<string> => {
    const res = await fetch(`${api}${path}`, body ? { method: 'POST', body } : {});
    const text = await res.text();
    if (!res.ok) throw new Error(`qBittorrent ${path}: HTTP ${res.status} ${text}`);
    return text;
  };
  // The Web API answers once qBittorrent is up.
  for (;;) {
    if (child.exitCode !== null) throw new Error(`qbittorrent-nox exited (${child.exitCode}): ${stderr}`);
    try {
      await call('/app/webapiVersion');
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    peerPort,
    async add(torrentPath, savePath, options = {}) {
      const form = new FormData();
      form.append('torrents', new Blob([readFileSync(torrentPath)]), basename(torrentPath));
      form.append('savepath', savePath);
      if (options.skipChecking) form.append('skip_checking', 'true');
      const reply = await call('/torrents/add', form);
      if (reply.trim() !== 'Ok.') throw new Error(`qBittorrent refused the torrent: ${reply}`);
    },
    async addPeer(infoHash, address) {
      await call('/torrents/addPeers', new URLSearchParams({ hashes: infoHash, peers: address }));
    },
    async info(infoHash) {
      const list = JSON.parse(await call(`/torrents/info?hashes=${infoHash}`)) as { progress: number; state: string }[];
      const t = list[0];
      return t ? { progress: t.progress, state: t.state } : null;
    },
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
