import type { Session } from '../engine/session.js';
import type { Torrent } from '../engine/torrent.js';
import { fromHex, toHex } from '../util/hex.js';
import { BRIDGE_PROTOCOL, type ControlMessage, type JoinSource, type RemoteAction, type RemoteTorrentEntry, type RemoteTorrentStatus } from './control.js';
import { BridgeError } from './errors.js';
import { joinSourceOfTorrent } from './join-source.js';
import { BridgeMux, type BridgeScheduler, type BridgeSocket } from './mux.js';

/** After a refused join, or a channel the sidecar closed, wait this long before asking again. */
export const REJOIN_AFTER_MS = 5_000;
export const REJOIN_AFTER_REFUSAL_MS = 30_000;

export interface BrowserEndpointOptions {
  readonly session: Session;
  readonly socket: BridgeSocket;
  readonly scheduler: BridgeScheduler;
  /** How the sidecar is named in the transports' remoteAddress (e.g. `bridge:ws://127.0.0.1:8787/bridge`). */
  readonly remoteLabel: string;
  readonly agent: string;
  /** The clock deadlines are given on (the worker's Date.now). */
  readonly now: () => number;
  /** What the torrent was added from (a magnet keeps its x.pe peers); null falls back to what the torrent knows. */
  readonly sourceFor: (infoHash: string) => JoinSource | null;
  /** Something the page shows changed (connected, a join, a refusal, the sidecar's status). */
  readonly onChange: () => void;
}

interface JoinState {
  /** The open channel, or null while a join is asked or after it ended. */
  channel: number | null;
  request: number | null;
  /** When it may be asked again after a refusal or a closed channel. */
  retryAt: number;
  refusal: string | null;
}

/**
 * The browser's end of one bridge connection: it asks the sidecar to join every torrent of the
 * browser's Session that is not paused, attaches each channel the sidecar opens as a peer of that
 * torrent, leaves torrents the browser dropped, and forwards the player's piece deadlines.
 */
export class BrowserBridgeEndpoint {
  readonly mux: BridgeMux;
  private remotePeerId: Uint8Array | null = null;
  private readonly joins = new Map<string, JoinState>();
  private readonly requests = new Map<number, string>();
  private nextRequest = 1;
  private remote: readonly RemoteTorrentStatus[] = [];
  private readonly deadlineBatches = new Map<string, { set: Map<number, number>; clear: Set<number> }>();
  private deadlineFlush = false;
  private own: readonly RemoteTorrentEntry[] = [];
  private readonly remoteRequests = new Map<number, { resolve: (infoHash: string) => void; reject: (err: Error) => void }>();

  constructor(private readonly options: BrowserEndpointOptions) {
    this.mux = new BridgeMux({ socket: options.socket, scheduler: options.scheduler, onControl: (m) => this.onControl(m) });
  }

  /** The socket opened: say hello. Joins wait for the sidecar's hello (its peer id keys the peer). */
  opened(): void {
    this.mux.sendControl({ type: 'hello', protocol: BRIDGE_PROTOCOL, peerId: toHex(this.options.session.peerId), agent: this.options.agent });
  }

  get ready(): boolean {
    return this.remotePeerId !== null;
  }

  /** The sidecar's latest view of the torrents it joined for us. */
  get remoteStatus(): readonly RemoteTorrentStatus[] {
    return this.remote;
  }

  /** Remote mode: every torrent of the sidecar's own Session, as it last listed them. */
  get sidecarTorrents(): readonly RemoteTorrentEntry[] {
    return this.own;
  }

  /**
   * Remote mode: asks the sidecar to add (a magnet or info hash), pause, resume or remove one of its
   * own torrents. Resolves to the torrent's info hash once done; rejects with the sidecar's reason.
   */
  remoteRequest(action: RemoteAction, target: { readonly infoHash?: string; readonly source?: JoinSource; readonly deleteData?: boolean }): Promise<string> {
    if (!this.remotePeerId) return Promise.reject(new BridgeError('bridge/closed', 'the bridge is not connected'));
    const request = this.nextRequest++;
    return new Promise<string>((resolve, reject) => {
      this.remoteRequests.set(request, { resolve, reject });
      this.mux.sendControl({ type: 'remote', request, action, infoHash: target.infoHash ?? null, source: target.source ?? null, deleteData: target.deleteData === true });
    });
  }

