import type { PiecePicker } from '../picker/piece-picker.js';
import type { RequestPipeline } from '../pipeline/request-pipeline.js';

const BLOCK = 16 * 1024;

export interface DeadlineBudgetOptions {
  /** Ordinary (non-deadline) requests kept at such a peer while deadlines exist (default 4). */
  readonly ordinaryAhead?: number;
  /**
   * The requests kept there last about this long at the peer's rate, or one round trip where that is
   * longer (default 50 ms): what a seek's first block waits behind at a peer that ignores CANCEL. At
   * 200 ms the streaming bench's seek took a median 0.44 s, at 100 ms 0.41 s (10 runs each, alternated);
   * at 50 ms 0.33 s against 0.40 s at 100 (24 runs each, alternated), the first frame the same. What the
   * queue holds is not only at the peer: blocks already sent wait in the engine worker's own queue of
   * data-channel messages, and so does the player's next request.
   */
  readonly horizonMs?: number;
  /** ...but never fewer than this many (default 8): a peer whose rate is not known yet still gets some. */
  readonly minRequests?: number;
}

/** How many more requests a peer may take now, deadline ones and ordinary ones. */
export interface RequestRoom {
  readonly deadline: number;
  readonly ordinary: number;
}

type BudgetPicker = Pick<PiecePicker, 'deadlineOf'>;
type BudgetPipeline = Pick<RequestPipeline, 'cancelVerdict' | 'rate' | 'queueLimit' | 'outstandingRequests' | 'cancelledUnanswered' | 'fastestLatencyMs'>;

/**
 * While a piece has a deadline, how deep the queue at a peer not known to honour CANCEL may be. Such a
 * peer (webtorrent; any peer before it answered a CANCEL) sends every request it got, in order, whatever
 * we cancel, so a deadline set now (the playhead after a seek, the next piece the player asks for) waits
 * behind everything queued there: with the ordinary pipeline at its usual depth (3 s of data, up to 500
 * requests) that is seconds. So, only while deadlines exist:
 * - at most `ordinaryAhead` ordinary requests are kept there (the next deadline waits behind a few);
 * - requests in all about `horizonMs` (or one round trip, if longer) plus one unloaded round trip of its rate (at least `minRequests`),
 *   counting deadline requests against it too: a seek abandons the old position's deadline requests, and
 *   the new ones wait behind them, so those must be few as well. The round trip on top is what is on the
 *   way rather than queued there, so what a new deadline waits behind at the peer stays about `horizonMs`.
 * A peer known to honour CANCEL is not limited: cancelling what is queued ahead does the job there
 * (deadline-preemption.ts). With no deadline, nothing is limited and the pipeline's depth rules.
 */
export class DeadlineBudget {
  private readonly ordinaryAhead: number;
  private readonly horizonMs: number;
  private readonly minRequests: number;

  constructor(options: DeadlineBudgetOptions = {}) {
    this.ordinaryAhead = options.ordinaryAhead ?? 4;
    this.horizonMs = options.horizonMs ?? 50;
    this.minRequests = Math.max(this.ordinaryAhead, options.minRequests ?? 8);
  }

  /** Whether `pipeline`'s peer is limited while deadlines exist. */
  limits(pipeline: Pick<RequestPipeline, 'cancelVerdict'>): boolean {
    return pipeline.cancelVerdict !== 'honours';
  }

  /** The requests the peer may still take now (deadlines exist), or null when it is not limited. */
  room(picker: BudgetPicker, pipeline: BudgetPipeline, now: number): RequestRoom | null {
    if (!this.limits(pipeline)) return null;
    // The horizon is time spent queued at the peer; the round trip itself (the requests on their way,
    // the blocks on theirs) comes on top. Sized by the horizon alone, the queue could never hold more
    // than the rate the last queue gave: over a path whose round trip nears the horizon (100-450 ms
    // from a webtorrent seeder to the app's engine worker on a loaded machine) the rate did not grow.
    // The horizon is also never shorter than the round trip: the rate cannot grow past what the last
    // queue brought if the queue is shorter than the path (a 400 ms round trip with 200 ms queued moved
    // 3.4 MB in 3 s from a 4 MB/s peer; with 400 ms, over 5 MB), but over a short path a short queue is
    // what keeps a seek from waiting behind the old position's blocks.
    const latency = pipeline.fastestLatencyMs ?? 0;
    const byRate = Math.ceil((pipeline.rate(now) * (Math.max(this.horizonMs, latency) + latency)) / 1000 / BLOCK);
    const total = Math.min(pipeline.queueLimit, Math.max(this.minRequests, byRate));
    let deadline = 0;
    // What we cancelled there may still come (the verdict is not known, or it ignores CANCEL): it is queued ahead.
    let ordinary = pipeline.cancelledUnanswered;
    // Run on every fill of every peer while deadlines exist: counted in place, not over a copy.
    for (const r of pipeline.outstandingRequests()) {
      if (picker.deadlineOf(r.piece) !== undefined) deadline++;
      else ordinary++;
    }
    // Deadline requests count only against the total, so the first deadline still goes out at once
    // behind a pipeline filled (or cancelled) before it; ordinary ones wait until the queue is short again.
    return {
      deadline: Math.max(0, total - deadline),
      ordinary: Math.max(0, Math.min(this.ordinaryAhead - ordinary, total - deadline - ordinary)),
    };
  }
}
