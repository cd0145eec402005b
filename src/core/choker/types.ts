/** What the choker reads about one connected, handshaken peer of one torrent. */
export interface ChokerPeerView {
  readonly id: string;
  /** The peer is interested in what we have. */
  readonly interested: boolean;
  /** We are currently choking the peer. */
  readonly amChoking: boolean;
  /** Bytes per second we receive from the peer (recent average). */
  readonly downloadRate: number;
  /** Bytes per second we send to the peer (recent average). */
  readonly uploadRate: number;
  /** The peer sent us no data for a while although we had requests outstanding. */
  readonly snubbed: boolean;
  /** When the connection was established (ms, same clock as `now`). */
  readonly connectedAt: number;
  /** The peer has every piece: it never needs anything from us. */
  readonly isSeed: boolean;
}

/** Leeching ranks by what peers give us; seeding ranks by what we can give them. */
export type ChokerMode = 'leeching' | 'seeding';

/**
 * Seeding-mode ranking. `round-robin` (default, as libtorrent): a peer keeps a regular slot for
 * one quantum, then goes to the back of the queue, so every interested peer gets a turn.
 * `fastest-upload`: the peers we upload to fastest keep their slots.
 */
export type SeedingAlgorithm = 'round-robin' | 'fastest-upload';

export interface ChokerOptions {
  /** Regular (tit-for-tat) slots. Default 4, or derived from `uploadLimit` when that is given. */
  readonly slots?: number;
  /** Upload limit in bytes/s used to size the regular slots when `slots` is not given. */
  readonly uploadLimit?: number | null;
  /** Optimistic slots (default 1). */
  readonly optimisticSlots?: number;
  /** Time between regular rechokes (default 10 000 ms, BEP 3 practice). */
  readonly rechokeIntervalMs?: number;
  /** Time an optimistic unchoke lasts before it rotates (default 30 000 ms). */
  readonly optimisticIntervalMs?: number;
  /** A peer connected for less than this counts as new for the optimistic draw (default 30 000 ms). */
  readonly newPeerWindowMs?: number;
  /** How much likelier a new peer is to be drawn optimistically (default 3, as mainline). */
  readonly newPeerWeight?: number;
  /** Seeding-mode ranking (default `round-robin`). */
  readonly seedingAlgorithm?: SeedingAlgorithm;
  /** How long a seeding-mode peer keeps its regular slot under round-robin (default 30 000 ms). */
  readonly roundRobinQuantumMs?: number;
  /** Uniform random number in [0, 1); injected so tests are deterministic. Default Math.random. */
  readonly random?: () => number;
}

export interface RechokeResult {
  /** Every peer that should be unchoked after this round (regular and optimistic). */
  readonly unchoked: ReadonlySet<string>;
  /** The subset of `unchoked` holding optimistic slots. */
  readonly optimistic: readonly string[];
  /** Peers we choke now and must unchoke (send UNCHOKE). */
  readonly toUnchoke: readonly string[];
  /** Peers we have unchoked and must choke (send CHOKE). */
  readonly toChoke: readonly string[];
}
