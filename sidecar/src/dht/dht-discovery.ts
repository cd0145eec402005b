import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import DHT from 'bittorrent-dht';
import type { PeerDiscovery } from '../../../src/core/engine/context.js';
import { formatHostPort } from '../../../src/core/engine/address.js';
import { toHex } from '../../../src/core/util/hex.js';

/** The routers mainline clients start from; used only when no saved routing table exists. */
export const DEFAULT_DHT_BOOTSTRAP = ['router.bittorrent.com:6881', 'router.utorrent.com:6881', 'dht.transmissionbt.com:6881', 'dht.libtorrent.org:25401'];

export interface DhtDiscoveryOptions {
  /** UDP port for the DHT node; 0 picks one. */
  readonly port: number;
  readonly host?: string;
  /** `host:port` nodes to start from; defaults to the public routers. */
  readonly bootstrap?: readonly string[];
  /** Where the routing table is saved between runs (BEP 5 suggests keeping it). */
  readonly tablePath?: string;
}

export interface DhtDiscovery extends PeerDiscovery {
  readonly port: number;
  /** Saves the routing table and stops the node. */
  close(): Promise<void>;
}

/** The mainline DHT (BEP 5) as a PeerDiscovery, on the bittorrent-dht node. */
export async function startDht(options: DhtDiscoveryOptions): Promise<DhtDiscovery> {
  const saved = options.tablePath ? await loadTable(options.tablePath) : [];
  const bootstrap = [...(options.bootstrap ?? DEFAULT_DHT_BOOTSTRAP)];
  const dht = new DHT({ bootstrap, ...(options.host ? { host: options.host } : {}) });
  dht.on('error', () => {});
  dht.on('warning', () => {});
  for (const node of saved) dht.addNode(node);
  await new Promise<void>((resolve) => dht.listen(options.port, options.host ?? '0.0.0.0', () => resolve()));
  const port = dht.address().port;
  const listeners = new Map<string, Set<(address: string) => void>>();
  dht.on('peer', (peer: { host: string; port: number }, infoHash: Buffer) => {
    for (const found of listeners.get(infoHash.toString('hex')) ?? []) found(formatHostPort(peer.host, peer.port));
  });
  return {
    port,
    source: 'dht',
    // BEP 5 peers expire after about 30 minutes; announcing every 15 keeps us listed.
    intervalMs: 15 * 60_000,
    lookup(infoHash, found) {
      const key = toHex(infoHash);
      let set = listeners.get(key);
      if (!set) listeners.set(key, (set = new Set()));
      set.add(found);
      dht.lookup(Buffer.from(infoHash));
    },
    announce(infoHash, announcePort) {
      dht.announce(Buffer.from(infoHash), announcePort, () => {});
    },
    async close() {
      if (options.tablePath) await saveTable(options.tablePath, dht.toJSON().nodes).catch(() => {});
      await new Promise<void>((resolve) => dht.destroy(() => resolve()));
    },
  };
}

async function loadTable(path: string): Promise<{ host: string; port: number }[]> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as unknown;
    if (!Array.isArray(parsed)) return [];
    return parsed
      .filter((n): n is { host: string; port: number } => typeof n?.host === 'string' && Number.isInteger(n?.port))
      .slice(0, 1000);
  } catch {
    return [];
  }
}

async function saveTable(path: string, nodes: { host: string; port: number }[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(nodes.slice(0, 1000).map((n) => ({ host: n.host, port: n.port }))));
  await rename(tmp, path);
}
