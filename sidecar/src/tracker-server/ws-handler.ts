// WebSocket side of the tracker: the WebTorrent signalling relay. Offers from an announce go to random
// WebSocket peers of the swarm; answers go back to the peer named by `to_peer_id`, which matches them by
// `offer_id`. The reference is bittorrent-tracker 11's server; bounds are ours (docs/tracker-server.md).
import type { Duplex } from 'node:stream';
import { MAX_SCRAPE_REPLY_FILES, type WsCodecLimits } from '../../../src/core/tracker/ws/bounds.js';
import { binaryStringToBytes } from '../../../src/core/tracker/ws/binary-string.js';
import { parseClientMessageIds, type WsAnnounce, type WsAnswer, type WsScrapeRequest } from '../../../src/core/tracker/ws/client-messages.js';
import { WsTrackerError, rejectionKind } from '../../../src/core/tracker/ws/errors.js';
import { encodeTrackerMessage, type WsTrackerMessage } from '../../../src/core/tracker/ws/tracker-messages.js';
import { plainIp } from './classic-announce.js';
import type { TrackerService } from './service.js';
import type { Swarm } from './swarm-registry.js';
import { WsSocket, answerUpgrade, textFrame, type UpgradeRequest } from './ws-socket.js';

/** An upgrade request and the address it came from (node:http's IncomingMessage is one). */
export interface TrackerUpgradeRequest extends UpgradeRequest {
  readonly socket: { readonly remoteAddress?: string | undefined };
}

const POLICY_VIOLATION = 1008;
const GOING_AWAY = 1001;
/**
 * How long after a peer joins its offers keep away from the peers whose kept offers it was handed:
 * its follow-up announce (its offers, made after the join) comes within a second or two; a retry after
 * a failed connection comes later (a Sluice client's second one by 30 s), and may reach them again.
 */
const JOIN_WINDOW_MS = 10_000;

/**
 * The announce reply, the same text `encodeTrackerMessage` makes for
 * `{type: 'announce-reply', infoHash, interval, complete, incomplete}`, with the info hash's JSON made
 * once per swarm rather than once per reply.
 */
export function announceReply(interval: number, swarm: Swarm<unknown>): string {
  return `{"action":"announce","interval":${interval},"info_hash":${swarm.infoHashJson},"complete":${swarm.complete},"incomplete":${swarm.incomplete}}`;
}

/**
 * The announce reply as a whole WebSocket frame, made once per swarm and count: replies only change when
 * `complete` or `incomplete` does, so a busy swarm hands the same (never modified) bytes to every socket.
 */
export function announceReplyFrame(interval: number, swarm: Swarm<unknown>): Uint8Array {
  const cached = swarm.wsReply;
  if (cached !== null && cached.complete === swarm.complete && cached.incomplete === swarm.incomplete && cached.interval === interval) return cached.frame;
  const frame = textFrame(announceReply(interval, swarm));
  swarm.wsReply = { complete: swarm.complete, incomplete: swarm.incomplete, interval, frame };
  return frame;
}

/**
 * A relayed offer or answer: the text `encodeTrackerMessage` makes for it (same keys, same order), from
 * ids that are already checked binary strings and an SDP the codec already bounded.
 */
export function relayedText(kind: 'offer' | 'answer', sdp: string, offerId: string, peerId: string, infoHash: string): string {
  return JSON.stringify({ action: 'announce', [kind]: { type: kind, sdp }, offer_id: offerId, peer_id: peerId, info_hash: infoHash });
}

/** One WebSocket client. Its peers (one per torrent) are the registry's; this remembers which they are. */
export class WsConnection {
  /**
   * The peers announced on this connection: info hash + peer id (binary strings, 40 characters). One
   * socket may carry several peers of a torrent: bittorrent-tracker's client shares one socket per
   * tracker URL among every client in a page or process.
   */
  readonly announced = new Set<string>();
  /**
   * Per peer of this connection (info hash + peer id): whose kept offers it was handed when it joined,
   * and until when its own offers keep away from them (`JOIN_WINDOW_MS`).
   */
  readonly introducedAtJoin = new Map<string, { readonly peers: readonly string[]; readonly until: number }>();
  lastMessageAt: number;
  private windowStart: number;
  private windowCount = 0;
  private badMessages = 0;
  closed = false;

