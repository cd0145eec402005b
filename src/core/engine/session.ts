import type { Alert, Priority, SessionSettings, SessionStats } from '../api/types.js';
import { SluiceError } from '../errors.js';
import { parseMagnet } from '../magnet/index.js';
import { parseMetainfo } from '../metainfo/index.js';
import { cryptoSelect, dialWithPolicy, EncryptedTransport, isPlaintextHandshake, speaksMse } from '../mse/index.js';
import type { Metainfo } from '../metainfo/model.js';
import { makePeerId } from '../peer-id.js';
import type { Clock, RandomSource } from '../ports/environment.js';
import type { Hasher } from '../ports/hasher.js';
import type { HttpFetch } from '../ports/http.js';
import type { StorageFactory } from '../ports/storage.js';
import type { TrackerClient } from '../ports/tracker.js';
import type { Transport, TransportDialer } from '../ports/transport.js';
import { fromBase32 } from '../util/base32.js';
import { bytesEqual } from '../util/bytes.js';
import { fromHex, toHex } from '../util/hex.js';
import { formatHostPort, splitHostPort } from './address.js';
import type { PeerDiscovery, ResumeStore, TorrentContext } from './context.js';
import { TokenBucket } from './token-bucket.js';
import { Torrent } from './torrent.js';

export class SessionError extends SluiceError<'session/duplicate-torrent' | 'session/bad-source' | 'session/unknown-torrent' | 'session/closed'> {
  override readonly name = 'SessionError';
}

export const DEFAULT_SETTINGS: SessionSettings = {
  downloadRateLimit: 0,
  uploadRateLimit: 0,
  maxConnections: 200,
  maxConnectionsPerTorrent: 50,
  listenPort: 6881,
  unchokeSlots: 4,
  encryption: 'prefer-plaintext',
};

export interface SessionDeps {
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly hasher: Hasher;
  /** Where torrents are stored unless `addTorrent` names another store. */
  readonly storage: StorageFactory;
  readonly dialers?: readonly TransportDialer[];
  /** Picks the dialer for an address; by default `host:port` goes to the TCP dialer. */
  readonly chooseDialer?: (address: string, dialers: readonly TransportDialer[]) => TransportDialer | undefined;
  readonly trackers?: (url: string) => TrackerClient | null;
  readonly resume?: ResumeStore | null;
  /** Fetches web seeds (BEP 19). */
  readonly http?: HttpFetch | null;
  readonly discovery?: readonly PeerDiscovery[];
  /** Memory for piece buffers; the Node shell gives page-aligned memory its store writes with direct I/O. */
  readonly pieceBuffer?: (length: number) => Uint8Array;
  readonly settings?: Partial<SessionSettings>;
  readonly peerId?: Uint8Array;
}

/** What to add: a .torrent's bytes, parsed metainfo, a magnet link, or a bare info hash (hex or base32). */
export type TorrentSource = { readonly torrent: Uint8Array } | { readonly metainfo: Metainfo } | { readonly magnet: string } | { readonly infoHash: string };

export interface AddTorrentOptions {
  readonly paused?: boolean;
  readonly sequential?: boolean;
  readonly filePriorities?: readonly Priority[];
  /**
   * Priorities chosen from the files themselves, for a torrent whose files are not known when it is
   * added (a magnet): called once when the metadata is known, before anything is stored, so files left
   * at 0 are never created. A SluiceError it throws fails the torrent with that error.
   */
  readonly filePrioritiesFor?: (metainfo: Metainfo) => readonly Priority[];
  /** Extra trackers, one tier each (as magnet `tr` parameters are treated). */
  readonly trackers?: readonly string[];
  /** Peers to dial directly (`host:port`). */
  readonly peers?: readonly string[];
  /** A store for this torrent only (e.g. its own download folder). */
  readonly storage?: StorageFactory;
}

