// The tracker without its sockets: registry, counters, limits and the three protocol handlers. A server
// (server.ts, or later `sluice serve`) feeds it HTTP requests, upgrades and datagrams.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { answerTrackerHttp, handleTrackerHttp, type HttpReply } from './http-handler.js';
import { DEFAULT_TRACKER_LIMITS, type TrackerServerLimits } from './limits.js';
import { TrackerCounters, type TrackerStats } from './metrics.js';
import { SwarmRegistry } from './swarm-registry.js';
import { UdpConnectionIds, handleTrackerUdp } from './udp-handler.js';
import { WaitingOffers } from './waiting-offers.js';
import { WsRelay, type TrackerUpgradeRequest, type WsConnection } from './ws-handler.js';

export interface TrackerServiceOptions extends Partial<TrackerServerLimits> {
  /** Milliseconds; Date.now by default (tests pass a fake clock). */
  readonly clock?: () => number;
}

export class TrackerService {
  readonly limits: TrackerServerLimits;
  readonly counters = new TrackerCounters();
  readonly registry: SwarmRegistry<WsConnection>;
  readonly udpIds = new UdpConnectionIds();
  /** WebRTC offers no peer got when they came, kept for peers that announce later. */
  readonly waitingOffers: WaitingOffers<WsConnection>;
  readonly now: () => number;
  private readonly ws: WsRelay;
  private readonly startedAt: number;

  constructor(options: TrackerServiceOptions = {}) {
    const { clock, ...limits } = options;
    this.limits = { ...DEFAULT_TRACKER_LIMITS, ...limits };
    this.now = clock ?? Date.now;
    this.startedAt = this.now();
    this.waitingOffers = new WaitingOffers<WsConnection>(this.limits);
    // A peer that expires or is evicted takes its waiting offers with it.
    this.registry = new SwarmRegistry<WsConnection>(this.limits, Math.random, (peer, infoHash) => {
      if (peer.kind === 'ws') this.waitingOffers.dropPeer(infoHash, peer.peerId);
    });
    this.ws = new WsRelay(this);
  }

  /** Serves announce, scrape, /stats and /metrics; false for any other path. */
  handleHttp(req: IncomingMessage, res: ServerResponse): boolean {
    return handleTrackerHttp(this, req, res);
  }

  /** The same without node:http: the reply to one request, or null for any other path. */
  answerHttp(method: string, target: string, remoteAddress: string | undefined): HttpReply | null {
    return answerTrackerHttp(this, method, target, remoteAddress);
  }

  /** Takes over a WebSocket upgrade (node:http's IncomingMessage will do as `req`). */
  handleUpgrade(req: TrackerUpgradeRequest, socket: Duplex, head: Buffer): void {
    this.ws.handleUpgrade(req, socket, head);
  }

  /** The reply to a datagram, or null. */
  handleUdp(packet: Uint8Array, address: string): Uint8Array | null {
    return handleTrackerUdp(this, packet, address);
  }

  /** Expires stale peers and closes idle WebSocket connections. */
  sweep(): void {
    const now = this.now();
    this.registry.sweep(now);
    this.waitingOffers.sweep(now);
    this.ws.sweep(now);
  }

  stats(): TrackerStats {
    const c = this.counters;
    return {
      ...this.registry.counts(),
      uptimeSeconds: Math.floor((this.now() - this.startedAt) / 1000),
      wsConnections: this.ws.connections.size,
      announces: { ...c.announces },
      scrapes: { ...c.scrapes },
      udpConnects: c.udpConnects,
      offersRelayed: c.offersRelayed,
      answersRelayed: c.answersRelayed,
      answersUndeliverable: c.answersUndeliverable,
      waitingOffers: this.waitingOffers.size,
      offersKept: this.waitingOffers.kept,
      offersHandedLate: this.waitingOffers.handed,
      offersDroppedUnhanded: this.waitingOffers.dropped,
      droppedSlowReader: c.droppedSlowReader,
      peersExpired: this.registry.expired,
      peersEvicted: this.registry.evicted,
      wsConnectionsOpened: c.wsConnectionsOpened,
      wsConnectionsRefused: c.wsConnectionsRefused,
      wsClosedIdle: c.wsClosedIdle,
      wsClosedAbuse: c.wsClosedAbuse,
      rejected: Object.fromEntries(c.rejected),
    };
  }

  /** Closes every WebSocket connection. */
  close(): void {
    this.ws.closeAll();
  }
}