  socket: WsSocket | null = null;

  constructor(
    readonly ip: string,
    now: number,
  ) {
    this.lastMessageAt = now;
    this.windowStart = now;
  }

  /** Sends unless the socket is backed up; returns whether it was sent. */
  send(text: string, maxBuffered: number): boolean {
    if (this.closed || this.socket === null || !this.socket.open) return false;
    if (this.socket.bufferedAmount > maxBuffered) return false;
    this.socket.send(text);
    return true;
  }

  /** The same for a whole frame made beforehand. */
  sendFrame(frame: Uint8Array, maxBuffered: number): boolean {
    if (this.closed || this.socket === null || !this.socket.open) return false;
    if (this.socket.bufferedAmount > maxBuffered) return false;
    this.socket.sendFrame(frame);
    return true;
  }

  /** Counts a message against the per-minute budget: 'ok', 'over' (refuse it) or 'abuse' (close). */
  spend(now: number, perMinute: number): 'ok' | 'over' | 'abuse' {
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    this.windowCount++;
    if (this.windowCount <= perMinute) return 'ok';
    return this.windowCount > 2 * perMinute ? 'abuse' : 'over';
  }

  strike(max: number): boolean {
    this.badMessages++;
    return this.badMessages > max;
  }
}

export class WsRelay {
  readonly connections = new Set<WsConnection>();
  private readonly codecLimits: WsCodecLimits;

  constructor(private readonly service: TrackerService) {
    const limits = service.limits;
    this.codecLimits = {
      maxMessageBytes: limits.maxMessageBytes,
      maxOffers: limits.maxOffersPerAnnounce,
      maxSdpLength: limits.maxSdpLength,
      maxScrapeHashes: 74,
    };
  }

