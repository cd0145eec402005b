import type { PiecePicker } from '../picker/piece-picker.js';
import type { OutstandingRequest } from '../pipeline/types.js';
import { Bitfield } from '../util/bitfield.js';
import { DeadlineBudget } from './deadline-budget.js';
import type { PeerLink } from './peer-link.js';
import type { TokenBucket } from './token-bucket.js';

type PreemptionPicker = Pick<PiecePicker, 'pick' | 'pieceCount' | 'deadlinePieces' | 'deadlineVersion' | 'deadlineOf' | 'requestCancelled'>;

export interface DeadlinePreemptionDeps {
  /** Null until the metadata is known and the data checked. */
  picker(): PreemptionPicker | null;
  /** What requests to a peer may ask for, or null before it said. */
  peerPieces(link: PeerLink): 'all' | Bitfield | null;
  readonly links: ReadonlyMap<string, PeerLink>;
  /** Every limit a requested block counts against; a cancelled block gives its bytes back. */
  readonly buckets: readonly TokenBucket[];
}

export interface DeadlinePreemptionOptions {
  /** A deadline this close (ms) is raced on two peers at once (default 1000, the picker's urgent window). */
  readonly urgentWindowMs?: number;
  /** With deadlines unchanged, lateness is looked at again after this long (default 250 ms). */
  readonly recheckMs?: number;
  /** Deadline pieces, earliest first, whose missing blocks are requested at once (default 16). */
  readonly maxPieces?: number;
  /** The oldest requests at a peer are taken as already being sent: never cancelled (default 2). */
  readonly keepOldest?: number;
}

/**
 * Time-critical pieces overtake the ordinary pipeline, as libtorrent's time-critical pieces do. A peer
 * answers requests in the order they came, and a deep pipeline keeps seconds of ordinary requests queued
 * there (hundreds at a slow peer after slow start), so a deadline request sent behind them arrives when
 * the queue has drained. Here:
 * - the missing blocks of the earliest deadline pieces are requested at once from the fastest unchoked
 *   peers that have them (two peers when the deadline is within `urgentWindowMs`), whatever the
 *   pipeline's depth says, up to the peer's own queue limit (reqq), making room by cancelling the
 *   newest ordinary requests there;
 * - at each peer, a deadline request with more bytes queued ahead of it than the peer's rate delivers
 *   before the deadline gets the ordinary (non-deadline) requests ahead of it cancelled, except the
 *   oldest `keepOldest` (already on their way). Cancelled blocks go back to the picker and are asked
 *   for again by the ordinary refill, behind the deadline requests.
 * It runs when the deadlines change, and every `recheckMs` while any exist; with none it does nothing.
 */
