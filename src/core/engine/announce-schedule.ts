import type { AnnounceEvent } from '../ports/tracker.js';

/**
 * When to announce to which tracker, for one torrent (BEP 12 tiers). Sans-I/O: the caller performs
 * the announces it is told are due and reports each outcome.
 *
 * Policy, following libtorrent with `announce_to_all_tiers`: every tier is announced to, using the
 * first tracker of the tier that works; a failing tracker moves on to the next in its tier, and a
 * tracker that answered moves to the front. A hybrid swarm spreads across tiers (wss:// trackers for
 * browsers, udp:// and http:// for the classic swarm), so announcing to one tier only would miss half.
 */
export interface DueAnnounce {
  readonly url: string;
  readonly tier: number;
  readonly event: AnnounceEvent | undefined;
  /** On `stopped`: the tracker has not heard `completed` yet; tell it first, then stop. */
  readonly completedFirst?: boolean;
}

interface TrackerEntry {
  readonly url: string;
  /** When the next announce may go out; 0 = now. */
  nextAt: number;
  failures: number;
  inFlight: boolean;
  /** Whether `started` has been accepted by this tracker. */
  started: boolean;
  completedSent: boolean;
  lastError: string | null;
  working: boolean;
  seeders: number | null;
  leechers: number | null;
  peersReceived: number;
  /** A second early announce asked for by `hurry` (see there), or null. */
  followUpAt: number | null;
}

/** A tracker not yet announced to: due at once. */
function newEntry(url: string, completedSent: boolean): TrackerEntry {
  return { url, nextAt: 0, failures: 0, inFlight: false, started: false, completedSent, lastError: null, working: false, seeders: null, leechers: null, peersReceived: 0, followUpAt: null };
}

export interface AnnounceScheduleOptions {
  /** Used when a tracker gives no interval; seconds. */
  readonly defaultIntervalSec?: number;
  /** Floor for any interval a tracker asks for, so a bad tracker cannot make us hammer it; seconds. */
  readonly minIntervalSec?: number;
  /** First retry delay after a failure; doubles per consecutive failure up to `maxRetrySec`. */
  readonly retryBaseSec?: number;
  readonly maxRetrySec?: number;
}

export class AnnounceSchedule {
  private readonly tiers: TrackerEntry[][];
  private readonly defaultInterval: number;
  private readonly minInterval: number;
  private readonly retryBase: number;
  private readonly maxRetry: number;
  private completed = false;
  /** The torrent was complete from the start: `completed` is for finishing a download, so it is never sent. */
  private completeFromStart = false;
  private stopping = false;

  constructor(tiers: readonly (readonly string[])[], options: AnnounceScheduleOptions = {}) {
    const seen = new Set<string>();
    this.tiers = tiers
      .map((tier) =>
        tier
          .filter((url) => !seen.has(url) && seen.add(url))
          .map((url) => newEntry(url, false)),
      )
      .filter((tier) => tier.length > 0);
    this.defaultInterval = (options.defaultIntervalSec ?? 1800) * 1000;
    this.minInterval = (options.minIntervalSec ?? 30) * 1000;
    this.retryBase = (options.retryBaseSec ?? 15) * 1000;
    this.maxRetry = (options.maxRetrySec ?? 1800) * 1000;
  }

  /** Adds trackers (e.g. from `--tracker` or a magnet) as a new tier. */
  addTier(urls: readonly string[]): void {
    const known = new Set(this.tiers.flat().map((t) => t.url));
    const fresh = urls.filter((u) => !known.has(u));
    if (fresh.length === 0) return;
    this.tiers.push(
      fresh.map((url) => newEntry(url, this.completeFromStart)),
    );
  }

  /** The torrent finished: the next announce to each tracker that saw `started` carries `completed`. */
  markCompleted(now: number): void {
    if (this.completed) return;
    this.completed = true;
    if (this.tiers.flat().every((t) => !t.started && !t.inFlight)) {
      // Nothing announced yet: we start as a seed, which `started` with left=0 already says.
      this.completeFromStart = true;
      for (const t of this.tiers.flat()) t.completedSent = true;
      return;
    }
    for (const t of this.tiers.flat()) if (t.started && !t.completedSent) t.nextAt = Math.min(t.nextAt, now);
  }

  /** The announces that are due now. Each is marked in flight until its outcome is reported. */
  due(now: number): DueAnnounce[] {
    if (this.stopping) return [];
    const out: DueAnnounce[] = [];
    this.tiers.forEach((tier, tierIndex) => {
      const current = this.current(tier);
      if (!current || current.inFlight || current.nextAt > now) return;
      current.inFlight = true;
      if (current.followUpAt !== null && current.followUpAt <= now) current.followUpAt = null;
      const event: AnnounceEvent | undefined = !current.started ? 'started' : this.completed && !current.completedSent ? 'completed' : undefined;
      out.push({ url: current.url, tier: tierIndex, event });
    });
    return out;
  }

