import { BrowserBridgeEndpoint } from '../../core/bridge/browser-endpoint.js';
import type { JoinSource, RemoteAction, RemoteTorrentEntry, RemoteTorrentStatus } from '../../core/bridge/control.js';
import { BridgeError } from '../../core/bridge/errors.js';
import type { Session } from '../../core/engine/session.js';
import { SLUICE_VERSION } from '../../core/version.js';
import { bridgeSocketUrl, ownBridgeUrl, sidecarStreamBase, type BridgeConfig, type BridgeState } from './bridge-config.js';
import { relayDeadlines } from './deadline-relay.js';

/** What the page shows of the bridge. */
export interface BridgeView {
  readonly state: BridgeState;
  /** Why it is down or off, in words. */
  readonly reason: string | null;
  /** The bridge's address (without its token). */
  readonly url: string | null;
  /** The sidecar's own view of the torrents it joined for us. */
  readonly remote: readonly RemoteTorrentStatus[];
  /** Torrents the sidecar would not join, with its reason. */
  readonly refusals: Readonly<Record<string, string>>;
  /** Remote mode: every torrent of the sidecar's own Session. */
  readonly sidecarTorrents: readonly RemoteTorrentEntry[];
  /** Where the sidecar's own stream URLs are (origin, and the query each carries), while connected. */
  readonly streamBase: { readonly origin: string; readonly query: string } | null;
}

const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 15_000;

/**
 * The worker's bridge to a sidecar: one WebSocket, reconnected with back-off while it is down. Its
 * endpoint joins the Session's torrents at the sidecar and attaches the sidecar as their peer.
 */
export class BridgeClient {
  private endpoint: BrowserBridgeEndpoint | null = null;
  private socket: WebSocket | null = null;
  private state: BridgeState = 'connecting';
  private reason: string | null = null;
  private url: string | null = null;
  private retryMs = RETRY_FIRST_MS;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly sources = new Map<string, JoinSource>();
  private stopped = false;

  constructor(
    private readonly session: Session,
    private readonly config: BridgeConfig,
    /** The page's origin (`auto` connects there). */
    private readonly origin: string,
    private readonly onChange: () => void,
  ) {
    if (config.mode === 'off') {
      this.state = 'off';
      this.reason = 'turned off in settings';
      return;
    }
    void this.connect();
  }

  /** What a torrent was added from: a magnet's x.pe peers and trackers help the sidecar find the swarm. */
  remember(infoHash: string, source: JoinSource): void {
    this.sources.set(infoHash, source);
  }

  view(): BridgeView {
    const e = this.endpoint;
    const token = this.config.mode === 'off' ? null : this.config.token;
    return {
      state: this.state,
      reason: this.reason,
      url: this.url,
      remote: e?.remoteStatus ?? [],
      refusals: e?.refusals() ?? {},
      sidecarTorrents: e?.sidecarTorrents ?? [],
      streamBase: this.url && this.state === 'connected' ? sidecarStreamBase(this.url, token) : null,
    };
  }

  /** Remote mode: one request about the sidecar's own torrents (see BrowserBridgeEndpoint.remoteRequest). */
  remoteRequest(action: RemoteAction, target: { readonly infoHash?: string; readonly source?: JoinSource; readonly deleteData?: boolean }): Promise<string> {
    const e = this.endpoint;
    if (!e?.ready) return Promise.reject(new BridgeError('bridge/closed', `the bridge is ${this.state}${this.reason ? `: ${this.reason}` : ''}`));
    return e.remoteRequest(action, target);
  }

  /** Joins and leaves torrents as the Session changes; the host calls it on every status tick. */
  sync(): void {
    for (const t of this.session.torrents()) relayDeadlines(t, () => this.deadlineListener());
    this.endpoint?.sync();
  }

  close(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.socket?.close();
  }

  private deadlineListener() {
    const e = this.endpoint;
    if (!e?.ready) return null;
    return { set: (ih: string, piece: number, at: number) => e.setDeadline(ih, piece, at), clear: (ih: string, piece: number) => e.clearDeadline(ih, piece) };
  }

