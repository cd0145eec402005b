import type { RtcConnector, PendingOffer } from '../../ports/rtc.js';
import type { AnnounceRequest, AnnounceResponse, ScrapeStats, TrackerClient } from '../../ports/tracker.js';
import type { Transport } from '../../ports/transport.js';
import type { ScheduleTimer, WebSocketFactory, WebSocketLike } from '../../ports/websocket.js';
import { TrackerError } from '../errors.js';
import { encodeClientMessage, parseTrackerMessage, type WsTrackerMessage } from '../ws/index.js';
import { toHex } from '../../util/hex.js';

/** How long a first announce's offers wait for the answers to offers the tracker handed with its reply. */
export const ANSWER_WAIT_MS = 1000;

/** A WebRTC connection the tracker brokered, ready for the torrent named by `infoHash`. */
export type BrokeredPeer = (infoHash: Uint8Array, transport: Transport, remotePeerId: Uint8Array) => void;

export interface WsTrackerClientOptions {
  readonly socket: WebSocketFactory;
  readonly rtc: RtcConnector;
  readonly timer: ScheduleTimer;
  readonly random: (count: number) => Uint8Array;
  readonly onPeer: BrokeredPeer;
  /** One of our offers was answered but the connection failed: fresh offers are the only retry. */
  readonly onOfferFailed?: (infoHash: Uint8Array, url: string) => void;
  /** An offer nobody answered is dropped after this long (WebTorrent uses 50 s). */
  readonly offerTimeoutMs?: number;
  /** An announce the tracker does not reply to fails after this long. */
  readonly replyTimeoutMs?: number;
  /** Most offers in one announce (WebTorrent sends 10 at most). */
  readonly maxOffers?: number;
}

interface PendingAnnounce {
  readonly infoHashHex: string;
  resolve(reply: AnnounceResponse): void;
  reject(error: TrackerError): void;
  cancelTimer(): void;
}

interface OutstandingOffer {
  readonly infoHash: Uint8Array;
  readonly offer: PendingOffer;
  cancelTimer(): void;
}

/**
 * The WebTorrent (WebSocket) tracker client: one socket per tracker URL, shared by every torrent.
 * It introduces peers by relaying WebRTC offers and answers, not by listing addresses, so its
 * announce replies carry no peers: the connections it brokers go to `onPeer` as they open.
 * Offers are made only when an announce asks for them (`offerCount`), within the caller's budget.
 */
export class WsTrackerClient implements TrackerClient {
  readonly protocol = 'ws' as const;
  private ws: WebSocketLike | null = null;
  private opened: Promise<void> | null = null;
  private readonly announces: PendingAnnounce[] = [];
  private readonly offers = new Map<string, OutstandingOffer>();
  /** Answers being made to offers the tracker relayed, until each answer's SDP is ready. */
  private readonly answering = new Set<Promise<unknown>>();
  private closed = false;
  private readonly offerTimeout: number;
  private readonly replyTimeout: number;
  private readonly maxOffers: number;

  constructor(
    readonly url: string,
    private readonly options: WsTrackerClientOptions,
  ) {
    this.offerTimeout = options.offerTimeoutMs ?? 50_000;
    this.replyTimeout = options.replyTimeoutMs ?? 15_000;
    this.maxOffers = options.maxOffers ?? 10;
  }

  /**
   * Announces with `offerCount` fresh offers. A torrent's first announce (`started`) goes out at once,
   * with no offers and `numwant` set to the offers to come, and the offers follow in a second announce
   * when they are made: making them waits for ICE gathering (about 200 ms for 10 offers in Chromium
   * here), while a tracker that keeps offers for late joiners (Sluice's) answers the first announce
   * with a waiting seeder's offer, which needs none of ours. bittorrent-tracker counts `numwant` from
   * the offers, so there the first announce just joins the swarm.
   *
   * Our offers are made once the reply is in and the offers that came with it are answered: made at
   * once, ten peer connections gathering ICE (in Chromium, on the page's main thread and WebRTC's)
   * held up the answer to a waiting seeder, the torrent's first connection, by about 100 ms. On a
   * tracker that hands no offers this costs one round trip to it before our offers leave.
   */
  async announce(request: AnnounceRequest): Promise<AnnounceResponse> {
    if (this.closed) throw new TrackerError('tracker/closed', 'the tracker client is closed');
    this.rememberPeerId(request.infoHash, request.peerId);
    await this.connect();
    const wantOffers = request.event === 'stopped' || request.event === 'completed' ? 0 : Math.max(0, Math.min(request.offerCount ?? 0, this.maxOffers));
    if (wantOffers > 0 && request.event === 'started') {
      const reply = this.awaitReply(toHex(request.infoHash));
      this.sendAnnounce(request, request.event, [], wantOffers);
      // A tracker that refused or never answered gets no offers now; the next announce carries them.
      void reply
        .then(() => this.afterAnswers())
        .then(() => this.makeOffers(request, wantOffers))
        .then((wire) => {
          if (wire.length > 0 && !this.closed) this.sendAnnounce(request, undefined, wire, wire.length);
        })
        .catch(() => {});
      return reply;
    }
    const wire = await this.makeOffers(request, wantOffers);
    const reply = this.awaitReply(toHex(request.infoHash));
    this.sendAnnounce(request, request.event, wire, wire.length);
    return reply;
  }

