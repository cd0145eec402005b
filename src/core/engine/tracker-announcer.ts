import type { Alert, TrackerStatus } from '../api/types.js';
import type { AnnounceEvent, TrackerClient } from '../ports/tracker.js';
import { formatHostPort } from './address.js';
import { AnnounceSchedule } from './announce-schedule.js';

/** An early announce after a failed WebRTC offer, and the follow-up past webtorrent's 25 s CONNECT_TIMEOUT_WEBRTC. */
const OFFER_RETRY_MS = 3_000;
const OFFER_FOLLOW_UP_MS = 30_000;

/** What one announce reports about us, read at the moment it goes out. */
export interface AnnounceFigures {
  readonly uploaded: number;
  readonly downloaded: number;
  readonly left: number;
  /** WebRTC offers a signalling tracker may carry now (room for connections). */
  readonly offerBudget: number;
}

export interface TrackerAnnouncerDeps {
  readonly infoHash: Uint8Array;
  readonly infoHashHex: string;
  readonly peerId: Uint8Array;
  /** A 32-bit value that stays the same across this torrent's announces (BEP 7/15 `key`). */
  readonly key: number;
  now(): number;
  listenPort(): number;
  tracker(url: string): TrackerClient | null;
  figures(): AnnounceFigures;
  peersFound(addresses: string[]): void;
  emit(alert: Alert): void;
  wake(): void;
}

/**
 * Talks to a torrent's trackers: runs the AnnounceSchedule's due announces through the tracker
 * clients, feeds replies back to it, hands the peers on, and keeps track of announces in flight so
 * a closing torrent can wait for its `stopped`.
 */
export class TrackerAnnouncer {
  private readonly schedule: AnnounceSchedule;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    tiers: readonly (readonly string[])[],
    private readonly deps: TrackerAnnouncerDeps,
  ) {
    this.schedule = new AnnounceSchedule(tiers);
  }

  addTier(urls: readonly string[]): void {
    this.schedule.addTier(urls);
  }

  /** Announces what is due; returns the next announce time, or null. */
  tick(now: number): number | null {
    for (const due of this.schedule.due(now)) this.announce(due.url, due.event);
    return this.schedule.nextDeadline();
  }

  markCompleted(now: number): void {
    this.schedule.markCompleted(now);
  }

  /** `stopped` to every tracker that saw `started` (after `completed` where a download just finished). */
  stop(): void {
    for (const due of this.schedule.stop()) {
      if (due.completedFirst) this.announce(due.url, 'completed', () => this.announce(due.url, 'stopped'));
      else this.announce(due.url, due.event);
    }
  }

  restart(now: number): void {
    this.schedule.restart(now);
  }

  /**
   * A signalling tracker's offer failed to connect: announce there again in a few seconds with fresh
   * offers, and once more after the peer's own attempt has surely timed out (webtorrent gives a
   * WebRTC connection 25 s and drops new offers from us until then; AnnounceSchedule.hurry).
   */
  hurry(url: string, now: number): boolean {
    return this.schedule.hurry(url, now + OFFER_RETRY_MS, now + OFFER_FOLLOW_UP_MS);
  }

  /** Resolves once nothing is in flight, including a `stopped` chained after a `completed`. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  status(): TrackerStatus[] {
    return this.schedule.status();
  }

  private announce(url: string, event: AnnounceEvent | undefined, then?: () => void): void {
    const { deps } = this;
    const client = deps.tracker(url);
    if (!client) {
      this.schedule.onFailure(url, 'this tracker protocol is not supported here', deps.now());
      return;
    }
    const figures = deps.figures();
    const promise = client
      .announce({
        infoHash: deps.infoHash,
        peerId: deps.peerId,
        port: deps.listenPort(),
        uploaded: figures.uploaded,
        downloaded: figures.downloaded,
        left: figures.left,
        ...(event ? { event } : {}),
        numWant: event === 'stopped' ? 0 : 50,
        // A signalling tracker carries WebRTC offers: as many as there is room for connections.
        ...(client.protocol === 'ws' ? { offerCount: figures.offerBudget } : {}),
        key: deps.key,
      })
      .then(
        (reply) => {
          if (event === 'stopped') return;
          this.schedule.onSuccess(url, event, { ...reply, peers: reply.peers.length }, deps.now());
          deps.peersFound(reply.peers.map((p) => formatHostPort(p.host, p.port)));
          deps.emit({ type: 'tracker-reply', infoHash: deps.infoHashHex, url, peers: reply.peers.length });
          deps.wake();
        },
        (err: unknown) => {
          if (event === 'stopped') return;
          const message = err instanceof Error ? err.message : String(err);
          this.schedule.onFailure(url, message, deps.now());
          deps.emit({ type: 'tracker-error', infoHash: deps.infoHashHex, url, message });
          deps.wake();
        },
      )
      .then(() => then?.());
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }
}