  private set(state: BridgeState, reason: string | null): void {
    if (this.state === state && this.reason === reason) return;
    this.state = state;
    this.reason = reason;
    this.onChange();
  }

  private async connect(): Promise<void> {
    if (this.stopped || this.config.mode === 'off') return;
    let base: string;
    if (this.config.mode === 'url') {
      base = this.config.url;
    } else {
      // Only `sluice serve` has a bridge: ask before opening a socket, so a page served elsewhere says so once.
      base = ownBridgeUrl(this.origin);
      const probe = await this.probe(base);
      if (probe === 'none') {
        this.url = null;
        this.set('off', 'this page was not served by sluice serve (set a bridge URL in settings)');
        return;
      }
      if (probe !== 'ok') return this.down(probe);
    }
    this.url = base;
    let socket: WebSocket;
    try {
      socket = new WebSocket(bridgeSocketUrl(base, this.config.token));
    } catch (err) {
      return this.down(`bad bridge URL ${base}: ${err instanceof Error ? err.message : String(err)}`);
    }
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    if (this.state !== 'down') this.set('connecting', null);
    const endpoint = new BrowserBridgeEndpoint({
      session: this.session,
      socket: { send: (frame) => socket.send(frame), bufferedAmount: () => socket.bufferedAmount },
      scheduler: {
        afterTurn: (task) => queueMicrotask(task),
        after: (ms, task) => {
          const t = setTimeout(task, ms);
          return () => clearTimeout(t);
        },
      },
      remoteLabel: `bridge:${base}`,
      agent: `Sluice ${SLUICE_VERSION} (browser)`,
      now: () => Date.now(),
      sourceFor: (ih) => this.sources.get(ih) ?? null,
      onChange: () => {
        if (endpoint.ready && this.state !== 'connected') {
          this.retryMs = RETRY_FIRST_MS;
          this.set('connected', null);
        } else this.onChange();
      },
    });
    let failure: string | null = null;
    socket.onopen = () => endpoint.opened();
    socket.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
      if (typeof event.data === 'string') {
        failure = 'the sidecar sent a text frame';
        socket.close();
        return;
      }
      try {
        endpoint.receive(new Uint8Array(event.data));
      } catch (err) {
        if (!(err instanceof BridgeError)) throw err;
        failure = err.message;
        socket.close(1008, err.code);
      }
    };
    this.endpoint = endpoint;
    socket.onclose = (event) => {
      const wasUp = endpoint.ready;
      endpoint.end();
      if (this.endpoint === endpoint) this.endpoint = null;
      if (this.socket === socket) this.socket = null;
      if (this.stopped) return;
      this.down(failure ?? (wasUp ? `the sidecar closed the bridge${event.reason ? `: ${event.reason}` : ''}` : `cannot connect to ${base}`));
    };
  }

  /** 'ok', 'none' (no bridge at this origin), or why it cannot be used now. */
  private async probe(base: string): Promise<'ok' | 'none' | string> {
    const url = new URL(base);
    url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
    if (this.config.mode !== 'off' && this.config.token) url.searchParams.set('token', this.config.token);
    let response: Response;
    try {
      response = await fetch(url, { cache: 'no-store' });
    } catch {
      return `cannot reach ${this.origin}`;
    }
    type Probe = { sluice?: unknown; error?: unknown };
    const body: Probe | null = await response.json().then(
      (v: unknown) => (typeof v === 'object' && v !== null ? (v as Probe) : null),
      () => null,
    );
    if (!body || body.sluice !== 'bridge') return 'none';
    if (response.status === 401) return 'the bridge needs its token: open the URL sluice serve printed';
    if (!response.ok) return `the bridge refused: ${typeof body.error === 'string' ? body.error : `HTTP ${response.status}`}`;
    return 'ok';
  }

  private down(reason: string): void {
    this.set('down', reason);
    if (this.stopped) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, wait);
  }
}