  /** `count` offers for the torrent, each waiting for its answer until `offerTimeout`; those that fail are left out. */
  private async makeOffers(request: AnnounceRequest, count: number): Promise<{ offerId: Uint8Array; sdp: string }[]> {
    const made = await Promise.allSettled(Array.from({ length: count }, () => this.options.rtc.createOffer()));
    const offers = made.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    if (this.closed) {
      for (const offer of offers) offer.cancel();
      return [];
    }
    return offers.map((offer) => {
      const offerId = this.options.random(20);
      const key = toHex(offerId);
      const cancelTimer = this.options.timer(this.offerTimeout, () => {
        this.offers.delete(key);
        offer.cancel();
      });
      this.offers.set(key, { infoHash: request.infoHash, offer, cancelTimer });
      return { offerId, sdp: offer.sdp };
    });
  }

  private sendAnnounce(request: AnnounceRequest, event: AnnounceRequest['event'], offers: { offerId: Uint8Array; sdp: string }[], numWant: number): void {
    this.send(
      encodeClientMessage({
        type: 'announce',
        infoHash: request.infoHash,
        peerId: request.peerId,
        ...(event ? { event } : {}),
        numWant,
        uploaded: request.uploaded,
        downloaded: request.downloaded,
        left: request.left,
        offers,
        ...(request.trackerId ? { trackerId: request.trackerId } : {}),
      }),
    );
  }

