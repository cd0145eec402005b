/**
 * Whether a peer drops the requests we CANCEL, learnt from what it does after them. Sans-I/O: fed by the
 * peer's RequestPipeline (requests sent, CANCELs sent, REJECTs and blocks received).
 *
 * Why it matters: a CANCEL only helps a deadline if the peer still holds the request. Sluice and
 * libtorrent queue requests and read each block as they send it, so a CANCEL removes it and (fast
 * extension, BEP 6) is answered with a REJECT. webtorrent reads every request from its store as it
 * arrives and writes the block into its (throttled) stream at once: a CANCEL is never answered and the
 * block still comes. At such a peer the requests we keep are the time any new deadline waits.
 *
 * The verdict ("known to honour CANCEL"):
 * - `honours` once the peer answered a CANCEL with a REJECT (it dropped a request it still held; blocks of
 *   other cancelled requests that still came were already on the wire), or, for a peer that never
 *   REJECTs, once more cancelled blocks were skipped (a block requested after a cancelled one arrived,
 *   and the cancelled one never did) than still came;
 * - `ignores` once cancelled blocks still came, no REJECT answered a CANCEL and no more were skipped;
 * - `unknown` before any of that (nothing cancelled yet).
 * A skip is taken back if the skipped block comes after all (a peer whose reads complete out of order).
 */
export type CancelVerdict = 'unknown' | 'honours' | 'ignores';

/** Cancelled requests remembered at once; the oldest are forgotten (a peer that never answers them must not grow this). */
const MAX_REMEMBERED = 512;

export class CancelHonour {
  private sequence = 0;
  /** Sequence number of each outstanding request, by the pipeline's key. */
  private readonly sent = new Map<number | string, number>();
  /** Cancelled requests not yet answered, with their sequence number and when they were cancelled, oldest first. */
  private readonly cancelled = new Map<number | string, { readonly seq: number; readonly at: number }>();
  /** Cancelled requests counted as skipped, kept so a late block takes the skip back. */
  private readonly skippedKeys = new Map<number | string, true>();
  private rejects = 0;
  private skipped = 0;
  private arrived = 0;

  get verdict(): CancelVerdict {
    if (this.rejects > 0 || (this.skipped > 0 && this.skipped > this.arrived)) return 'honours';
    if (this.arrived > 0) return 'ignores';
    return 'unknown';
  }

  /** Cancelled requests answered by a REJECT, skipped, and still delivered (for status and tests). */
  get counts(): { readonly rejects: number; readonly skipped: number; readonly arrived: number } {
    return { rejects: this.rejects, skipped: this.skipped, arrived: this.arrived };
  }

  requestSent(key: number | string): void {
    this.sent.set(key, this.sequence++);
  }

  /**
   * Cancelled requests neither rejected, delivered nor skipped, cancelled within `maxAgeMs` of `now`: at a
   * peer that ignores CANCEL they are still queued there, ahead of whatever we ask next. Older ones are forgotten.
   */
  unanswered(now: number, maxAgeMs: number): number {
    for (const [key, c] of this.cancelled) {
      if (now - c.at <= maxAgeMs) break;
      this.cancelled.delete(key);
    }
    return this.cancelled.size;
  }

  /** We sent CANCEL for an outstanding request at `now`. */
  cancelSent(key: number | string, now: number): void {
    const seq = this.sent.get(key);
    if (seq === undefined) return;
    this.sent.delete(key);
    this.cancelled.set(key, { seq, at: now });
    if (this.cancelled.size > MAX_REMEMBERED) this.cancelled.delete(this.cancelled.keys().next().value!);
  }

  /** The request left the outstanding set without a CANCEL (timed out, dropped by a choke). */
  forget(key: number | string): void {
    this.sent.delete(key);
  }

  /**
   * The peer sent REJECT for `key`. Returns true when it answers a CANCEL of ours: then a request for the
   * same block sent since (asked again after the cancel) is still outstanding there, and stays.
   */
  rejected(key: number | string): boolean {
    if (this.cancelled.delete(key)) {
      this.rejects++;
      return true;
    }
    this.sent.delete(key);
    return false;
  }

  blockReceived(key: number | string): void {
    if (this.cancelled.delete(key)) {
      this.arrived++;
      return;
    }
    if (this.skippedKeys.delete(key)) {
      this.skipped--;
      this.arrived++;
      return;
    }
    const seq = this.sent.get(key);
    if (seq === undefined) return;
    this.sent.delete(key);
    // Requests are answered in order: a cancelled request sent before this one, still unanswered, was dropped.
    // (Cancels are not made in send order, so every remembered one is looked at; they are few: each is
    // soon rejected, delivered or skipped.)
    for (const [k, c] of this.cancelled) {
      if (c.seq >= seq) continue;
      this.cancelled.delete(k);
      this.skipped++;
      this.skippedKeys.set(k, true);
      if (this.skippedKeys.size > MAX_REMEMBERED) this.skippedKeys.delete(this.skippedKeys.keys().next().value!);
    }
  }
}
