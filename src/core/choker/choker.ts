/**
 * Choker: picks the peers of one torrent we upload to (BEP 3 tit-for-tat), sans-I/O.
 * The caller calls `rechoke(peers, now, mode)` when `now >= nextRechokeAt` (every 10 s) — and may
 * call it earlier, e.g. when an unchoked peer leaves — then sends CHOKE/UNCHOKE as the result says.
 *
 * Rules:
 * - Regular slots (default 4, or sized from the upload limit) go to interested, non-seed peers:
 *   leeching ranks by download rate from the peer and skips snubbed peers; seeding ranks by
 *   round-robin turns (default) or by upload rate to the peer.
 * - Optimistic slots (default 1) rotate every 30 s among choked interested peers; a newly
 *   connected peer is 3 times as likely to be drawn (mainline), so newcomers get a first piece to
 *   trade with. The optimistic draw happens first; regular slots are filled from the rest.
 * - Ties keep the peer that is already unchoked, so equal peers do not flap.
 * Invariants: never more than slots + optimisticSlots unchoked; never an uninterested peer or a seed.
 * Non-goals: global upload limits and cross-torrent slot sharing (a session-level concern).
 */
import { slotsForUploadLimit } from './slots.js';
import type { ChokerMode, ChokerOptions, ChokerPeerView, RechokeResult, SeedingAlgorithm } from './types.js';

export const RECHOKE_INTERVAL_MS = 10_000;
export const OPTIMISTIC_INTERVAL_MS = 30_000;
export const NEW_PEER_WINDOW_MS = 30_000;
export const NEW_PEER_WEIGHT = 3;
export const ROUND_ROBIN_QUANTUM_MS = 30_000;

function count(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
}

