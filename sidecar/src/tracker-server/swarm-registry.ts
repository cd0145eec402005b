// Torrents and their peers, with time passed in: no sockets, no timers. A peer is keyed by its address
// (HTTP/UDP, as bittorrent-tracker and opentracker do) or by its peer id (WebSocket, where the address is
// the tracker connection's). Each swarm's Map is kept in announce order, so the least recently announced
// peer is always first: expiry stops at the first fresh peer, and a full swarm evicts the first one.
import { parseIpv4, parseIpv6 } from '../../../src/core/tracker/ip.js';

export type PeerKind = 'classic' | 'ws';

export interface PeerRecord<L> {
  readonly key: string;
  readonly kind: PeerKind;
  /** Binary string (one character per byte). */
  peerId: string;
  ip: string;
  port: number;
  complete: boolean;
  lastSeen: number;
  /** The WebSocket connection that owns this peer. */
  link: L | undefined;
  /** Position in its swarm's list of peers of its kind (for O(1) random picks and removals). */
  index: number;
  /**
   * Classic peers: the compact address and port (BEP 23: 6 bytes for IPv4, 18 for IPv6), made once when
   * the address changes rather than on every reply that hands the peer out. Null for WebSocket peers.
   */
  compact: Uint8Array | null;
}

/** The compact entry of a classic peer, or null when the address is neither IPv4 nor IPv6 text. */
export function compactEntry(ip: string, port: number): Uint8Array | null {
  const address = parseIpv4(ip) ?? parseIpv6(ip);
  if (address === null) return null;
  const out = new Uint8Array(address.length + 2);
  out.set(address);
  out[address.length] = port >> 8;
  out[address.length + 1] = port & 255;
  return out;
}

export interface Swarm<L> {
  /** Binary string of the 20-byte info hash. */
  readonly infoHash: string;
  /** The same as a JSON string literal, made once for the WebSocket replies that carry it. */
  readonly infoHashJson: string;
  complete: number;
  incomplete: number;
  /** `completed` events seen. */
  downloaded: number;
  readonly peers: Map<string, PeerRecord<L>>;
  /** The WebSocket announce reply frame last made for this swarm, and the counts it carries (ws-handler.ts). */
  wsReply: { readonly complete: number; readonly incomplete: number; readonly interval: number; readonly frame: Uint8Array } | null;
  readonly byKind: Record<PeerKind, PeerRecord<L>[]>;
}

export interface AnnounceInput<L> {
  readonly infoHash: string;
  readonly kind: PeerKind;
  readonly peerId: string;
  readonly ip: string;
  readonly port: number;
  /** Unknown left counts as a leecher. */
  readonly left: number | undefined;
  readonly event: 'started' | 'completed' | 'stopped' | 'paused' | 'update' | undefined;
  readonly link?: L;
}

export type AnnounceResult<L> =
  | { readonly ok: true; readonly swarm: Swarm<L>; readonly peer: PeerRecord<L> | undefined }
  | { readonly ok: false; readonly reason: string };

export interface RegistryLimits {
  readonly maxSwarms: number;
  readonly maxPeersPerSwarm: number;
  readonly peerTtlMs: number;
  readonly wsPeerTtlMs: number;
}

export interface RegistryCounts {
  torrents: number;
  peers: number;
  seeders: number;
  leechers: number;
  wsPeers: number;
  classicPeers: number;
}

export function peerKey(kind: PeerKind, peerId: string, ip: string, port: number): string {
  return kind === 'ws' ? `w${peerId}` : `c${ip}:${port}`;
}

export class SwarmRegistry<L> {
  private readonly swarms = new Map<string, Swarm<L>>();
  /** Peers dropped because they stopped announcing, and because their swarm was full. */
  expired = 0;
  evicted = 0;

  constructor(
    private readonly limits: RegistryLimits,
    private readonly random: () => number = Math.random,
    /** Told of every peer that leaves other than by `remove` (expiry, eviction), and of its torrent. */
    private readonly onDrop: (peer: PeerRecord<L>, infoHash: string) => void = () => {},
  ) {}

  get(infoHash: string): Swarm<L> | undefined {
    return this.swarms.get(infoHash);
  }

