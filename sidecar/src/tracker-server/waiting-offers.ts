// Offers kept for late joiners, with time passed in: no sockets, no timers. A WebSocket announce's offers
// go to the peers already in the swarm; the ones left over (more offers than peers) wait here for a peer
// that announces later, so it can answer one at once instead of waiting for its own offers to be answered
// (a Node webtorrent answers after a 5 s ICE-gathering stall). Each offer is handed to one joiner at most,
// lives for a short TTL (its offerer drops it after 50 s), and goes when its peer announces again, stops
// or leaves. Bounded per peer, per swarm and in total bytes (docs/tracker-server.md).

export interface WaitingOffersLimits {
  /** How long an offer waits; 0 keeps none. Below the offerer's own 50 s, so an answer still finds it. */
  readonly waitingOfferTtlMs: number;
  /** Offers kept from one announce of one peer. */
  readonly maxWaitingOffersPerPeer: number;
  /** Offers kept per torrent; a newer one pushes out the oldest. */
  readonly maxWaitingOffersPerSwarm: number;
  /** SDP characters kept over all torrents; newer offers push out the oldest. */
  readonly maxWaitingOfferChars: number;
}

export interface WaitingOffer<L> {
  /** Binary strings (one character per byte), as the relay keys and echoes them. */
  readonly infoHash: string;
  readonly peerId: string;
  readonly offerId: string;
  readonly sdp: string;
  /** The connection the offering peer announced on: an answer can only reach it there. */
  readonly link: L;
  readonly expiresAt: number;
}

export class WaitingOffers<L> {
  /** Every kept offer in arrival order (the oldest first, for the total bound and the sweep). */
  private readonly all = new Set<WaitingOffer<L>>();
  private readonly bySwarm = new Map<string, WaitingOffer<L>[]>();
  private chars = 0;
  /** Offers that were kept, handed to a later peer, and dropped unhanded (expired or pushed out). */
  kept = 0;
  handed = 0;
  dropped = 0;

  constructor(private readonly limits: WaitingOffersLimits) {}

  get size(): number {
    return this.all.size;
  }

  /**
   * Replaces what `peerId` had waiting in this swarm with `offers` (those of its announce that no peer
   * got), at most the per-peer bound of them.
   */
  keep(infoHash: string, peerId: string, link: L, offers: readonly { readonly offerId: string; readonly sdp: string }[], now: number): void {
    this.dropPeer(infoHash, peerId, link);
    if (this.limits.waitingOfferTtlMs <= 0 || offers.length === 0) return;
    let list = this.bySwarm.get(infoHash);
    if (!list) {
      list = [];
      this.bySwarm.set(infoHash, list);
    }
    for (const { offerId, sdp } of offers.slice(0, this.limits.maxWaitingOffersPerPeer)) {
      if (sdp.length > this.limits.maxWaitingOfferChars) continue;
      const offer: WaitingOffer<L> = { infoHash, peerId, offerId, sdp, link, expiresAt: now + this.limits.waitingOfferTtlMs };
      list.push(offer);
      this.all.add(offer);
      this.chars += sdp.length;
      this.kept++;
      if (list.length > this.limits.maxWaitingOffersPerSwarm) this.unlink(list[0]!, true);
    }
    while (this.chars > this.limits.maxWaitingOfferChars) this.unlink(this.all.values().next().value!, true);
  }

  /**
   * Takes up to `count` offers of this swarm for the peer `joinerId`: the newest first, one per offering
   * peer, never its own, only from peers `usable` still accepts (announced there on the same link).
   * Each offer taken is gone for everyone else.
   */
  take(infoHash: string, joinerId: string, count: number, now: number, usable: (offer: WaitingOffer<L>) => boolean): WaitingOffer<L>[] {
    const list = this.bySwarm.get(infoHash);
    if (!list || count <= 0) return [];
    const out: WaitingOffer<L>[] = [];
    const offerers = new Set<string>();
    for (let i = list.length - 1; i >= 0 && out.length < count; i--) {
      const offer = list[i]!;
      if (offer.expiresAt <= now || !usable(offer)) {
        this.unlink(offer, true);
        continue;
      }
      if (offer.peerId === joinerId || offerers.has(offer.peerId)) continue;
      offerers.add(offer.peerId);
      out.push(offer);
    }
    for (const offer of out) this.unlink(offer, false);
    this.handed += out.length;
    return out;
  }

  /**
   * Forgets the offers `peerId` has waiting in this swarm (it announced again, stopped or left), those
   * it made on `link` only when given: another connection cannot withdraw them in its name.
   */
  dropPeer(infoHash: string, peerId: string, link?: L): void {
    const list = this.bySwarm.get(infoHash);
    if (!list) return;
    for (const offer of list.filter((o) => o.peerId === peerId && (link === undefined || o.link === link))) this.unlink(offer, false);
  }

  /** Drops expired offers. Returns how many. */
  sweep(now: number): number {
    let count = 0;
    // One TTL for all: arrival order is expiry order, so the first fresh offer ends the walk.
    for (const offer of this.all) {
      if (offer.expiresAt > now) break;
      this.unlink(offer, true);
      count++;
    }
    return count;
  }

  /** SDP characters held, for tests and /stats. */
  get heldChars(): number {
    return this.chars;
  }

  private unlink(offer: WaitingOffer<L>, unhanded: boolean): void {
    if (!this.all.delete(offer)) return;
    this.chars -= offer.sdp.length;
    if (unhanded) this.dropped++;
    const list = this.bySwarm.get(offer.infoHash)!;
    list.splice(list.indexOf(offer), 1);
    if (list.length === 0) this.bySwarm.delete(offer.infoHash);
  }
}
