/**
 * The narrow view of a set of pieces the picker reads; util/bitfield's Bitfield satisfies it. (A view
 * rather than the class so the picker depends on behaviour, not on one representation.)
 */
export interface PieceSet {
  readonly length: number;
  get(piece: number): boolean;
  count(): number;
  /** The first member at or after `from`, or -1. */
  nextSet(from: number): number;
}

export const DEFAULT_BLOCK_SIZE = 16 * 1024;
export const MAX_PRIORITY = 7;
export const DEFAULT_PRIORITY = 4;

/** One block to ask a peer for: a REQUEST message's fields. */
export interface BlockRequest {
  readonly piece: number;
  readonly begin: number;
  readonly length: number;
}

/** A block request attributed to a peer, e.g. one the caller must now CANCEL. */
export interface PeerBlock extends BlockRequest {
  readonly peerId: string;
}

/** What the picker needs to know about the peer it picks for. */
export interface PeerView {
  readonly id: string;
  /** The peer's pieces; `'all'` for a seed (HAVE ALL, or a full bitfield the caller chose to treat so). */
  readonly has: PieceSet | 'all';
}

export interface PickerOptions {
  readonly pieceCount: number;
  /** Byte length of each piece; the last piece (and, in v2 torrents, the last piece of each file) may be short. */
  readonly pieceLength: ((piece: number) => number) | readonly number[];
  /** Injected so tests are deterministic; must return a number in [0, 1). */
  readonly random: () => number;
  /** Pieces already verified on disk. Not retained: the picker copies it. */
  readonly have?: PieceSet;
  /** Defaults to 16 KiB, the request size every client accepts. */
  readonly blockSize?: number;
  /** Priority every piece starts with; 0..7, default 4. */
  readonly defaultPriority?: number;
  /** In endgame a block may be in flight to at most this many peers at once (default 2). */
  readonly endgameMaxRequesters?: number;
  /** A deadline piece is urgent once `deadline - now <= urgentWindowMs` (default 1000 ms). */
  readonly urgentWindowMs?: number;
  /** Blocks of urgent deadline pieces may be in flight to at most this many peers at once (default 3). */
  readonly urgentMaxRequesters?: number;
}

export type BlockReceivedStatus =
  /** The block was wanted and is now ours: write it, and send CANCEL for `cancels`. */
  | 'accepted'
  /** We already have this block (an endgame or cancel race): drop the bytes. */
  | 'duplicate'
  /** Not a block we are downloading (unknown piece, bad offset or length, piece not open): drop it. */
  | 'unexpected';

export interface BlockReceivedResult {
  readonly status: BlockReceivedStatus;
  /** Other peers' requests for this very block that are now pointless. */
  readonly cancels: readonly PeerBlock[];
  /** Every block of the piece is here: hash it, then call pieceVerified or pieceFailed. */
  readonly pieceComplete: boolean;
}

export interface PieceFailedResult {
  /** Distinct ids of the peers whose blocks made up the bad piece, in block order. */
  readonly contributors: readonly string[];
  /** Requests still in flight for the piece (normally none). */
  readonly cancels: readonly PeerBlock[];
}