  /**
   * Asks for an early announce to `url` (a signalling tracker whose offer failed: new offers are the
   * only retry). Never sooner than `at`, never while one is in flight, and only for a tracker that
   * already answered once. With `followUpAt`, one more announce goes out by then whatever the interval
   * (kept until an announce leaves at or after it): a webtorrent peer keeps its half-open connection
   * to us for 25 s and drops every new offer from our peer id meanwhile, so the offers of the quick
   * retry can all be dropped, and without a second one the next chance is the tracker's interval.
   */
  hurry(url: string, at: number, followUpAt?: number): boolean {
    const found = this.find(url);
    if (this.stopping || !found || !found.entry.working) return false;
    const { entry } = found;
    if (followUpAt !== undefined && followUpAt > at && entry.followUpAt === null) entry.followUpAt = followUpAt;
    if (entry.inFlight || entry.nextAt <= at) return false;
    entry.nextAt = at;
    return true;
  }

  /** `stopped` goes to every tracker that saw `started`; nothing is scheduled after it. */
  stop(): DueAnnounce[] {
    this.stopping = true;
    const out: DueAnnounce[] = [];
    this.tiers.forEach((tier, tierIndex) => {
      for (const t of tier) if (t.started) out.push({ url: t.url, tier: tierIndex, event: 'stopped', ...(this.completed && !t.completedSent ? { completedFirst: true } : {}) });
    });
    return out;
  }

  /** Announces resume after a stop (torrent resumed): every tracker gets `started` again. */
  restart(now: number): void {
    this.stopping = false;
    for (const t of this.tiers.flat()) {
      t.started = false;
      t.inFlight = false;
      t.nextAt = now;
    }
  }

  onSuccess(url: string, event: AnnounceEvent | undefined, reply: { interval: number; minInterval?: number; complete?: number; incomplete?: number; peers: number }, now: number): void {
    const found = this.find(url);
    if (!found) return;
    const { tier, entry } = found;
    entry.inFlight = false;
    entry.failures = 0;
    entry.working = true;
    entry.lastError = null;
    if (event === 'started' || event === undefined || event === 'completed') entry.started = true;
    if (event === 'completed') entry.completedSent = true;
    entry.seeders = reply.complete ?? entry.seeders;
    entry.leechers = reply.incomplete ?? entry.leechers;
    entry.peersReceived += reply.peers;
    const askedSec = Math.max(reply.interval > 0 ? reply.interval : this.defaultInterval / 1000, reply.minInterval ?? 0);
    entry.nextAt = now + Math.max(this.minInterval, askedSec * 1000);
    if (this.completed && !entry.completedSent) entry.nextAt = now;
    if (entry.followUpAt !== null) entry.nextAt = Math.min(entry.nextAt, entry.followUpAt);
    // The tracker that answered leads its tier from now on.
    const i = tier.indexOf(entry);
    if (i > 0) {
      tier.splice(i, 1);
      tier.unshift(entry);
    }
  }

  onFailure(url: string, message: string, now: number): void {
    const found = this.find(url);
    if (!found) return;
    const { tier, entry } = found;
    entry.inFlight = false;
    entry.working = false;
    entry.failures++;
    entry.lastError = message;
    entry.nextAt = now + Math.min(this.maxRetry, this.retryBase * 2 ** Math.min(entry.failures - 1, 16));
    // The next tracker of the tier takes over at once; this one waits out its back-off at the end.
    tier.splice(tier.indexOf(entry), 1);
    tier.push(entry);
  }

  nextDeadline(): number | null {
    if (this.stopping) return null;
    let next: number | null = null;
    for (const tier of this.tiers) {
      const current = this.current(tier);
      if (current && !current.inFlight) next = next === null ? current.nextAt : Math.min(next, current.nextAt);
    }
    return next;
  }

  status(): { url: string; tier: number; state: 'idle' | 'announcing' | 'working' | 'error'; message: string | null; seeders: number | null; leechers: number | null; peersReceived: number; nextAnnounceAt: number | null }[] {
    return this.tiers.flatMap((tier, tierIndex) =>
      tier.map((t) => ({
        url: t.url,
        tier: tierIndex,
        state: t.inFlight ? ('announcing' as const) : t.lastError ? ('error' as const) : t.working ? ('working' as const) : ('idle' as const),
        message: t.lastError,
        seeders: t.seeders,
        leechers: t.leechers,
        peersReceived: t.peersReceived,
        nextAnnounceAt: this.current(tier) === t && !this.stopping ? t.nextAt : null,
      })),
    );
  }

  /** The tracker of a tier that is announced to: the first in tier order (failed ones are moved back). */
  private current(tier: TrackerEntry[]): TrackerEntry | undefined {
    return tier[0];
  }

  private find(url: string): { tier: TrackerEntry[]; entry: TrackerEntry } | null {
    for (const tier of this.tiers) {
      const entry = tier.find((t) => t.url === url);
      if (entry) return { tier, entry };
    }
    return null;
  }
}
