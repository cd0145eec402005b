import type { PexAddress, PexMessage, PexPeer } from './codec.js';

export interface PexStateOptions {
  /** False for private torrents (BEP 27) or when the peer did not offer ut_pex: nothing is ever sent. */
  readonly enabled: boolean;
  /** Least time (ms) between two messages we send. BEP 11: at most one a minute. Default 60 s. */
  readonly interval?: number;
  /** Most added peers in one message. BEP 11: 50. */
  readonly maxAdded?: number;
  /** Most dropped peers in one message. BEP 11: 50. */
  readonly maxDropped?: number;
  /**
   * Incoming messages closer together than this (ms) are ignored. Default 30 s: half the BEP 11 interval,
   * so senders whose timers run a little early are not punished.
   */
  readonly minIncomingInterval?: number;
}

function key(address: PexAddress): string {
  return `${address.host}|${address.port}`;
}

/**
 * What one peer has been told by our PEX messages, so each new message carries only the difference. Peers that
 * do not fit the 50/50 limits stay in the difference and go out with the next message.
 */
export class PexState {
  readonly enabled: boolean;
  private readonly interval: number;
  private readonly maxAdded: number;
  private readonly maxDropped: number;
  private readonly minIncomingInterval: number;
  private readonly told = new Map<string, PexAddress>();
  private lastSent: number | null = null;
  private lastReceived: number | null = null;

  constructor(options: PexStateOptions) {
    this.enabled = options.enabled;
    this.interval = options.interval ?? 60_000;
    this.maxAdded = options.maxAdded ?? 50;
    this.maxDropped = options.maxDropped ?? 50;
    this.minIncomingInterval = options.minIncomingInterval ?? 30_000;
  }

  /** When the next message may be sent (ms), or null when disabled. */
  nextAllowedAt(): number | null {
    if (!this.enabled) return null;
    return this.lastSent === null ? -Infinity : this.lastSent + this.interval;
  }

  /**
   * The message to send now given the peers we are connected to (excluding the receiving peer itself), or null
   * when disabled, too soon, or nothing changed. A returned message is considered sent.
   */
  build(connected: Iterable<PexPeer>, now: number): PexMessage | null {
    if (!this.enabled) return null;
    if (this.lastSent !== null && now - this.lastSent < this.interval) return null;
    const current = new Map<string, PexPeer>();
    for (const peer of connected) current.set(key(peer), peer);
    const added: PexPeer[] = [];
    for (const [k, peer] of current) {
      if (added.length >= this.maxAdded) break;
      if (!this.told.has(k)) added.push(peer);
    }
    const dropped: PexAddress[] = [];
    for (const [k, address] of this.told) {
      if (dropped.length >= this.maxDropped) break;
      if (!current.has(k)) dropped.push(address);
    }
    if (added.length === 0 && dropped.length === 0) return null;
    for (const peer of added) this.told.set(key(peer), { host: peer.host, port: peer.port });
    for (const address of dropped) this.told.delete(key(address));
    this.lastSent = now;
    return { added, dropped };
  }

  /** Whether an incoming message at `now` should be used (false when it follows the previous one too closely). */
  acceptIncoming(now: number): boolean {
    if (this.lastReceived !== null && now - this.lastReceived < this.minIncomingInterval) return false;
    this.lastReceived = now;
    return true;
  }
}