  async scrape(): Promise<readonly ScrapeStats[]> {
    throw new TrackerError('tracker/scrape-unsupported', 'scraping WebSocket trackers is not supported');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const a of this.announces.splice(0)) {
      a.cancelTimer();
      a.reject(new TrackerError('tracker/closed', 'the tracker client is closed'));
    }
    for (const o of this.offers.values()) {
      o.cancelTimer();
      o.offer.cancel();
    }
    this.offers.clear();
    this.ws?.close();
    this.ws = null;
  }

  private connect(): Promise<void> {
    if (this.opened) return this.opened;
    this.opened = new Promise<void>((resolve, reject) => {
      let open = false;
      const cancel = this.options.timer(this.replyTimeout, () => {
        if (open) return;
        reject(new TrackerError('tracker/timeout', `could not connect to ${this.url}`));
        this.ws?.close();
      });
      this.ws = this.options.socket(this.url, {
        open: () => {
          open = true;
          cancel();
          resolve();
        },
        message: (text) => this.onMessage(text),
        close: () => {
          cancel();
          if (!open) reject(new TrackerError('tracker/unreachable', `could not connect to ${this.url}`));
          this.ws = null;
          this.opened = null;
          // Announces waiting on this socket fail now; the schedule retries with back-off.
          for (const a of this.announces.splice(0)) {
            a.cancelTimer();
            a.reject(new TrackerError('tracker/unreachable', `the connection to ${this.url} closed`));
          }
        },
      });
    });
    return this.opened;
  }

  private send(text: string): void {
    if (!this.ws) throw new TrackerError('tracker/unreachable', `not connected to ${this.url}`);
    this.ws.send(text);
  }

  private awaitReply(infoHashHex: string): Promise<AnnounceResponse> {
    return new Promise((resolve, reject) => {
      const pending: PendingAnnounce = {
        infoHashHex,
        resolve,
        reject,
        cancelTimer: this.options.timer(this.replyTimeout, () => {
          const i = this.announces.indexOf(pending);
          if (i !== -1) this.announces.splice(i, 1);
          reject(new TrackerError('tracker/timeout', `${this.url} did not reply`));
        }),
      };
      this.announces.push(pending);
    });
  }

  private takeAnnounce(infoHash: Uint8Array | undefined): PendingAnnounce | undefined {
    const hex = infoHash ? toHex(infoHash) : undefined;
    const i = this.announces.findIndex((a) => hex === undefined || a.infoHashHex === hex);
    if (i === -1) return undefined;
    const [pending] = this.announces.splice(i, 1);
    pending!.cancelTimer();
    return pending;
  }

  private onMessage(text: string): void {
    let message: WsTrackerMessage;
    try {
      message = parseTrackerMessage(text);
    } catch {
      return; // A frame we cannot read is dropped; the tracker is not trusted to be well-formed.
    }
    switch (message.type) {
      case 'announce-reply':
        this.takeAnnounce(message.infoHash)?.resolve({
          interval: message.interval ?? 120,
          ...(message.minInterval !== undefined ? { minInterval: message.minInterval } : {}),
          ...(message.complete !== undefined ? { complete: message.complete } : {}),
          ...(message.incomplete !== undefined ? { incomplete: message.incomplete } : {}),
          ...(message.warning !== undefined ? { warning: message.warning } : {}),
          ...(message.trackerId !== undefined ? { trackerId: message.trackerId } : {}),
          peers: [],
        });
        return;
      case 'failure':
        this.takeAnnounce(message.infoHash)?.reject(new TrackerError('tracker/failure-reason', `tracker refused the request: ${message.reason}`, { reason: message.reason }));
        return;
      case 'answer': {
        const key = toHex(message.offerId);
        const outstanding = this.offers.get(key);
        if (!outstanding || toHex(outstanding.infoHash) !== toHex(message.infoHash)) return;
        this.offers.delete(key);
        outstanding.cancelTimer();
        outstanding.offer.complete(message.sdp).then(
          (transport) => this.options.onPeer(message.infoHash, transport, message.peerId),
          () => this.options.onOfferFailed?.(message.infoHash, this.url),
        );
        return;
      }
      case 'offer':
        void this.answer(message.infoHash, message.peerId, message.offerId, message.sdp);
        return;
      case 'scrape-reply':
        return;
    }
  }

  /**
   * Resolves once the offers relayed with an announce reply have their answers made, or ANSWER_WAIT_MS
   * has passed. Sluice's tracker sends them just before the reply. One timer turn also lets in those a
   * tracker sends right after it when they arrive with it; in one trace such an offer reached the
   * worker 9 ms after the reply, which this turn misses (then our offers do not wait for its answer).
   */
  private async afterAnswers(): Promise<void> {
    await new Promise<void>((resolve) => this.options.timer(0, resolve));
    if (this.answering.size === 0) return;
    let cancel = () => {};
    await Promise.race([Promise.allSettled([...this.answering]), new Promise<void>((resolve) => (cancel = this.options.timer(ANSWER_WAIT_MS, resolve)))]);
    cancel();
  }

  private async answer(infoHash: Uint8Array, remotePeerId: Uint8Array, offerId: Uint8Array, sdp: string): Promise<void> {
    let accepted;
    const accepting = this.options.rtc.acceptOffer(sdp);
    this.answering.add(accepting);
    try {
      accepted = await accepting;
    } catch {
      return;
    } finally {
      this.answering.delete(accepting);
    }
    const cancelTimer = this.options.timer(this.offerTimeout, () => accepted.cancel());
    try {
      this.send(encodeClientMessage({ type: 'answer', infoHash, peerId: this.localPeerId(infoHash), toPeerId: remotePeerId, offerId, sdp: accepted.answerSdp }));
    } catch {
      cancelTimer();
      accepted.cancel();
      return;
    }
    accepted.connected.then(
      (transport) => {
        cancelTimer();
        this.options.onPeer(infoHash, transport, remotePeerId);
      },
      () => cancelTimer(),
    );
  }

  private readonly peerIds = new Map<string, Uint8Array>();

  /** Our peer id as we announced it for this torrent (answers must carry the same one). */
  private localPeerId(infoHash: Uint8Array): Uint8Array {
    return this.peerIds.get(toHex(infoHash)) ?? this.defaultPeerId;
  }

  private defaultPeerId: Uint8Array = new Uint8Array(20);

  /** Remembers the peer id a torrent announces with. */
  rememberPeerId(infoHash: Uint8Array, peerId: Uint8Array): void {
    this.peerIds.set(toHex(infoHash), peerId);
    this.defaultPeerId = peerId;
  }
}