  /** Takes over an HTTP upgrade request. */
  handleUpgrade(req: TrackerUpgradeRequest, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    if (this.connections.size >= this.service.limits.maxWsConnections) {
      this.service.counters.wsConnectionsRefused++;
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (!answerUpgrade(req, socket)) {
      this.service.counters.reject('ws-protocol');
      return;
    }
    const connection = new WsConnection(plainIp(req.socket.remoteAddress), this.service.now());
    this.connections.add(connection);
    this.service.counters.wsConnectionsOpened++;
    connection.socket = new WsSocket(socket, this.service.limits.maxMessageBytes, {
      message: (data) => this.onMessage(connection, data),
      // An oversized frame closes the socket with 1009, a protocol error with 1002.
      error: (kind) => this.service.counters.reject(kind),
      close: () => this.forget(connection),
    }, head);
  }

  private forget(connection: WsConnection): void {
    if (connection.closed) return;
    connection.closed = true;
    this.connections.delete(connection);
    for (const entry of connection.announced) this.dropPeer(connection, entry.slice(0, 20), entry.slice(20));
    connection.announced.clear();
  }

  private dropPeer(connection: WsConnection, infoHash: string, peerId: string): void {
    const swarm = this.service.registry.get(infoHash);
    const peer = swarm?.peers.get(`w${peerId}`);
    if (swarm && peer && peer.link === connection) {
      this.service.registry.remove(swarm, peer);
      this.service.waitingOffers.dropPeer(infoHash, peerId, connection);
    }
  }

  private close(connection: WsConnection, code: number, reason: string): void {
    connection.socket?.close(code, reason);
    this.forget(connection);
  }

  private reply(connection: WsConnection, message: WsTrackerMessage): void {
    if (!connection.send(encodeTrackerMessage(message, this.codecLimits), this.service.limits.maxBufferedBytes)) this.service.counters.droppedSlowReader++;
  }

  private onMessage(connection: WsConnection, frame: Buffer): void {
    if (connection.closed) return;
    const now = this.service.now();
    const limits = this.service.limits;
    connection.lastMessageAt = now;
    const budget = connection.spend(now, limits.maxMessagesPerMinute);
    if (budget !== 'ok') {
      this.service.counters.reject('rate-limited');
      if (budget === 'abuse') {
        this.service.counters.wsClosedAbuse++;
        this.close(connection, POLICY_VIOLATION, 'too many messages');
      } else this.reply(connection, { type: 'failure', reason: `too many messages: at most ${limits.maxMessagesPerMinute} a minute` });
      return;
    }
    // Text or binary, the frame is bounded in bytes (WsSocket); the codec reads its bytes (UTF-8 checked,
    // ids kept as binary strings).
    let message;
    try {
      message = parseClientMessageIds(frame, this.codecLimits);
    } catch (error) {
      if (!(error instanceof WsTrackerError)) throw error;
      this.refuse(connection, rejectionKind(error), error.message);
      return;
    }
    if (message.type === 'announce') this.announce(connection, message, now);
    else if (message.type === 'answer') this.answer(connection, message);
    else this.scrape(connection, message);
  }

  /** A bad message: count it, tell the client (as bittorrent-tracker does), close after too many. */
  private refuse(connection: WsConnection, kind: string, reason: string, infoHash?: string): void {
    this.service.counters.reject(kind);
    if (connection.strike(this.service.limits.maxBadMessages)) {
      this.service.counters.wsClosedAbuse++;
      this.close(connection, POLICY_VIOLATION, 'too many bad messages');
      return;
    }
    this.reply(connection, { type: 'failure', reason, ...(infoHash === undefined ? {} : { action: 'announce' as const, infoHash: binaryStringToBytes(infoHash)! }) });
  }

  private announce(connection: WsConnection, message: WsAnnounce<string>, now: number): void {
    const infoHash = message.infoHash;
    const peerId = message.peerId;
    const entry = infoHash + peerId;
    const known = connection.announced.has(entry);
    if (!known && connection.announced.size >= this.service.limits.maxSwarmsPerConnection) {
      this.refuse(connection, 'too-many-torrents', `at most ${this.service.limits.maxSwarmsPerConnection} torrents per connection`, infoHash);
      return;
    }
    const registry = this.service.registry;
    // Offers kept for late joiners go to peers new to the swarm: a peer that was there when they came
    // either got one of that announce's offers or the announce had none to spare.
    const joining = registry.find(infoHash, 'ws', peerId) === undefined;
    const result = registry.announce(
      { infoHash, kind: 'ws', peerId, ip: connection.ip, port: 0, left: message.left, event: message.event, link: connection },
      now,
    );
    if (!result.ok) {
      this.refuse(connection, 'swarm-limit', result.reason, infoHash);
      return;
    }
    // What this peer had waiting is stale now: its new offers (if any) replace them.
    this.service.waitingOffers.dropPeer(infoHash, peerId, connection);
    if (message.event === 'stopped') {
      connection.announced.delete(entry);
      connection.introducedAtJoin.delete(entry);
    } else if (!known) connection.announced.add(entry);
    this.service.counters.announces.ws++;
    const sendReply = () => {
      if (!connection.sendFrame(announceReplyFrame(this.service.limits.wsIntervalSeconds, result.swarm), this.service.limits.maxBufferedBytes)) this.service.counters.droppedSlowReader++;
    };
    if (message.event === 'stopped' || message.event === 'completed') return sendReply();
    const wanted = Math.min(message.offers.length, message.numWant ?? message.offers.length);
    // A joiner gets the waiting offers before the reply: a Sluice client makes its own offers once the
    // reply is in and the offers before it are answered, so its answer to a waiting seeder (the first
    // connection) does not queue behind ten offers gathering ICE. webtorrent takes offers at any time.
    const answering = joining ? this.handWaitingOffers(connection, infoHash, peerId, Math.min(message.numWant ?? wanted, this.service.limits.maxOffersPerAnnounce), now) : [];
    sendReply();
    if (answering.length > 0) connection.introducedAtJoin.set(entry, { peers: answering, until: now + JOIN_WINDOW_MS });
    if (message.offers.length === 0) return;
    // Not to the peers whose offers it was handed as it joined: one connection per pair, or webtorrent
    // refuses the second as a duplicate of the first (the answer to its offer would be the fast one to
    // lose). A Sluice client joins in two announces (at once with none, then its offers once made), so
    // this holds for a while after the join, not only for the joining announce.
    const joined = connection.introducedAtJoin.get(entry);
    if (joined && joined.until <= now) connection.introducedAtJoin.delete(entry);
    // Set just above when this announce joined (then its peers are `answering`), else from the join.
    const keepAway = joined && joined.until > now ? joined.peers : answering;
    const targets = registry.pick(result.swarm, 'ws', wanted + keepAway.length, result.peer).filter((peer) => !keepAway.includes(peer.peerId)).slice(0, wanted);
    targets.forEach((target, i) => {
      const offer = message.offers[i]!;
      const link = target.link as WsConnection | undefined;
      if (!link) return;
      const text = relayedText('offer', offer.sdp, offer.offerId, peerId, infoHash);
      if (link.send(text, this.service.limits.maxBufferedBytes)) this.service.counters.offersRelayed++;
      else this.service.counters.droppedSlowReader++;
    });
    this.service.waitingOffers.keep(infoHash, peerId, connection, message.offers.slice(targets.length, wanted), now);
  }

  /**
   * Sends a peer new to the swarm up to `count` offers kept from earlier announces (one per offering
   * peer); returns the ids of the peers whose offers it got.
   */
  private handWaitingOffers(connection: WsConnection, infoHash: string, peerId: string, count: number, now: number): string[] {
    const registry = this.service.registry;
    const taken = this.service.waitingOffers.take(infoHash, peerId, count, now, (offer) => {
      const owner = registry.find(infoHash, 'ws', offer.peerId);
      return owner !== undefined && owner.link === offer.link && !offer.link.closed;
    });
    const offerers: string[] = [];
    for (const offer of taken) {
      if (connection.send(relayedText('offer', offer.sdp, offer.offerId, offer.peerId, infoHash), this.service.limits.maxBufferedBytes)) {
        this.service.counters.offersRelayed++;
        offerers.push(offer.peerId);
      } else this.service.counters.droppedSlowReader++;
    }
    return offerers;
  }

  private answer(connection: WsConnection, message: WsAnswer<string>): void {
    const infoHash = message.infoHash;
    // Only a peer this connection announced may answer, so no one can answer in another peer's name.
    if (!connection.announced.has(infoHash + message.peerId)) {
      this.refuse(connection, 'answer-not-announced', 'answer from a peer id not announced for this torrent on this connection', infoHash);
      return;
    }
    const target = this.service.registry.find(infoHash, 'ws', message.toPeerId);
    const link = target?.link as WsConnection | undefined;
    if (!link) {
      this.service.counters.answersUndeliverable++;
      return;
    }
    const text = relayedText('answer', message.sdp, message.offerId, message.peerId, infoHash);
    if (link.send(text, this.service.limits.maxBufferedBytes)) this.service.counters.answersRelayed++;
    else this.service.counters.droppedSlowReader++;
  }

  private scrape(connection: WsConnection, message: WsScrapeRequest<string>): void {
    const hashes = message.infoHashes === 'all' ? this.service.registry.infoHashes(MAX_SCRAPE_REPLY_FILES) : [...new Set(message.infoHashes)];
    this.service.counters.scrapes.ws++;
    this.reply(connection, {
      type: 'scrape-reply',
      files: hashes.map((hash) => ({ infoHash: binaryStringToBytes(hash)!, ...this.service.registry.scrape(hash) })),
      minRequestInterval: this.service.limits.wsIntervalSeconds,
    });
  }

  /** Closes connections silent for longer than the idle timeout. */
  sweep(now: number): void {
    for (const connection of [...this.connections]) {
      if (now - connection.lastMessageAt >= this.service.limits.idleTimeoutMs) {
        this.service.counters.wsClosedIdle++;
        this.close(connection, GOING_AWAY, 'idle');
      }
    }
  }

  closeAll(): void {
    for (const connection of [...this.connections]) this.close(connection, GOING_AWAY, 'tracker shutting down');
  }
}