function duration(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

function rateOf(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

export class Choker {
  private regularSlots: number;
  private readonly fixedSlots: boolean;
  readonly optimisticSlots: number;
  private readonly rechokeIntervalMs: number;
  private readonly optimisticIntervalMs: number;
  private readonly newPeerWindowMs: number;
  private readonly newPeerWeight: number;
  private readonly seedingAlgorithm: SeedingAlgorithm;
  private readonly quantumMs: number;
  private readonly random: () => number;

  private lastRechokeAt: number | null = null;
  private optimisticAt: number | null = null;
  private optimisticIds: string[] = [];
  /** When each peer got the regular slot it holds now. */
  private readonly regularSince = new Map<string, number>();
  /** When each peer last lost an unchoke; peers never unchoked wait since they connected. */
  private readonly waitingSince = new Map<string, number>();

  constructor(options: ChokerOptions = {}) {
    this.fixedSlots = options.slots !== undefined;
    this.regularSlots = this.fixedSlots
      ? count(options.slots, slotsForUploadLimit(null))
      : slotsForUploadLimit(options.uploadLimit);
    this.optimisticSlots = count(options.optimisticSlots, 1);
    this.rechokeIntervalMs = duration(options.rechokeIntervalMs, RECHOKE_INTERVAL_MS);
    this.optimisticIntervalMs = duration(options.optimisticIntervalMs, OPTIMISTIC_INTERVAL_MS);
    this.newPeerWindowMs = duration(options.newPeerWindowMs, NEW_PEER_WINDOW_MS);
    this.newPeerWeight = Math.max(1, duration(options.newPeerWeight, NEW_PEER_WEIGHT));
    this.seedingAlgorithm = options.seedingAlgorithm ?? 'round-robin';
    this.quantumMs = duration(options.roundRobinQuantumMs, ROUND_ROBIN_QUANTUM_MS);
    this.random = options.random ?? Math.random;
  }

  get slots(): number {
    return this.regularSlots;
  }

  /** When the next regular rechoke is due; -Infinity before the first one (due now). */
  get nextRechokeAt(): number {
    return this.lastRechokeAt === null ? Number.NEGATIVE_INFINITY : this.lastRechokeAt + this.rechokeIntervalMs;
  }

  /** Re-sizes the regular slots from a new upload limit, unless slots were fixed at construction. */
  setUploadLimit(bytesPerSecond: number | null): void {
    if (!this.fixedSlots) this.regularSlots = slotsForUploadLimit(bytesPerSecond);
  }

  rechoke(peers: readonly ChokerPeerView[], now: number, mode: ChokerMode = 'leeching'): RechokeResult {
    const t = Number.isFinite(now) ? now : (this.lastRechokeAt ?? 0);
    const byId = new Map<string, ChokerPeerView>();
    for (const p of peers) if (!byId.has(p.id)) byId.set(p.id, p);
    this.forgetAbsent(byId, t);

    const eligible = (p: ChokerPeerView): boolean => p.interested && !p.isSeed;
    const optimistic = this.pickOptimistic(byId, eligible, t);
    const optimisticSet = new Set(optimistic);

    const pool = [...byId.values()].filter(
      (p) => eligible(p) && !optimisticSet.has(p.id) && !(mode === 'leeching' && p.snubbed),
    );
    pool.sort(this.comparator(mode, t));
    const regular = pool.slice(0, this.regularSlots);

    const unchoked = new Set<string>([...regular.map((p) => p.id), ...optimistic]);
    for (const p of regular) {
      const since = this.regularSince.get(p.id);
      const termOver = since !== undefined && t - since >= this.quantumMs;
      if (since === undefined || termOver) this.regularSince.set(p.id, t);
    }
    const toUnchoke: string[] = [];
    const toChoke: string[] = [];
    for (const p of byId.values()) {
      if (!regular.includes(p)) this.regularSince.delete(p.id);
      if (unchoked.has(p.id)) {
        if (p.amChoking) toUnchoke.push(p.id);
      } else if (!p.amChoking) {
        toChoke.push(p.id);
        this.waitingSince.set(p.id, t);
      }
    }
    this.lastRechokeAt = t;
    return { unchoked, optimistic, toUnchoke, toChoke };
  }

  private forgetAbsent(byId: ReadonlyMap<string, ChokerPeerView>, t: number): void {
    for (const id of [...this.regularSince.keys()]) {
      const p = byId.get(id);
      // Choked behind our back (e.g. the coordinator choked it on disconnect of interest).
      if (p === undefined || p.amChoking) this.regularSince.delete(id);
      if (p !== undefined && p.amChoking) this.waitingSince.set(id, t);
    }
    for (const id of [...this.waitingSince.keys()]) if (!byId.has(id)) this.waitingSince.delete(id);
  }

  private pickOptimistic(
    byId: ReadonlyMap<string, ChokerPeerView>,
    eligible: (p: ChokerPeerView) => boolean,
    t: number,
  ): string[] {
    let keep = this.optimisticIds.filter((id) => {
      const p = byId.get(id);
      return p !== undefined && eligible(p);
    });
    let previous = new Set<string>();
    if (this.optimisticAt === null || t >= this.optimisticAt + this.optimisticIntervalMs) {
      previous = new Set(keep);
      keep = [];
      this.optimisticAt = t;
    }
    const free = this.optimisticSlots - keep.length;
    if (free > 0) {
      const kept = new Set(keep);
      const choked = [...byId.values()].filter((p) => eligible(p) && p.amChoking && !kept.has(p.id));
      const fresh = choked.filter((p) => !previous.has(p.id));
      // With nobody else waiting, the previous holder may keep the slot rather than leave it empty.
      const candidates = fresh.length > 0 ? fresh : [...byId.values()].filter((p) => previous.has(p.id));
      keep = [...keep, ...this.draw(candidates, free, t)];
    }
    this.optimisticIds = keep;
    return keep;
  }

  /** Draws up to `n` distinct peers, weighting newly connected ones. */
  private draw(candidates: readonly ChokerPeerView[], n: number, t: number): string[] {
    const left = [...candidates];
    const out: string[] = [];
    while (out.length < n && left.length > 0) {
      const weights = left.map((p) => (t - p.connectedAt < this.newPeerWindowMs ? this.newPeerWeight : 1));
      const total = weights.reduce((a, b) => a + b, 0);
      const r = Math.min(Math.max(this.random(), 0), 0.999999999) * total;
      let i = 0;
      let acc = weights[0]!;
      while (acc <= r && i < left.length - 1) acc += weights[++i]!;
      out.push(left[i]!.id);
      left.splice(i, 1);
    }
    return out;
  }

  private comparator(mode: ChokerMode, t: number): (a: ChokerPeerView, b: ChokerPeerView) => number {
    const waited = (p: ChokerPeerView): number => this.waitingSince.get(p.id) ?? p.connectedAt;
    const stable = (a: ChokerPeerView, b: ChokerPeerView): number =>
      Number(a.amChoking) - Number(b.amChoking) || waited(a) - waited(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

    if (mode === 'leeching') {
      return (a, b) =>
        rateOf(b.downloadRate) - rateOf(a.downloadRate) || rateOf(b.uploadRate) - rateOf(a.uploadRate) || stable(a, b);
    }
    if (this.seedingAlgorithm === 'fastest-upload') {
      return (a, b) => rateOf(b.uploadRate) - rateOf(a.uploadRate) || stable(a, b);
    }
    // Round-robin: holders inside their quantum first, then whoever has waited longest; a holder
    // whose quantum ran out queues as if it had just been choked.
    const inTerm = (p: ChokerPeerView): boolean => {
      const since = this.regularSince.get(p.id);
      return since !== undefined && t - since < this.quantumMs;
    };
    const queuedAt = (p: ChokerPeerView): number => (this.regularSince.has(p.id) ? t : waited(p));
    return (a, b) => {
      const ta = inTerm(a);
      const tb = inTerm(b);
      if (ta !== tb) return ta ? -1 : 1;
      if (ta) return rateOf(b.uploadRate) - rateOf(a.uploadRate) || stable(a, b);
      return queuedAt(a) - queuedAt(b) || rateOf(b.uploadRate) - rateOf(a.uploadRate) || stable(a, b);
    };
  }
}