interface PendingIncoming {
  readonly transport: Transport;
  readonly chunks: Uint8Array[];
  bytes: number;
  readonly since: number;
}

/** The bytes of a BitTorrent handshake up to and including the info hash. */
const HANDSHAKE_TO_INFO_HASH = 48;
const INCOMING_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * The engine's entry point, in the spirit of libtorrent's session: torrents, settings, shared
 * budgets (connections, rate limits), incoming connections, and a queue of typed alerts. It owns
 * no timer: the shell calls `tick()` by the deadline it returns, and whenever `onWake` fires.
 */
export class Session {
  readonly peerId: Uint8Array;
  private readonly torrentsByHash = new Map<string, Torrent>();
  private readonly pendingIncoming = new Set<PendingIncoming>();
  private readonly listeners = new Set<(alert: Alert) => void>();
  private readonly alerts: Alert[] = [];
  private readonly trackerClients = new Map<string, TrackerClient | null>();
  private currentSettings: SessionSettings;
  private readonly downloadBucket: TokenBucket;
  private readonly uploadBucket: TokenBucket;
  private wakeHandler: () => void = () => {};
  private closed = false;
  /** Session clock (ms) until which nothing new is requested (holdRequests). */
  private requestsHeldUntil = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: SessionDeps) {
    this.peerId = deps.peerId ?? makePeerId(deps.random.bytes(12));
    this.currentSettings = { ...DEFAULT_SETTINGS, ...deps.settings };
    const now = deps.clock.now();
    this.downloadBucket = new TokenBucket(this.currentSettings.downloadRateLimit, now);
    this.uploadBucket = new TokenBucket(this.currentSettings.uploadRateLimit, now);
  }

  /** The shell's hook: called when work appeared outside a tick (a peer connected, a tracker answered). */
  onWake(handler: () => void): void {
    this.wakeHandler = handler;
  }

  get settings(): SessionSettings {
    return this.currentSettings;
  }

  applySettings(changes: Partial<SessionSettings>): void {
    this.currentSettings = { ...this.currentSettings, ...changes };
    const now = this.deps.clock.now();
    this.downloadBucket.setRate(this.currentSettings.downloadRateLimit, now);
    this.uploadBucket.setRate(this.currentSettings.uploadRateLimit, now);
  }

  // ---------------------------------------------------------------- torrents

  async addTorrent(source: TorrentSource, options: AddTorrentOptions = {}): Promise<Torrent> {
    if (this.closed) throw new SessionError('session/closed', 'the session is closed');
    const resolved = await this.resolve(source);
    const key = toHex(resolved.infoHash);
    const existing = this.torrentsByHash.get(key);
    if (existing) {
      // Adding a torrent twice merges what the second add knows (trackers, peers), as other clients do.
      if (options.trackers?.length) existing.addTrackers(options.trackers);
      existing.addPeers([...(options.peers ?? []), ...resolved.peers], 'manual');
      throw new SessionError('session/duplicate-torrent', `torrent ${key} is already in the session`);
    }
    const torrent = new Torrent(this.contextFor(options.storage ?? this.deps.storage, resolved.infoHash), {
      infoHash: resolved.infoHash,
      infoHashV2: resolved.infoHashV2,
      metainfo: resolved.metainfo,
      name: resolved.name,
      trackers: [...resolved.trackers, ...(options.trackers ?? [])].map((url) => [url]),
      peers: [...resolved.peers, ...(options.peers ?? [])],
      paused: options.paused ?? false,
      sequential: options.sequential ?? false,
      ...(options.filePriorities ? { filePriorities: options.filePriorities } : {}),
      ...(options.filePrioritiesFor ? { filePrioritiesFor: options.filePrioritiesFor } : {}),
    });
    this.torrentsByHash.set(key, torrent);
    this.emit({ type: 'torrent-added', infoHash: key });
    await torrent.start();
    this.wake();
    return torrent;
  }

  private async resolve(source: TorrentSource): Promise<{
    infoHash: Uint8Array;
    infoHashV2: Uint8Array | null;
    metainfo: Metainfo | null;
    name: string | null;
    trackers: string[];
    peers: string[];
  }> {
    if ('torrent' in source || 'metainfo' in source) {
      const m = 'metainfo' in source ? source.metainfo : await parseMetainfo(source.torrent, this.deps.hasher);
      const infoHash = m.infoHash ?? m.infoHashV2!.subarray(0, 20);
      return { infoHash, infoHashV2: m.infoHashV2, metainfo: m, name: m.name, trackers: [], peers: [] };
    }
    if ('magnet' in source) {
      const link = parseMagnet(source.magnet);
      const infoHash = link.infoHash ?? link.infoHashV2!.subarray(0, 20);
      return {
        infoHash,
        infoHashV2: link.infoHashV2,
        metainfo: null,
        name: link.name,
        trackers: [...link.trackers],
        peers: link.peers.map((p) => formatHostPort(p.host, p.port)),
      };
    }
    const text = source.infoHash.trim();
    const bytes = text.length === 40 ? fromHex(text) : text.length === 32 ? fromBase32(text) : text.length === 64 ? fromHex(text) : null;
    if (!bytes) throw new SessionError('session/bad-source', `'${text}' is not an info hash (40 or 64 hex digits, or 32 base32 characters)`);
    if (bytes.length === 32) return { infoHash: bytes.subarray(0, 20), infoHashV2: bytes, metainfo: null, name: null, trackers: [], peers: [] };
    return { infoHash: bytes, infoHashV2: null, metainfo: null, name: null, trackers: [], peers: [] };
  }

  torrent(infoHash: string): Torrent | undefined {
    return this.torrentsByHash.get(infoHash.toLowerCase());
  }

  torrents(): Torrent[] {
    return [...this.torrentsByHash.values()];
  }

  async removeTorrent(infoHash: string, options: { deleteData?: boolean } = {}): Promise<void> {
    const key = infoHash.toLowerCase();
    const torrent = this.torrentsByHash.get(key);
    if (!torrent) throw new SessionError('session/unknown-torrent', `no torrent ${key} in the session`);
    this.torrentsByHash.delete(key);
    await torrent.close(options);
    this.emit({ type: 'torrent-removed', infoHash: key });
  }

  /**
   * The app is going away (a page's beforeunload): request nothing new from peers or web seeds for
   * `forMs`, so that the blocks already requested arrive while the connections last instead of being
   * sent for nothing (a peer that has read a block sends it whatever CANCEL follows). Requests start
   * again by themselves after `forMs` if the app stays.
   */
  holdRequests(forMs: number): void {
    this.requestsHeldUntil = this.deps.clock.now() + Math.max(0, forMs);
    this.wake();
  }

  pauseAll(): void {
    for (const t of this.torrentsByHash.values()) t.pause();
  }

  resumeAll(): void {
    for (const t of this.torrentsByHash.values()) t.resume();
  }

  /** Saves resume data, tells trackers `stopped`, closes every torrent. The caller bounds how long it waits. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pendingIncoming) p.transport.close();
    this.pendingIncoming.clear();
    await Promise.allSettled([...this.torrentsByHash.values()].map((t) => t.close()));
    await Promise.allSettled([...this.trackerClients.values()].map((c) => c?.close()));
  }

  // ---------------------------------------------------------------- connections

  /** An incoming connection: its handshake says which torrent it is for. */
  accept(transport: Transport): void {
    if (this.closed || this.connectionCount() >= this.currentSettings.maxConnections) {
      transport.close();
      return;
    }
    const pending: PendingIncoming = { transport, chunks: [], bytes: 0, since: this.deps.clock.now() };
    this.pendingIncoming.add(pending);
    transport.attach({
      data: (chunk) => {
        if (!this.pendingIncoming.has(pending)) return;
        pending.chunks.push(chunk.slice());
        pending.bytes += chunk.length;
        if (pending.bytes >= HANDSHAKE_TO_INFO_HASH) this.route(pending);
      },
      drain: () => {},
      close: () => this.pendingIncoming.delete(pending),
    });
  }

  private route(pending: PendingIncoming): void {
    this.pendingIncoming.delete(pending);
    const head = new Uint8Array(HANDSHAKE_TO_INFO_HASH);
    let at = 0;
    for (const c of pending.chunks) {
      const take = Math.min(c.length, head.length - at);
      head.set(c.subarray(0, take), at);
      at += take;
      if (at === head.length) break;
    }
    const transport = pending.transport;
    const policy = this.currentSettings.encryption;
    if (!isPlaintextHandshake(head)) {
      // Not "\x13BitTorrent protocol": an MSE handshake (or garbage its bounded responder rejects).
      // Once it completes, the decrypted stream comes back through accept() like a plaintext peer.
      if (transport instanceof EncryptedTransport || !speaksMse(transport.kind)) transport.close();
      else this.accept(EncryptedTransport.respond(transport, pending.chunks, { random: this.deps.random, infoHashes: () => this.wireHashes(), select: (offer) => cryptoSelect(policy, offer) }));
      return;
    }
    const wireHash = head.subarray(28, 48);
    const encrypted = transport instanceof EncryptedTransport ? transport : null;
    // The handshake must name the torrent MSE agreed on; `require` takes RC4 only.
    const refused = encrypted ? !bytesEqual(encrypted.infoHash ?? new Uint8Array(0), wireHash) || (policy === 'require' && encrypted.method !== 'rc4') : policy === 'require';
    const torrent = refused ? undefined : this.torrentForWireHash(wireHash);
    if (!torrent || !torrent.attach(pending.transport, pending.chunks, pending.transport.remoteAddress, wireHash.slice())) pending.transport.close();
  }

  /**
   * A hybrid torrent answers to its v1 hash and to its v2 hash truncated to 20 bytes (BEP 52): v2
   * peers (btmh magnets, v2 announces) dial with the latter. One added by either hash answers to both.
   */
  private torrentForWireHash(hash: Uint8Array): Torrent | undefined {
    const direct = this.torrentsByHash.get(toHex(hash));
    if (direct) return direct;
    const same = (a: Uint8Array | null | undefined) => !!a && a.length >= 20 && a.subarray(0, 20).every((b, i) => b === hash[i]);
    for (const t of this.torrentsByHash.values()) if (same(t.infoHashV2) || same(t.metainfo?.infoHash) || same(t.metainfo?.infoHashV2)) return t;
    return undefined;
  }

  /** Every hash an incoming peer may name (SKEY candidates for MSE): each torrent's v1 hash and truncated v2 hash. */
  private *wireHashes(): Iterable<Uint8Array> {
    for (const t of this.torrentsByHash.values()) {
      for (const h of [t.infoHash, t.infoHashV2, t.metainfo?.infoHash, t.metainfo?.infoHashV2]) if (h) yield h.subarray(0, 20);
    }
  }

  /** A WebRTC connection to a peer of `infoHash` failed to open: its tracker should carry fresh offers soon. */
  offerFailed(infoHash: Uint8Array, url: string): void {
    if (!this.closed) this.torrentForWireHash(infoHash)?.announceSoon(url);
  }

  /** A connection a signalling (WebSocket) tracker brokered for the torrent `infoHash`. */
  acceptBrokered(infoHash: Uint8Array, transport: Transport, remotePeerId: Uint8Array): void {
    const torrent = this.closed ? undefined : this.torrentForWireHash(infoHash);
    if (!torrent || this.connectionCount() >= this.currentSettings.maxConnections) {
      transport.close();
      return;
    }
    if (!torrent.attach(transport, [], `${transport.kind}:${toHex(remotePeerId)}`, infoHash.slice())) transport.close();
  }

  private connectionCount(): number {
    let n = this.pendingIncoming.size;
    for (const t of this.torrentsByHash.values()) n += t.peers().length;
    return n;
  }

  /** `infoHash` is the hash our handshake will name: MSE uses it as SKEY. */
  private dial(address: string, infoHash: Uint8Array): Promise<Transport> | null {
    const dialers = this.deps.dialers ?? [];
    const choose = this.deps.chooseDialer ?? ((a, ds) => (splitHostPort(a) ? ds.find((d) => d.kind === 'tcp') : undefined));
    const dialer = choose(address, dialers);
    if (!dialer) return null;
    if (!speaksMse(dialer.kind)) return dialer.dial(address);
    return dialWithPolicy(() => dialer.dial(address), { policy: this.currentSettings.encryption, infoHash, random: this.deps.random });
  }

  private tracker(url: string): TrackerClient | null {
    if (!this.trackerClients.has(url)) this.trackerClients.set(url, this.deps.trackers?.(url) ?? null);
    return this.trackerClients.get(url) ?? null;
  }

  // ---------------------------------------------------------------- time and alerts

  /** Runs due work for every torrent; returns the time of the next deadline (ms), or null when idle. */
  tick(): number | null {
    const now = this.deps.clock.now();
    for (const p of this.pendingIncoming) {
      if (now - p.since > INCOMING_HANDSHAKE_TIMEOUT_MS) {
        this.pendingIncoming.delete(p);
        p.transport.close();
      }
    }
    let next: number | null = this.pendingIncoming.size > 0 ? now + 1000 : null;
    if (now < this.requestsHeldUntil) next = next === null ? this.requestsHeldUntil : Math.min(next, this.requestsHeldUntil);
    for (const t of this.torrentsByHash.values()) {
      const d = t.tick(now);
      if (d !== null) next = next === null ? d : Math.min(next, d);
    }
    return next;
  }

  on(listener: (alert: Alert) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Alerts since the last call (bounded: the oldest are dropped past 10 000). */
  popAlerts(): Alert[] {
    return this.alerts.splice(0);
  }

  stats(): SessionStats {
    let peers = 0;
    let downloadRate = 0;
    let uploadRate = 0;
    let downloaded = 0;
    let uploaded = 0;
    for (const t of this.torrentsByHash.values()) {
      const s = t.status();
      peers += s.peers;
      downloadRate += s.downloadRate;
      uploadRate += s.uploadRate;
      downloaded += s.downloaded;
      uploaded += s.uploaded;
    }
    return { torrents: this.torrentsByHash.size, peers, downloadRate, uploadRate, downloaded, uploaded };
  }

  private emit(alert: Alert): void {
    this.alerts.push(alert);
    if (this.alerts.length > 10_000) this.alerts.splice(0, this.alerts.length - 10_000);
    for (const l of this.listeners) l(alert);
  }

  private wake(): void {
    if (!this.closed) this.wakeHandler();
  }

  private contextFor(storage: StorageFactory, infoHash: Uint8Array): TorrentContext {
    return {
      clock: this.deps.clock,
      random: this.deps.random,
      hasher: this.deps.hasher,
      storage,
      peerId: this.peerId,
      resume: this.deps.resume ?? null,
      http: this.deps.http ?? null,
      discovery: this.deps.discovery ?? [],
      pieceBuffer: this.deps.pieceBuffer ?? null,
      settings: () => this.currentSettings,
      dial: (address) => this.dial(address, infoHash),
      tracker: (url) => this.tracker(url),
      connectionBudget: () => this.currentSettings.maxConnections - this.connectionCount(),
      downloadBucket: this.downloadBucket,
      uploadBucket: this.uploadBucket,
      emit: (alert) => this.emit(alert),
      wake: () => this.wake(),
      requestsHeld: () => this.deps.clock.now() < this.requestsHeldUntil,
    };
  }
}
