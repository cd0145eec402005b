import type { AddTorrentOptions, Session } from '../engine/session.js';
import type { Torrent } from '../engine/torrent.js';
import { isSluiceError } from '../errors.js';
import { fromHex, toHex } from '../util/hex.js';
import { BRIDGE_PROTOCOL, type ControlMessage, type JoinSource, type RemoteTorrentStatus } from './control.js';
import { BridgeError } from './errors.js';
import { BridgeMux, type BridgeScheduler, type BridgeSocket } from './mux.js';
import { resolveJoin } from './join-source.js';
import type { Hasher } from '../ports/hasher.js';
import { RemoteControlError, type RemoteControl } from './remote-control.js';

/** What the sidecar tells its log about one bridge connection. */
export type SidecarBridgeEvent =
  | { readonly type: 'bridge-hello'; readonly peerId: string; readonly agent: string }
  | { readonly type: 'bridge-joined'; readonly infoHash: string; readonly channel: number }
  | { readonly type: 'bridge-refused'; readonly code: string; readonly message: string }
  | { readonly type: 'bridge-left'; readonly infoHash: string }
  | { readonly type: 'bridge-remote'; readonly action: string; readonly infoHash: string | null; readonly code: string | null; readonly message: string | null };

export interface SidecarEndpointOptions {
  readonly session: Session;
  /** Parses an info dictionary the browser sends (the session's own hasher). */
  readonly hasher: Hasher;
  readonly socket: BridgeSocket;
  readonly scheduler: BridgeScheduler;
  /** How the browser is named in the transports' remoteAddress (e.g. `bridge:127.0.0.1:50312`). */
  readonly remoteLabel: string;
  readonly agent: string;
  /** Options for torrents the browser makes the sidecar add. */
  readonly addOptions?: AddTorrentOptions;
  readonly onEvent?: (event: SidecarBridgeEvent) => void;
  /** Remote mode (the app lists and drives the sidecar's own torrents); without it, `remote` requests are refused. */
  readonly remote?: RemoteControl;
}

/** Deadlines the browser sent before the sidecar knew the torrent's pieces, applied once it does. */
type PendingDeadlines = Map<number, number>;

/**
 * The sidecar's end of one bridge connection: it joins the torrents the browser asks for in its own
 * Session (so the classic swarm is dialled, announced and listened for as for any torrent), and is the
 * browser's peer for each over a channel of the bridge. Only torrents this browser joined are visible
 * to it: status, deadlines and leave name nothing else.
 */
export class SidecarBridgeEndpoint {
  readonly mux: BridgeMux;
  private remotePeerId: Uint8Array | null = null;
  private readonly joined = new Map<string, { channel: number; torrent: Torrent; pending: PendingDeadlines }>();
  private nextChannel = 1;
  /**
   * Joins whose torrent has no metadata yet, or is still checking its data. The channel opens once it
   * has the metadata: a peer's extension handshake says whether it can serve the metadata, and is not
   * sent again when it later can, so a browser connected earlier would wait for metadata from us
   * forever. And once the check is done: a checking torrent turns every peer away, and the browser
   * would only ask again after REJOIN_AFTER_MS (it cost 5.5 s of the bench's 8 s set-up).
   */
  private readonly awaitingMetadata = new Map<string, { request: number; torrent: Torrent }>();
  private readonly unsubscribe: () => void;

  constructor(private readonly options: SidecarEndpointOptions) {
    this.mux = new BridgeMux({ socket: options.socket, scheduler: options.scheduler, onControl: (m) => this.onControl(m) });
    this.unsubscribe = options.session.on((alert) => {
      // The metadata alert comes just before the torrent holds its metainfo: look a turn later.
      const ready = alert.type === 'metadata-received' || (alert.type === 'state-changed' && alert.state !== 'checking');
      if (ready && this.awaitingMetadata.has(alert.infoHash)) options.scheduler.afterTurn(() => this.openReady());
    });
  }

  /** One received frame; throws BridgeError when the browser breaks the protocol (the shell then closes). */
  receive(frame: Uint8Array): void {
    this.mux.receive(frame);
  }

  /** About once a second: the sidecar's view of each torrent joined, and deadlines waiting for metadata. */
  tick(): void {
    if (!this.remotePeerId) return;
    this.openReady();
    const torrents: RemoteTorrentStatus[] = [];
    for (const [infoHash, j] of this.joined) {
      if (this.options.session.torrent(infoHash) !== j.torrent) {
        this.joined.delete(infoHash);
        continue;
      }
      this.applyDeadlines(j.torrent, j.pending);
      const s = j.torrent.status();
      torrents.push({ infoHash, name: s.name, state: s.state, progress: s.progress, peers: s.peers, downloadRate: s.downloadRate, uploadRate: s.uploadRate });
    }
    this.mux.sendControl({ type: 'status', torrents });
    if (this.options.remote) this.mux.sendControl({ type: 'remote-list', torrents: this.options.remote.list() });
  }

  /** The socket is gone: every channel ends (the torrents stay in the sidecar, seeding as any other). */
  end(): void {
    this.unsubscribe();
    this.mux.end();
    // The player is gone with the browser: what it waited for is ordinary again.
    for (const j of this.joined.values()) j.torrent.releasePieceDeadlines(this);
    this.joined.clear();
    this.awaitingMetadata.clear();
  }

