import type { Transport } from '../ports/transport.js';
import type { PeerDiscovery, TorrentContext } from './context.js';
import type { PeerBook } from './peer-book.js';

/** Dials started per call: a burst of new addresses is spread over a few ticks, not opened all at once. */
const MAX_DIALS_PER_TICK = 8;

/** What the dialer needs of its torrent. */
export interface PeerDialerHost {
  readonly infoHash: Uint8Array;
  readonly book: PeerBook;
  readonly ctx: Pick<TorrentContext, 'discovery' | 'settings' | 'dial' | 'connectionBudget' | 'wake'>;
  /** False once the torrent is paused, stopped or removed: nothing is looked up or kept then. */
  active(): boolean;
  now(): number;
  /** Connections the torrent has open. */
  connections(): number;
  isConnected(address: string): boolean;
  /** A dial succeeded: the torrent takes the connection over. */
  adopt(transport: Transport, address: string): void;
}

/**
 * A torrent's way to new peers: it asks each discovery source (DHT, LSD) again once that source's interval
 * has passed, puts what they find in the peer book, and dials from the book while the torrent's and the
 * session's connection limits leave room. Dials in flight count against both limits.
 */
export class PeerDialer {
  private pending = 0;
  private readonly lastLookup = new Map<PeerDiscovery, number>();
  private readonly foundBy = new Map<PeerDiscovery, (address: string) => void>();

  constructor(private readonly host: PeerDialerHost) {}

  /** Dials started and not yet settled. */
  get pendingDials(): number {
    return this.pending;
  }

  /** Connections the torrent could still open, counting the dials in flight. */
  room(): number {
    return this.host.ctx.settings().maxConnectionsPerTorrent - this.host.connections() - this.pending;
  }

  /** Looks up and announces on every source whose interval has passed. */
  discover(now: number): void {
    const { ctx, infoHash } = this.host;
    for (const d of ctx.discovery) {
      const last = this.lastLookup.get(d);
      if (last !== undefined && now - last < d.intervalMs) continue;
      this.lastLookup.set(d, now);
      d.lookup(infoHash, this.found(d));
      d.announce(infoHash, ctx.settings().listenPort);
    }
  }

  /** Dials as many addresses from the book as the limits allow. */
  dialMore(now: number): void {
    const { book, ctx } = this.host;
    const room = Math.min(this.room(), ctx.connectionBudget() - this.pending);
    if (room <= 0) return;
    for (const address of book.takeDialable(Math.min(room, MAX_DIALS_PER_TICK), now)) {
      const dialing = ctx.dial(address);
      if (!dialing) {
        book.onDisconnected(address, true, now);
        continue;
      }
      this.pending++;
      dialing.then(
        (transport) => this.settled(address, transport),
        () => this.settled(address, null),
      );
    }
  }

  private settled(address: string, transport: Transport | null): void {
    const { book } = this.host;
    this.pending--;
    if (!transport) {
      book.onDisconnected(address, true, this.host.now());
      return;
    }
    // Paused or removed while dialling, or the peer reached us first: this connection is not needed.
    if (!this.host.active() || this.host.isConnected(address)) {
      transport.close();
      book.onDisconnected(address, false, this.host.now());
      return;
    }
    this.host.adopt(transport, address);
  }

  /** One callback per source for the torrent's life, so that repeated lookups never pile up listeners. */
  private found(d: PeerDiscovery): (address: string) => void {
    let found = this.foundBy.get(d);
    if (!found) {
      found = (address) => {
        if (this.host.active() && this.host.book.add(address, d.source, this.host.now())) this.host.ctx.wake();
      };
      this.foundBy.set(d, found);
    }
    return found;
  }
}
