import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import type { PeerDiscovery } from '../../../src/core/engine/context.js';
import { formatHostPort } from '../../../src/core/engine/address.js';
import { encodeLsdAnnounce, LSD_IPV4_GROUP, LSD_PORT, parseLsdAnnounce } from '../../../src/core/lsd/message.js';
import { toHex } from '../../../src/core/util/hex.js';

/** BEP 14: announce a torrent no more than once a minute... */
const MIN_ANNOUNCE_GAP_MS = 60_000;
/** ...and every five minutes while it runs, as libtorrent does. */
const ANNOUNCE_INTERVAL_MS = 5 * 60_000;

export interface LsdOptions {
  /** The UDP port every LSD peer listens on (6771); other values only make sense in tests. */
  readonly port?: number;
  readonly group?: string;
}

export interface LsdDiscovery extends PeerDiscovery {
  close(): Promise<void>;
}

interface Watched {
  readonly found: Set<(address: string) => void>;
  /** Our TCP port and when we last told the group about it; null until the torrent announces. */
  announced: { port: number; at: number } | null;
}

/**
 * Local Service Discovery (BEP 14) on the IPv4 group: finds peers on the same LAN without a tracker or
 * the DHT. Returns null where the host has no multicast route, the port is taken without address reuse,
 * or the group cannot be joined: LSD is a convenience, never a reason to fail a session.
 */
export async function startLsd(options: LsdOptions = {}): Promise<LsdDiscovery | null> {
  const port = options.port ?? LSD_PORT;
  const group = options.group ?? LSD_IPV4_GROUP;
  // Multicast loops our own datagrams back to us; the cookie tells them apart from a neighbour's.
  const cookie = randomBytes(4).toString('hex');
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  const watched = new Map<string, Watched>();
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.addMembership(group);
    socket.setMulticastTTL(1);
    socket.setMulticastLoopback(true);
  } catch {
    socket.close();
    return null;
  }
  socket.on('error', () => {});
  socket.unref();

  const send = (infoHash: Uint8Array, entry: Watched, tcpPort: number, now: number) => {
    entry.announced = { port: tcpPort, at: now };
    socket.send(encodeLsdAnnounce({ group, port: tcpPort, infoHash, cookie }), port, group, () => {});
  };

  socket.on('message', (msg, rinfo) => {
    let announce;
    try {
      announce = parseLsdAnnounce(new Uint8Array(msg.buffer, msg.byteOffset, msg.length));
    } catch {
      return;
    }
    if (announce.cookie === cookie) return;
    const address = formatHostPort(rinfo.address, announce.port);
    for (const infoHash of announce.infoHashes) {
      const entry = watched.get(toHex(infoHash));
      if (!entry) continue;
      for (const found of entry.found) found(address);
      // A newcomer learns of us at once instead of at our next periodic announce, within BEP 14's limit.
      const now = Date.now();
      if (entry.announced && now - entry.announced.at >= MIN_ANNOUNCE_GAP_MS) send(infoHash, entry, entry.announced.port, now);
    }
  });

  const entryFor = (infoHash: Uint8Array): Watched => {
    const key = toHex(infoHash);
    let entry = watched.get(key);
    if (!entry) watched.set(key, (entry = { found: new Set(), announced: null }));
    return entry;
  };

  return {
    source: 'lsd',
    intervalMs: ANNOUNCE_INTERVAL_MS,
    lookup(infoHash, found) {
      entryFor(infoHash).found.add(found);
    },
    announce(infoHash, tcpPort) {
      if (tcpPort <= 0) return;
      const entry = entryFor(infoHash);
      const now = Date.now();
      if (entry.announced && now - entry.announced.at < MIN_ANNOUNCE_GAP_MS) return;
      send(infoHash, entry, tcpPort, now);
    },
    async close() {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
