import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import type WebSocketClass from 'ws';
import type { WebSocketServer } from 'ws';
import { BRIDGE_PROTOCOL } from '../../../src/core/bridge/control.js';
import { MAX_FRAME_BYTES } from '../../../src/core/bridge/frames.js';
import { SidecarBridgeEndpoint, type SidecarBridgeEvent } from '../../../src/core/bridge/sidecar-endpoint.js';
import { BridgeError } from '../../../src/core/bridge/errors.js';
import type { Session } from '../../../src/core/engine/session.js';
import type { Hasher } from '../../../src/core/ports/hasher.js';
import { STREAM_PREFIX } from '../../../src/core/stream/stream-path.js';
import { SLUICE_VERSION } from '../../../src/core/version.js';
import { checkBridgeRequest, type BridgeAccess } from './access.js';
import { answerSidecarStream } from './stream-server.js';
import { RemoteControl } from '../../../src/core/bridge/remote-control.js';
import type { PersistedTorrents } from '../../../src/core/persist/persisted-torrents.js';

export const BRIDGE_PATH = '/bridge';
/** How often each browser gets the sidecar's status of the torrents it joined. */
const STATUS_EVERY_MS = 1000;

/** One token's Session, as the bridge hands it to the connections that carry that token. */
export interface BridgeSession {
  /** Null for the single default session; a named token's name (it tags that session's log lines). */
  readonly name: string | null;
  readonly session: Session;
  /** Its kept torrent list, which remote mode's adds, pauses and removes update. */
  readonly list?: PersistedTorrents;
}

export interface BridgeServerOptions {
  /** In the order of `access.tokens` (one, with no token, on loopback without --token). */
  readonly sessions: readonly BridgeSession[];
  readonly hasher: Hasher;
  readonly access: BridgeAccess;
  /** Connections, refusals and joins, for the serve log. */
  readonly log: (event: string, fields: Record<string, unknown>, detail: string) => void;
}

type WsModule = typeof WebSocketClass & { WebSocketServer: typeof WebSocketServer };

function pathOf(req: IncomingMessage): string {
  return (req.url ?? '').split('?')[0]!;
}