  private onControl(message: ControlMessage): void {
    if (message.type === 'hello') {
      if (message.protocol !== BRIDGE_PROTOCOL) {
        this.mux.sendControl({ type: 'error', code: 'bridge/protocol', message: `this sidecar speaks bridge protocol ${BRIDGE_PROTOCOL}, not ${message.protocol}` });
        throw new BridgeError('bridge/protocol', `the browser speaks bridge protocol ${message.protocol}, not ${BRIDGE_PROTOCOL}`);
      }
      const first = this.remotePeerId === null;
      this.remotePeerId = fromHex(message.peerId);
      if (first) this.mux.sendControl({ type: 'hello', protocol: BRIDGE_PROTOCOL, peerId: toHex(this.options.session.peerId), agent: this.options.agent });
      this.options.onEvent?.({ type: 'bridge-hello', peerId: message.peerId, agent: message.agent });
      return;
    }
    if (!this.remotePeerId) throw new BridgeError('bridge/protocol', `a ${message.type} message before hello`);
    switch (message.type) {
      case 'join':
        void this.join(message.request, message.source);
        return;
      case 'leave': {
        const j = this.joined.get(message.infoHash);
        this.joined.delete(message.infoHash);
        this.awaitingMetadata.delete(message.infoHash);
        if (j) {
          j.torrent.releasePieceDeadlines(this);
          this.mux.channel(j.channel)?.close();
          this.options.onEvent?.({ type: 'bridge-left', infoHash: message.infoHash });
        }
        return;
      }
      case 'deadlines': {
        const j = this.joined.get(message.infoHash);
        if (!j) return;
        const now = j.torrent.now();
        for (const piece of message.clear) {
          j.pending.delete(piece);
          j.torrent.releasePieceDeadline(piece, this);
        }
        for (const [piece, inMs] of message.set) j.pending.set(piece, now + inMs);
        this.applyDeadlines(j.torrent, j.pending);
        return;
      }
      case 'remote':
        void this.remote(message);
        return;
      default:
        // status, joined, refused and error only flow the other way; a browser sending them is ignored.
        return;
    }
  }

  private async remote(request: Extract<ControlMessage, { type: 'remote' }>): Promise<void> {
    let infoHash: string | null = request.infoHash;
    let code: string | null = null;
    let message: string | null = null;
    try {
      if (!this.options.remote) throw new BridgeError('bridge/refused', 'this sidecar has no remote mode');
      infoHash = await this.options.remote.act(request);
    } catch (err) {
      code = isSluiceError(err) ? err.code : 'remote/failed';
      message = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 900);
    }
    this.mux.sendControl({ type: 'remote-done', request: request.request, infoHash, code, message });
    // The list shows the change at once, not a second later.
    if (this.options.remote) this.mux.sendControl({ type: 'remote-list', torrents: this.options.remote.list() });
    this.options.onEvent?.({ type: 'bridge-remote', action: request.action, infoHash, code, message });
  }

  private applyDeadlines(torrent: Torrent, pending: PendingDeadlines): void {
    const meta = torrent.metainfo;
    if (!meta || pending.size === 0) return;
    // Held as one reader among the sidecar's own (a `sluice serve` stream of the same file keeps its deadlines).
    for (const [piece, at] of pending) if (piece < meta.pieceCount) torrent.holdPieceDeadline(piece, this, at);
    pending.clear();
  }

  private async join(request: number, source: JoinSource): Promise<void> {
    let torrent: Torrent;
    try {
      torrent = await this.addOrFind(source);
    } catch (err) {
      const code = isSluiceError(err) ? err.code : 'bridge/refused';
      const message = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 900);
      this.mux.sendControl({ type: 'refused', request, code, message });
      this.options.onEvent?.({ type: 'bridge-refused', code, message });
      return;
    }
    if (this.options.remote?.isHeld(torrent.infoHashHex)) {
      const err = new RemoteControlError('remote/paused', `${torrent.infoHashHex} is paused on the sidecar`);
      this.mux.sendControl({ type: 'refused', request, code: err.code, message: err.message });
      this.options.onEvent?.({ type: 'bridge-refused', code: err.code, message: err.message });
      return;
    }
    if (torrent.status().state === 'paused') torrent.resume();
    this.awaitingMetadata.set(torrent.infoHashHex, { request, torrent });
    this.openReady();
  }

  /** Opens the channel of every awaited join whose torrent now has its metadata and checked its data (and is still in the session). */
  private openReady(): void {
    for (const [infoHash, { request, torrent }] of this.awaitingMetadata) {
      if (this.options.session.torrent(infoHash) !== torrent) {
        this.awaitingMetadata.delete(infoHash);
        continue;
      }
      if (!torrent.metainfo || torrent.status().state === 'checking') continue;
      this.awaitingMetadata.delete(infoHash);
      this.open(request, torrent);
    }
  }

  private open(request: number, torrent: Torrent): void {
    const infoHash = torrent.infoHashHex;
    const old = this.joined.get(infoHash);
    if (old) this.mux.channel(old.channel)?.close();
    const channel = this.nextChannel++;
    this.joined.set(infoHash, { channel, torrent, pending: old?.pending ?? new Map() });
    this.mux.sendControl({ type: 'joined', request, infoHash, channel });
    // Told before the handshake flows: the browser opens its end of the channel on `joined`.
    const transport = this.mux.openChannel(channel, this.options.remoteLabel, false);
    this.options.session.acceptBrokered(torrent.infoHash, transport, this.remotePeerId!);
    this.options.onEvent?.({ type: 'bridge-joined', infoHash, channel });
  }

  private async addOrFind(join: JoinSource): Promise<Torrent> {
    const session = this.options.session;
    const { source, key } = await resolveJoin(join, this.options.hasher);
    try {
      return await session.addTorrent(source, this.options.addOptions ?? {});
    } catch (err) {
      // Already there (added by another browser, or joined before): the second add merged the join's peers and trackers.
      const existing = session.torrent(key);
      if (existing && isSluiceError(err) && err.code === 'session/duplicate-torrent') return existing;
      throw err;
    }
  }
}
