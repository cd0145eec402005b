import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { PeerDiscovery } from '../../../src/core/engine/context.js';
import { Session, type SessionDeps } from '../../../src/core/engine/session.js';
import type { SessionSettings } from '../../../src/core/api/types.js';
import type { Hasher } from '../../../src/core/ports/hasher.js';
import type { StorageFactory } from '../../../src/core/ports/storage.js';
import type { DhtDiscovery } from '../dht/dht-discovery.js';
import { nodeHasher } from '../hash/node-hasher.js';
import { startLsd } from '../lsd/lsd-discovery.js';
import { fsStorage } from '../storage/fs-store.js';
import { alignedPieceBuffer } from '../storage/aligned-buffers.js';
import { listenTcp, tcpDialer, type TcpListener } from '../transport/tcp.js';
import { nodeTrackerClient } from './node-trackers.js';
import { nodeWebSocket } from './ws-socket.js';
import { WsTrackerClient } from '../../../src/core/tracker/ws-client/ws-tracker-client.js';
import type { TrackerClient } from '../../../src/core/ports/tracker.js';
import type { RtcConnector, RtcIceServer } from '../../../src/core/ports/rtc.js';
import type { NodeRtcOptions } from '../webrtc/node-rtc-connector.js';
import { toNativeIceServers } from '../webrtc/ice-servers.js';
import { adaptFetch } from '../../../src/core/webseed/index.js';
import { resumeFiles } from './resume-files.js';
import { keepYoungGenerationSmall } from './young-generation.js';

export interface NodeSessionOptions {
  /** Where torrents are stored by default. */
  readonly downloadDir: string;
  /** Where resume data and the DHT table live. */
  readonly stateDir: string;
  /** TCP (and DHT UDP) port; 0 picks a free one. */
  readonly port?: number;
  readonly host?: string;
  readonly dht?: boolean | { readonly bootstrap?: readonly string[] };
  /** Local Service Discovery (BEP 14) on the LAN's multicast group (default false here; the CLI turns it on). */
  readonly lsd?: boolean;
  /** Join the WebRTC swarm through ws:// and wss:// trackers (default true). */
  readonly webrtc?: boolean | { readonly iceServers?: readonly RtcIceServer[]; readonly bindAddress?: string };
  /** Join the classic TCP swarm: listen, dial, HTTP/UDP trackers, DHT (default true). */
  readonly tcp?: boolean;
  readonly settings?: Partial<SessionSettings>;
  readonly hasher?: Hasher;
  readonly storage?: StorageFactory;
  /** Keep V8's young generation small, process-wide (default true; see young-generation.ts): ~20 MiB less RSS while downloading. */
  readonly smallYoungGeneration?: boolean;
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
  if (options.smallYoungGeneration ?? true) keepYoungGenerationSmall();
  let session: Session | null = null;
  const tcp = options.tcp ?? true;
  const listener: TcpListener | null = tcp
    ? await listenTcp({ port: options.port ?? 6881, ...(options.host ? { host: options.host } : {}) }, (t) => {
        if (session) session.accept(t);
        else t.close();
      })
    : null;
  let dht: DhtDiscovery | null = null;
  if (options.dht && listener) {
    const bootstrap = typeof options.dht === 'object' ? options.dht.bootstrap : undefined;
    // Loaded only when asked for: bittorrent-dht costs ~65 ms of CPU to load, every --no-dht run included.
    const { startDht } = await import('../dht/dht-discovery.js');
    dht = await startDht({
      port: listener?.port ?? 0,
      ...(options.host ? { host: options.host } : {}),
      ...(bootstrap ? { bootstrap } : {}),
      tablePath: join(options.stateDir, 'dht.json'),
    });
  }
  const lsd = options.lsd && listener ? await startLsd() : null;
  const discovery: PeerDiscovery[] = [...(dht ? [dht] : []), ...(lsd ? [lsd] : [])];
  const webrtc = options.webrtc ?? true;
  const rtc = webrtc
    ? lazyRtcConnector({
        ...(typeof webrtc === 'object' && webrtc.iceServers ? { iceServers: webrtc.iceServers } : {}),
        ...(typeof webrtc === 'object' && webrtc.bindAddress ? { bindAddress: webrtc.bindAddress } : {}),
      })
    : null;
  // HTTP/UDP trackers for the classic swarm, WebSocket trackers (WebRTC offers) for the browser swarm.
  const trackers = (url: string): TrackerClient | null => {
    const scheme = url.slice(0, url.indexOf(':'));
    if (scheme === 'ws' || scheme === 'wss') {
      if (!rtc) return null;
      return new WsTrackerClient(url, {
        socket: nodeWebSocket,
        rtc,
        timer: (ms, run) => {
          const t = setTimeout(run, ms);
          t.unref();
          return () => clearTimeout(t);
        },
        random: (n) => new Uint8Array(randomBytes(n)),
        onPeer: (infoHash, transport, peerId) => (session ? session.acceptBrokered(infoHash, transport, peerId) : transport.close()),
        onOfferFailed: (infoHash, trackerUrl) => session?.offerFailed(infoHash, trackerUrl),
      });
    }
    return tcp ? nodeTrackerClient(url) : null;
  };
  const deps: SessionDeps = {
    clock: { now: () => Date.now() },
    random: { bytes: (n) => new Uint8Array(randomBytes(n)), float: () => Math.random() },
    hasher: options.hasher ?? nodeHasher,
    storage: options.storage ?? fsStorage({ directory: options.downloadDir }),
    dialers: tcp ? [tcpDialer()] : [],
    trackers,
    resume: resumeFiles(options.stateDir),
    http: adaptFetch((url, init) => fetch(url, init), () => new AbortController()),
    discovery,
    pieceBuffer: alignedPieceBuffer,
    settings: { ...options.settings, listenPort: listener?.port ?? 0 },
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
    port: listener?.port ?? 0,
    dhtPort: dht?.port ?? null,
    async close(graceMs = 1500) {
      stopped = true;
      if (timer) clearTimeout(timer);
      const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([s.close(), grace]);
      rtc?.close();
      await Promise.race([Promise.allSettled([listener?.close(), dht?.close(), lsd?.close()]), new Promise<void>((r) => setTimeout(r, 300).unref())]);
    },
  };
}

/**
 * The WebRTC connector, loaded on its first offer or answer: node-datachannel is a native module
 * (~25 ms of CPU to load), and a session whose torrents have no ws:// tracker never needs it.
 * The ICE servers are checked at once, so a bad one still fails the session's start.
 */
function lazyRtcConnector(options: NodeRtcOptions): RtcConnector {
  if (options.iceServers) toNativeIceServers(options.iceServers);
  let connector: Promise<RtcConnector> | null = null;
  let loaded: RtcConnector | null = null;
  const load = () =>
    (connector ??= import('../webrtc/node-rtc-connector.js').then((m) => (loaded = new m.NodeRtcConnector(options))));
  return {
    createOffer: async () => (await load()).createOffer(),
    acceptOffer: async (sdp) => (await load()).acceptOffer(sdp),
    // A connector still loading is closed as soon as it exists, so nothing it starts outlives the session.
    // (A failed load was reported to the offer that started it; closing must not raise it again.)
    close: () => void (loaded ? loaded.close() : connector?.then((c) => c.close(), () => undefined)),
  };
}