/** Refuses an upgrade with a plain HTTP status (the browser's WebSocket then fails to open). */
function refuseUpgrade(socket: Duplex, status: 401 | 403 | 503, reason: string): void {
  const text = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Service Unavailable';
  const body = `${reason}\n`;
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

const STARTING = 'the sidecar is starting';

/**
 * While the engine starts (its kept list restored, each torrent checked) the port already listens:
 * `/bridge` and `/stream/` answer "a bridge, not ready" (503, Retry-After), so a page tries again. Left
 * to the app's files, `/bridge` was index.html, and a page reconnecting after a restart concluded it
 * was not served by sluice serve and gave up for good.
 */
export function answerStarting(req: IncomingMessage, res: ServerResponse): boolean {
  const path = pathOf(req);
  if (path !== BRIDGE_PATH && !path.startsWith(STREAM_PREFIX)) return false;
  res.writeHead(503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Retry-After': '1' });
  res.end(JSON.stringify({ sluice: 'bridge', error: STARTING }));
  return true;
}

/** An upgrade to `/bridge` while the engine starts: 503 (the page's client retries). */
export function refuseUpgradeStarting(req: IncomingMessage, socket: Duplex): boolean {
  if (pathOf(req) !== BRIDGE_PATH) return false;
  refuseUpgrade(socket, 503, STARTING);
  return true;
}

/**
 * `/bridge` on `sluice serve`'s port: a GET tells a page that a bridge is here (and whether its token
 * is right); an upgrade, once the token and origin pass, becomes one SidecarBridgeEndpoint over `ws`.
 */
export class BridgeServer {
  private readonly wss: WebSocketServer;
  private readonly live = new Set<{ close(): void }>();
  /**
   * Remote mode, one per session and shared by that session's connections (a pause from one holds
   * against another's join); a connection reaches only its own token's.
   */
  private readonly remotes: readonly RemoteControl[];

  constructor(private readonly options: BridgeServerOptions) {
    const ws = createRequire(import.meta.url)('ws') as WsModule;
    this.wss = new ws.WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
    this.remotes = options.sessions.map((s) => new RemoteControl(s.session, options.hasher, {}, s.list ?? null));
  }

  /** The sidecar's own `/stream/...` (remote mode's files) of the session whose token the request carries. */
  handleStream(req: IncomingMessage, res: ServerResponse): boolean {
    return answerSidecarStream(req, res, this.options.access, (index) => this.options.sessions[index]!.session);
  }

  /** Answers `GET /bridge`: 200 with what it is, or the refusal's status. */
  handleHttp(req: IncomingMessage, res: ServerResponse): boolean {
    if (pathOf(req) !== BRIDGE_PATH) return false;
    const verdict = checkBridgeRequest(req.url ?? '', req.headers.origin, this.options.access);
    const body = verdict.ok ? { sluice: 'bridge', protocol: BRIDGE_PROTOCOL, version: SLUICE_VERSION } : { sluice: 'bridge', error: verdict.reason };
    res.writeHead(verdict.ok ? 200 : verdict.status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
    return true;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, remote: string): boolean {
    if (pathOf(req) !== BRIDGE_PATH) return false;
    const verdict = checkBridgeRequest(req.url ?? '', req.headers.origin, this.options.access);
    if (!verdict.ok) {
      this.options.log('bridge-refused', { peer: remote, status: verdict.status, reason: verdict.reason }, `bridge from ${remote} refused (${verdict.status}): ${verdict.reason}`);
      refuseUpgrade(socket, verdict.status, verdict.reason);
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws, remote, verdict.session));
    return true;
  }

  close(): void {
    for (const c of [...this.live]) c.close();
    this.wss.close();
  }

  private serve(ws: WebSocketClass, remote: string, index: number): void {
    const { name, session } = this.options.sessions[index]!;
    // A named token's lines say whose they are; the single session's stay as they were.
    const tag = name === null ? {} : { token: name };
    const log = (event: string, fields: Record<string, unknown>, detail: string) => this.options.log(event, { ...fields, ...tag }, name === null ? detail : `${detail} [${name}]`);
    const endpoint = new SidecarBridgeEndpoint({
      session,
      hasher: this.options.hasher,
      socket: {
        send: (frame) => ws.send(frame, () => endpoint.mux.socketDrained()),
        bufferedAmount: () => ws.bufferedAmount,
      },
      scheduler: {
        afterTurn: (task) => void setImmediate(task),
        after: (ms, task) => {
          const t = setTimeout(task, ms);
          t.unref();
          return () => clearTimeout(t);
        },
      },
      remoteLabel: `bridge:${remote}`,
      remote: this.remotes[index]!,
      agent: `Sluice ${SLUICE_VERSION}`,
      onEvent: (e: SidecarBridgeEvent) => log(e.type, { peer: remote, ...e, type: undefined }, describe(e, remote)),
    });
    const status = setInterval(() => endpoint.tick(), STATUS_EVERY_MS);
    const entry = { close: () => ws.close(1001, 'the sidecar is stopping') };
    this.live.add(entry);
    log('bridge-opened', { peer: remote }, `bridge from ${remote} opened`);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) {
        ws.close(1003, 'the bridge speaks binary frames');
        return;
      }
      try {
        endpoint.receive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      } catch (err) {
        if (!(err instanceof BridgeError)) throw err;
        log('bridge-error', { peer: remote, code: err.code, message: err.message }, `bridge from ${remote}: ${err.message}`);
        ws.close(1008, err.code);
      }
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      clearInterval(status);
      this.live.delete(entry);
      endpoint.end();
      log('bridge-closed', { peer: remote }, `bridge from ${remote} closed`);
    });
  }
}

function describe(e: SidecarBridgeEvent, remote: string): string {
  switch (e.type) {
    case 'bridge-hello':
      return `bridge from ${remote}: ${e.agent} (peer id ${e.peerId})`;
    case 'bridge-joined':
      return `bridge from ${remote} joined ${e.infoHash} (channel ${e.channel})`;
    case 'bridge-refused':
      return `bridge from ${remote}: join refused: ${e.message}`;
    case 'bridge-left':
      return `bridge from ${remote} left ${e.infoHash}`;
    case 'bridge-remote':
      return `bridge from ${remote}: ${e.action} ${e.infoHash ?? ''}${e.message ? ` failed: ${e.message}` : ''}`;
  }
}
