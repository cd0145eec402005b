import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { PeerDiscovery } from '../../../src/core/engine/context.js';
import { Session, type SessionDeps } from '../../../src/core/engine/session.js';
import type { SessionSettings } from '../../../src/core/api/types.js';
import type { Hasher } from '../../../src/core/ports/hasher.js';
import type { StorageFactory } from '../../../src/core/ports/storage.js';
import { startDht, type DhtDiscovery } from '../dht/dht-discovery.js';
import { nodeHasher } from '../hash/node-hasher.js';
import { fsStorage } from '../storage/fs-store.js';
import { listenTcp, tcpDialer, type TcpListener } from '../transport/tcp.js';
import { nodeTrackerClient } from './node-trackers.js';
import { adaptFetch } from '../../../src/core/webseed/index.js';
import { resumeFiles } from './resume-files.js';

export interface NodeSessionOptions {
  /** Where torrents are stored by default. */
  readonly downloadDir: string;
  /** Where resume data and the DHT table live. */
  readonly stateDir: string;
  /** TCP (and DHT UDP) port; 0 picks a free one. */
  readonly port?: number;
  readonly host?: string;
  readonly dht?: boolean | { readonly bootstrap?: readonly string[] };
  readonly settings?: Partial<SessionSettings>;
  readonly hasher?: Hasher;
  readonly storage?: StorageFactory;
}

export interface NodeSession {
  readonly session: Session;
  readonly port: number;
  readonly dhtPort: number | null;
  /** Saves resume data, announces `stopped` (waiting at most `graceMs`), closes sockets. */
  close(graceMs?: number): Promise<void>;
}

/** The core Session in its Node shell: a clock, TCP in and out, HTTP/UDP trackers, the DHT, files on disk, and the tick loop. */
export async function startNodeSession(options: NodeSessionOptions): Promise<NodeSession> {
  let session: Session | null = null;
  const listener: TcpListener = await listenTcp({ port: options.port ?? 6881, ...(options.host ? { host: options.host } : {}) }, (t) => {
    if (session) session.accept(t);
    else t.close();
  });
  let dht: DhtDiscovery | null = null;
  if (options.dht) {
    const bootstrap = typeof options.dht === 'object' ? options.dht.bootstrap : undefined;
    dht = await startDht({
      port: listener.port,
      ...(options.host ? { host: options.host } : {}),
      ...(bootstrap ? { bootstrap } : {}),
      tablePath: join(options.stateDir, 'dht.json'),
    });
  }
  const discovery: PeerDiscovery[] = dht ? [dht] : [];
  const deps: SessionDeps = {
    clock: { now: () => Date.now() },
    random: { bytes: (n) => new Uint8Array(randomBytes(n)), float: () => Math.random() },
    hasher: options.hasher ?? nodeHasher,
    storage: options.storage ?? fsStorage({ directory: options.downloadDir }),
    dialers: [tcpDialer()],
    trackers: nodeTrackerClient,
    resume: resumeFiles(options.stateDir),
    http: adaptFetch((url, init) => fetch(url, init), () => new AbortController()),
    discovery,
    settings: { ...options.settings, listenPort: listener.port },
  };
  session = new Session(deps);
  const s = session;

  // The tick loop: run at the deadline the session asks for, or at once when it wakes us.
  let timer: NodeJS.Timeout | null = null;
  let scheduledAt = Infinity;
  let stopped = false;
  const schedule = (at: number) => {
    if (stopped || at >= scheduledAt) return;
    if (timer) clearTimeout(timer);
    scheduledAt = at;
    timer = setTimeout(run, Math.max(0, at - Date.now()));
  };
  const run = () => {
    timer = null;
    scheduledAt = Infinity;
    const next = s.tick();
    schedule(next ?? Date.now() + 1000);
  };
  s.onWake(() => schedule(Date.now()));
  schedule(Date.now());

  return {
    session: s,
    port: listener.port,
    dhtPort: dht?.port ?? null,
    async close(graceMs = 1500) {
      stopped = true;
      if (timer) clearTimeout(timer);
      const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([s.close(), grace]);
      await Promise.race([Promise.allSettled([listener.close(), dht?.close()]), new Promise<void>((r) => setTimeout(r, 300).unref())]);
    },
  };
}