  announce(input: AnnounceInput<L>, now: number): AnnounceResult<L> {
    let swarm = this.swarms.get(input.infoHash);
    const key = peerKey(input.kind, input.peerId, input.ip, input.port);
    if (input.event === 'stopped') {
      const peer = swarm?.peers.get(key);
      if (swarm && peer && (peer.link === undefined || peer.link === input.link)) this.remove(swarm, peer);
      return swarm ? { ok: true, swarm, peer: undefined } : { ok: true, swarm: emptySwarm(input.infoHash), peer: undefined };
    }
    if (!swarm) {
      if (this.swarms.size >= this.limits.maxSwarms) return { ok: false, reason: 'tracker is full: too many torrents' };
      swarm = emptySwarm(input.infoHash);
      this.swarms.set(input.infoHash, swarm);
    }
    const seeding = input.left === 0 || input.event === 'completed';
    let peer = swarm.peers.get(key);
    if (peer) {
      swarm.peers.delete(key);
      if (seeding && !peer.complete) {
        peer.complete = true;
        swarm.complete++;
        swarm.incomplete--;
        if (input.event === 'completed') swarm.downloaded++;
      }
      peer.peerId = input.peerId;
      if (peer.kind === 'classic' && (peer.ip !== input.ip || peer.port !== input.port)) peer.compact = compactEntry(input.ip, input.port);
      peer.ip = input.ip;
      peer.port = input.port;
      peer.lastSeen = now;
      if (input.link !== undefined) peer.link = input.link;
    } else {
      if (swarm.peers.size >= this.limits.maxPeersPerSwarm) {
        const oldest = swarm.peers.values().next().value;
        if (oldest) {
          this.remove(swarm, oldest);
          this.evicted++;
          this.onDrop(oldest, swarm.infoHash);
        }
      }
      peer = { key, kind: input.kind, peerId: input.peerId, ip: input.ip, port: input.port, complete: seeding, lastSeen: now, link: input.link, index: 0,
        compact: input.kind === 'classic' ? compactEntry(input.ip, input.port) : null };
      const list = swarm.byKind[input.kind];
      peer.index = list.length;
      list.push(peer);
      if (seeding) swarm.complete++;
      else swarm.incomplete++;
      if (input.event === 'completed') swarm.downloaded++;
    }
    swarm.peers.set(key, peer);
    return { ok: true, swarm, peer };
  }

  find(infoHash: string, kind: PeerKind, peerId: string): PeerRecord<L> | undefined {
    return this.swarms.get(infoHash)?.peers.get(peerKey(kind, peerId, '', 0));
  }

  remove(swarm: Swarm<L>, peer: PeerRecord<L>): void {
    if (swarm.peers.get(peer.key) !== peer) return;
    swarm.peers.delete(peer.key);
    const list = swarm.byKind[peer.kind];
    const last = list.pop()!;
    if (last !== peer) {
      list[peer.index] = last;
      last.index = peer.index;
    }
    if (peer.complete) swarm.complete--;
    else swarm.incomplete--;
    if (swarm.peers.size === 0) this.swarms.delete(swarm.infoHash);
  }

  /** Up to `count` random peers of `kind`, never `exclude`. */
  pick(swarm: Swarm<L>, kind: PeerKind, count: number, exclude: PeerRecord<L> | undefined): PeerRecord<L>[] {
    const list = swarm.byKind[kind];
    const available = list.length - (exclude && exclude.kind === kind && list[exclude.index] === exclude ? 1 : 0);
    const wanted = Math.min(count, available);
    if (wanted <= 0) return [];
    const out: PeerRecord<L>[] = [];
    if (wanted * 2 >= list.length) {
      // Most of the list: walk it from a random start.
      const start = Math.floor(this.random() * list.length);
      for (let i = 0; i < list.length && out.length < wanted; i++) {
        const peer = list[(start + i) % list.length]!;
        if (peer !== exclude) out.push(peer);
      }
      return out;
    }
    const chosen = new Set<number>();
    while (out.length < wanted) {
      const i = Math.floor(this.random() * list.length);
      if (chosen.has(i) || list[i] === exclude) continue;
      chosen.add(i);
      out.push(list[i]!);
    }
    return out;
  }

  scrape(infoHash: string): { complete: number; incomplete: number; downloaded: number } {
    const swarm = this.swarms.get(infoHash);
    return { complete: swarm?.complete ?? 0, incomplete: swarm?.incomplete ?? 0, downloaded: swarm?.downloaded ?? 0 };
  }

  /** Info hashes of up to `limit` torrents (a scrape of everything). */
  infoHashes(limit: number): string[] {
    const out: string[] = [];
    for (const hash of this.swarms.keys()) {
      if (out.length >= limit) break;
      out.push(hash);
    }
    return out;
  }

  /** Drops peers that have not announced within their TTL, and torrents left empty. Returns how many. */
  sweep(now: number): number {
    let dropped = 0;
    // Peers behind one fresher than the shorter TTL are fresher still: stop there.
    const shortest = Math.min(this.limits.wsPeerTtlMs, this.limits.peerTtlMs);
    for (const swarm of [...this.swarms.values()]) {
      for (const peer of [...swarm.peers.values()]) {
        const age = now - peer.lastSeen;
        if (age < shortest) break;
        if (age < (peer.kind === 'ws' ? this.limits.wsPeerTtlMs : this.limits.peerTtlMs)) continue;
        this.remove(swarm, peer);
        this.onDrop(peer, swarm.infoHash);
        dropped++;
      }
    }
    this.expired += dropped;
    return dropped;
  }

  counts(): RegistryCounts {
    const c: RegistryCounts = { torrents: this.swarms.size, peers: 0, seeders: 0, leechers: 0, wsPeers: 0, classicPeers: 0 };
    for (const swarm of this.swarms.values()) {
      c.peers += swarm.peers.size;
      c.seeders += swarm.complete;
      c.leechers += swarm.incomplete;
      c.wsPeers += swarm.byKind.ws.length;
      c.classicPeers += swarm.byKind.classic.length;
    }
    return c;
  }
}

function emptySwarm<L>(infoHash: string): Swarm<L> {
  return { infoHash, infoHashJson: JSON.stringify(infoHash), complete: 0, incomplete: 0, downloaded: 0, peers: new Map(), wsReply: null, byKind: { classic: [], ws: [] } };
}