  /** Why the sidecar refused a torrent, by info hash. */
  refusals(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [ih, j] of this.joins) if (j.refusal) out[ih] = j.refusal;
    return out;
  }

  receive(frame: Uint8Array): void {
    this.mux.receive(frame);
  }

  end(): void {
    this.mux.end();
    for (const r of this.remoteRequests.values()) r.reject(new BridgeError('bridge/closed', 'the bridge closed before the sidecar answered'));
    this.remoteRequests.clear();
  }

  /** Joins what should be joined and leaves what should not; the shell calls it often (every status tick). */
  sync(): void {
    if (!this.remotePeerId) return;
    const session = this.options.session;
    const now = this.options.now();
    const wanted = new Set<string>();
    for (const torrent of session.torrents()) {
      const state = torrent.status().state;
      if (state === 'paused' || state === 'error') continue;
      const key = torrent.infoHashHex;
      wanted.add(key);
      const j = this.joins.get(key);
      if (j && j.channel !== null && !this.mux.channel(j.channel)) {
        // The channel ended (the sidecar dropped the peer, or we did): ask again after a pause.
        j.channel = null;
        j.retryAt = now + REJOIN_AFTER_MS;
      }
      if (j && (j.channel !== null || j.request !== null || now < j.retryAt)) continue;
      this.askJoin(torrent, j);
    }
    for (const [key, j] of this.joins) {
      if (wanted.has(key)) continue;
      this.joins.delete(key);
      if (j.channel !== null) this.mux.channel(j.channel)?.close();
      this.mux.sendControl({ type: 'leave', infoHash: key });
    }
  }

  /** The player wants `piece` of `infoHash` by `at` (ms, on `now`'s clock); sent with the turn's others. */
  setDeadline(infoHash: string, piece: number, at: number): void {
    const b = this.batch(infoHash);
    b.clear.delete(piece);
    b.set.set(piece, at);
  }

  clearDeadline(infoHash: string, piece: number): void {
    const b = this.batch(infoHash);
    b.set.delete(piece);
    b.clear.add(piece);
  }

  private batch(infoHash: string): { set: Map<number, number>; clear: Set<number> } {
    let b = this.deadlineBatches.get(infoHash);
    if (!b) this.deadlineBatches.set(infoHash, (b = { set: new Map(), clear: new Set() }));
    if (!this.deadlineFlush) {
      this.deadlineFlush = true;
      this.options.scheduler.afterTurn(() => this.flushDeadlines());
    }
    return b;
  }

  private flushDeadlines(): void {
    this.deadlineFlush = false;
    const now = this.options.now();
    for (const [infoHash, b] of this.deadlineBatches) {
      const j = this.joins.get(infoHash);
      if (!j || j.channel === null) continue;
      const set = [...b.set].map(([piece, at]) => [piece, Math.max(0, Math.min(24 * 3600 * 1000, Math.round(at - now)))] as const);
      this.mux.sendControl({ type: 'deadlines', infoHash, set, clear: [...b.clear] });
    }
    this.deadlineBatches.clear();
  }

  private askJoin(torrent: Torrent, previous: JoinState | undefined): void {
    const key = torrent.infoHashHex;
    const request = this.nextRequest++;
    this.requests.set(request, key);
    this.joins.set(key, { channel: null, request, retryAt: 0, refusal: previous?.refusal ?? null });
    this.mux.sendControl({ type: 'join', request, source: this.options.sourceFor(key) ?? joinSourceOfTorrent(torrent) });
  }

  private onControl(message: ControlMessage): void {
    switch (message.type) {
      case 'hello':
        if (message.protocol !== BRIDGE_PROTOCOL) throw new BridgeError('bridge/protocol', `the sidecar speaks bridge protocol ${message.protocol}, this app ${BRIDGE_PROTOCOL}`);
        this.remotePeerId = fromHex(message.peerId);
        this.options.onChange();
        this.sync();
        return;
      case 'joined': {
        const key = this.requests.get(message.request);
        this.requests.delete(message.request);
        const j = key ? this.joins.get(key) : undefined;
        const transport = this.mux.openChannel(message.channel, this.options.remoteLabel, true);
        if (!key || !j || j.request !== message.request || key !== message.infoHash) {
          // A join we no longer want (left meanwhile): close its channel at once.
          transport.close();
          return;
        }
        j.request = null;
        j.channel = message.channel;
        j.refusal = null;
        this.options.session.acceptBrokered(fromHex(message.infoHash)!, transport, this.remotePeerId!);
        this.options.onChange();
        return;
      }
      case 'refused': {
        const key = this.requests.get(message.request);
        this.requests.delete(message.request);
        const j = key ? this.joins.get(key) : undefined;
        if (j && j.request === message.request) {
          j.request = null;
          j.refusal = message.message;
          j.retryAt = this.options.now() + REJOIN_AFTER_REFUSAL_MS;
          this.options.onChange();
        }
        return;
      }
      case 'status':
        this.remote = message.torrents;
        this.options.onChange();
        return;
      case 'remote-list':
        this.own = message.torrents;
        this.options.onChange();
        return;
      case 'remote-done': {
        const r = this.remoteRequests.get(message.request);
        this.remoteRequests.delete(message.request);
        if (!r) return;
        if (message.code === null && message.infoHash !== null) r.resolve(message.infoHash);
        else r.reject(new BridgeError('bridge/refused', message.message ?? 'the sidecar refused'));
        return;
      }
      case 'error':
        throw new BridgeError('bridge/protocol', `the sidecar ended the bridge: ${message.message}`);
      default:
        return;
    }
  }
}