export class DeadlinePreemption {
  /** CANCELs sent for ordinary requests, and deadline blocks requested past the pipeline (for tests and status). */
  cancelled = 0;
  requested = 0;
  private readonly urgentWindowMs: number;
  private readonly recheckMs: number;
  private readonly maxPieces: number;
  private readonly keepOldest: number;
  private seenVersion = -1;
  private checkedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly deps: DeadlinePreemptionDeps,
    options: DeadlinePreemptionOptions = {},
    /** How many deadline requests a peer not known to honour CANCEL takes (shared with the ordinary refill). */
    private readonly budget: DeadlineBudget = new DeadlineBudget(),
  ) {
    this.urgentWindowMs = options.urgentWindowMs ?? 1000;
    this.recheckMs = options.recheckMs ?? 250;
    this.maxPieces = options.maxPieces ?? 16;
    this.keepOldest = options.keepOldest ?? 2;
  }

  run(now: number): void {
    const picker = this.deps.picker();
    if (!picker || picker.deadlinePieces().length === 0) return;
    if (picker.deadlineVersion === this.seenVersion && now - this.checkedAt < this.recheckMs) return;
    this.seenVersion = picker.deadlineVersion;
    this.checkedAt = now;
    const peers = this.readyPeers(now);
    if (peers.length === 0) return;
    const touched = new Set<PeerLink>();
    for (const d of picker.deadlinePieces().slice(0, this.maxPieces)) {
      const racers = d.deadline - now <= this.urgentWindowMs ? 2 : 1;
      let asked = 0;
      for (const link of peers) {
        if (asked >= racers) break;
        const has = this.deps.peerPieces(link);
        if (!has || (has !== 'all' && !has.get(d.piece))) continue;
        asked++;
        if (this.requestPiece(picker, link, d.piece, now)) touched.add(link);
      }
    }
    for (const link of peers) if (this.unblock(picker, link, now)) touched.add(link);
    for (const link of touched) link.flush();
  }

  /** Unchoked peers we want data from, fastest first (then the least loaded). */
  private readyPeers(now: number): PeerLink[] {
    const peers: { link: PeerLink; rate: number }[] = [];
    for (const link of this.deps.links.values()) {
      if (link.closed || !link.conn.amInterested || link.conn.peerChoking || link.pipeline.snubbed) continue;
      if (!this.deps.peerPieces(link)) continue;
      peers.push({ link, rate: link.pipeline.rate(now) });
    }
    peers.sort((a, b) => b.rate - a.rate || a.link.pipeline.outstanding - b.link.pipeline.outstanding);
    return peers.map((p) => p.link);
  }

  /** Requests the blocks of `piece` the picker gives `link` now, past the pipeline's depth. */
  private requestPiece(picker: PreemptionPicker, link: PeerLink, piece: number, now: number): boolean {
    const { pipeline } = link;
    const requests = pipeline.requests();
    const limited = this.budget.room(picker, pipeline, now);
    const urgent = requests.filter((r) => picker.deadlineOf(r.piece) !== undefined).length;
    // A peer not known to honour CANCEL would send what we cancel to make room anyway: it gets only what its short queue takes.
    const room = limited ? limited.deadline : pipeline.queueLimit - urgent;
    if (room <= 0) return false;
    const blocks = picker.pick({ id: link.address, has: Bitfield.fromIndices(picker.pieceCount, [piece]) }, room, now);
    if (blocks.length === 0) return false;
    // The peer drops requests past its queue limit: the newest ordinary ones make way.
    let excess = limited ? 0 : requests.length + blocks.length - pipeline.queueLimit;
    for (let i = requests.length - 1; i >= 0 && excess > 0; i--) {
      const r = requests[i]!;
      if (picker.deadlineOf(r.piece) !== undefined) continue;
      this.cancel(picker, link, r, now);
      excess--;
    }
    for (const b of blocks) {
      link.conn.request(b.piece, b.begin, b.length);
      pipeline.onRequestSent(b.piece, b.begin, now, b.length);
      for (const bucket of this.deps.buckets) bucket.take(b.length, now);
    }
    this.requested += blocks.length;
    return true;
  }

  /**
   * Cancels the requests queued at `link` ahead of a deadline request that would miss its deadline behind
   * them (bytes ahead of it > the peer's rate × the time left) and that are due later than it or not at
   * all: ordinary ones, and the read-ahead of a position the player left (a seek's first pieces are due
   * before it, stream-deadlines.ts). Returns whether it did.
   */
  private unblock(picker: PreemptionPicker, link: PeerLink, now: number): boolean {
    // A peer known to send what we cancel would only send it twice (we ask for it again); one not known
    // yet is tried once, and not again until its answer (a REJECT, a skip, or the blocks) shows which.
    const verdict = link.pipeline.cancelVerdict;
    if (verdict === 'ignores' || (verdict === 'unknown' && link.pipeline.cancelledUnanswered > 0)) return false;
    const requests = link.pipeline.requests();
    const bytesPerMs = link.pipeline.rate(now) / 1000;
    const deadlines = requests.map((r) => picker.deadlineOf(r.piece));
    // lateDue[i]: the earliest deadline among the late requests after i (Infinity when none is late).
    const lateDue = new Array<number>(requests.length + 1).fill(Number.POSITIVE_INFINITY);
    let ahead = requests.reduce((sum, r) => sum + r.length, 0);
    for (let i = requests.length - 1; i >= 0; i--) {
      ahead -= requests[i]!.length;
      const deadline = deadlines[i];
      const late = deadline !== undefined && i > this.keepOldest && ahead > bytesPerMs * Math.max(0, deadline - now);
      lateDue[i] = late ? Math.min(lateDue[i + 1]!, deadline) : lateDue[i + 1]!;
    }
    let cancelled = false;
    for (let i = this.keepOldest; i < requests.length; i++) {
      const blocked = lateDue[i + 1]!;
      if (blocked === Number.POSITIVE_INFINITY) break;
      const deadline = deadlines[i];
      if (deadline !== undefined && deadline <= blocked) continue;
      this.cancel(picker, link, requests[i]!, now);
      cancelled = true;
    }
    return cancelled;
  }

  private cancel(picker: PreemptionPicker, link: PeerLink, r: OutstandingRequest, now: number): void {
    link.conn.cancel(r.piece, r.begin, r.length);
    link.pipeline.onCancelled(r.piece, r.begin);
    picker.requestCancelled(link.address, r.piece, r.begin);
    // The bytes will not come: the rate limits get them back (they are taken again when re-requested).
    for (const bucket of this.deps.buckets) bucket.take(-r.length, now);
    this.cancelled++;
  }
}
