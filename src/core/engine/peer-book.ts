/**
 * The addresses a torrent knows about and when each may be dialled. Sans-I/O: time is passed in.
 *
 * Bounded: at most `capacity` addresses; when full, a new address replaces the one that failed
 * most, and is dropped if none has failed. Failed dials back off exponentially, and an address that
 * keeps failing is forgotten. Banned addresses (bad data) are never dialled or accepted again.
 */
export type PeerSource = 'manual' | 'tracker' | 'dht' | 'pex' | 'lsd' | 'incoming' | 'resume';

interface Entry {
  readonly address: string;
  source: PeerSource;
  failures: number;
  nextAttemptAt: number;
  connected: boolean;
  connecting: boolean;
}

export interface PeerBookOptions {
  readonly capacity?: number;
  readonly retryBaseMs?: number;
  readonly maxFailures?: number;
  /** First retry delay for peers a person named (`--peer`, `x.pe`); doubles per failure. */
  readonly manualRetryBaseMs?: number;
}

const SOURCE_RANK: Readonly<Record<PeerSource, number>> = { manual: 0, resume: 1, incoming: 2, tracker: 3, lsd: 3, dht: 4, pex: 4 };

export class PeerBook {
  private readonly entries = new Map<string, Entry>();
  private readonly banned = new Set<string>();
  private readonly capacity: number;
  private readonly retryBase: number;
  private readonly maxFailures: number;
  private readonly manualRetryBase: number;

  constructor(options: PeerBookOptions = {}) {
    this.capacity = options.capacity ?? 2000;
    this.retryBase = options.retryBaseMs ?? 30_000;
    this.maxFailures = options.maxFailures ?? 6;
    this.manualRetryBase = options.manualRetryBaseMs ?? 2_000;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Returns whether the address is new to the book. */
  add(address: string, source: PeerSource, now: number): boolean {
    if (this.banned.has(address)) return false;
    const known = this.entries.get(address);
    if (known) {
      // A person naming a peer outranks gossip about it, and clears its back-off.
      if (SOURCE_RANK[source] < SOURCE_RANK[known.source]) known.source = source;
      if (source === 'manual') known.nextAttemptAt = Math.min(known.nextAttemptAt, now);
      return false;
    }
    if (this.entries.size >= this.capacity && !this.evictOne()) return false;
    this.entries.set(address, { address, source, failures: 0, nextAttemptAt: now, connected: false, connecting: false });
    return true;
  }

  /** Up to `count` addresses to dial now, best sources first; each is marked connecting. */
  takeDialable(count: number, now: number): string[] {
    if (count <= 0) return [];
    const ready: Entry[] = [];
    for (const e of this.entries.values()) if (!e.connected && !e.connecting && e.nextAttemptAt <= now) ready.push(e);
    ready.sort((a, b) => SOURCE_RANK[a.source] - SOURCE_RANK[b.source] || a.failures - b.failures || a.nextAttemptAt - b.nextAttemptAt);
    return ready.slice(0, count).map((e) => {
      e.connecting = true;
      return e.address;
    });
  }

  /** A connection (dialled or accepted) is up. */
  onConnected(address: string, now: number): void {
    if (!this.entries.has(address)) this.add(address, 'incoming', now);
    const e = this.entries.get(address);
    if (!e) return;
    e.connected = true;
    e.connecting = false;
    e.failures = 0;
  }

  /** A dial failed or a connection ended; `failed` means it never got useful (refused, bad handshake). */
  onDisconnected(address: string, failed: boolean, now: number): void {
    const e = this.entries.get(address);
    if (!e) return;
    e.connected = false;
    e.connecting = false;
    if (failed) e.failures++;
    if (e.failures >= this.maxFailures && e.source !== 'manual') {
      this.entries.delete(address);
      return;
    }
    // A peer a person named is retried soon (it may just not have been ready); gossip waits longer.
    const base = e.source === 'manual' ? this.manualRetryBase : this.retryBase;
    e.nextAttemptAt = now + (failed ? base * 2 ** Math.min(e.failures - 1, 10) : base);
  }

  ban(address: string): void {
    this.banned.add(address);
    this.entries.delete(address);
  }

  isBanned(address: string): boolean {
    return this.banned.has(address);
  }

  /** The earliest time an idle address becomes dialable, or null. */
  nextDeadline(): number | null {
    let next: number | null = null;
    for (const e of this.entries.values()) {
      if (e.connected || e.connecting) continue;
      next = next === null ? e.nextAttemptAt : Math.min(next, e.nextAttemptAt);
    }
    return next;
  }

  /** Addresses worth remembering in resume data: those that connected at least once or were named. */
  addresses(): string[] {
    return [...this.entries.values()].filter((e) => e.failures === 0).map((e) => e.address);
  }

  private evictOne(): boolean {
    let worst: Entry | null = null;
    for (const e of this.entries.values()) {
      if (e.connected || e.connecting || e.source === 'manual' || e.failures === 0) continue;
      if (!worst || e.failures > worst.failures) worst = e;
    }
    if (!worst) return false;
    this.entries.delete(worst.address);
    return true;
  }
}
