import { MAX_METADATA_SIZE, METADATA_PIECE_SIZE, metadataPieceCount, metadataPieceLength } from './limits.js';

export interface MetadataAssemblerOptions {
  /** Largest `metadata_size` we accept from a peer. Default MAX_METADATA_SIZE (16 MiB); never above it. */
  readonly maxSize?: number;
  /** Requests one peer may have outstanding at once. Default 2. */
  readonly maxOutstandingPerPeer?: number;
  /** A request unanswered for this long (ms) is given to another peer. Default 20 s. */
  readonly requestTimeout?: number;
  /** After a reject, that peer is not asked again for this long (ms). Default 30 s. */
  readonly rejectBackoff?: number;
}

interface PeerState {
  readonly size: number;
  readonly outstanding: Set<number>;
  blockedUntil: number;
  readonly order: number;
}

interface Request<K> {
  readonly peer: K;
  readonly at: number;
}

const MISSING = 0;
const REQUESTED = 1;
const HAVE = 2;

/**
 * Fetches the info dictionary of a magnet from the peers that offer ut_metadata (BEP 9), 16 KiB at a time,
 * spread over several peers. It only keeps books: the caller sends the requests it hands out, feeds back data
 * and rejects, and verifies the assembled bytes (verifyMetadata) before trusting them.
 *
 * Peers are identified by any key the caller likes (a connection object, an address). The target size is the
 * `metadata_size` most peers announce (earliest peer first on a tie); peers announcing another size are not
 * asked. A failed verification throws everything away and starts again.
 */
export class MetadataAssembler<K> {
  private readonly maxSize: number;
  private readonly maxOutstanding: number;
  private readonly requestTimeout: number;
  private readonly rejectBackoff: number;
  private readonly peers = new Map<K, PeerState>();
  private peersAdded = 0;
  private target: number | null = null;
  private state = new Uint8Array(0);
  private readonly requests = new Map<number, Request<K>>();
  private buffer: Uint8Array | null = null;
  private received = 0;
  private readonly contributors = new Set<K>();
  private phase: 'collecting' | 'verifying' | 'done' = 'collecting';

  constructor(options: MetadataAssemblerOptions = {}) {
    this.maxSize = Math.min(options.maxSize ?? MAX_METADATA_SIZE, MAX_METADATA_SIZE);
    this.maxOutstanding = options.maxOutstandingPerPeer ?? 2;
    this.requestTimeout = options.requestTimeout ?? 20_000;
    this.rejectBackoff = options.rejectBackoff ?? 30_000;
  }

  /** The size being assembled, or null before any usable peer. */
  get size(): number | null {
    return this.target;
  }

  get pieceCount(): number {
    return this.state.length;
  }

  /** Pieces received in the current attempt. */
  get piecesReceived(): number {
    return this.received;
  }

  /** 'verifying' once all pieces are in (until verified/verificationFailed); 'done' after a good verification. */
  get status(): 'collecting' | 'verifying' | 'done' {
    return this.phase;
  }

  /**
   * Registers a peer from its extended handshake. Returns false (and ignores the peer) when it announced no
   * `metadata_size`, or one of 0 or above the bound: such a peer cannot serve, or would cost too much.
   */
  addPeer(peer: K, metadataSize: number | undefined): boolean {
    if (metadataSize === undefined || !Number.isInteger(metadataSize) || metadataSize < 1 || metadataSize > this.maxSize) {
      this.removePeer(peer);
      return false;
    }
    const existing = this.peers.get(peer);
    if (existing !== undefined && existing.size === metadataSize) return true;
    this.removePeer(peer);
    this.peers.set(peer, { size: metadataSize, outstanding: new Set(), blockedUntil: -Infinity, order: this.peersAdded++ });
    // Until the first piece arrives nothing is lost by following the majority again.
    if (this.target === null || (this.received === 0 && this.requests.size === 0)) this.chooseTarget();
    return true;
  }

  /** A peer left: what it was asked for goes back to the pool. */
  removePeer(peer: K): void {
    const state = this.peers.get(peer);
    if (state === undefined) return;
    for (const piece of state.outstanding) this.release(piece);
    this.peers.delete(peer);
    if (this.phase === 'collecting' && this.received === 0 && this.requests.size === 0) this.chooseTarget();
  }

  /**
   * Pieces to request from `peer` now (possibly none); they count as outstanding from that peer until data, a
   * reject, the request timeout or the peer leaving. Requests older than the timeout are released first.
   */
  nextRequests(peer: K, now: number): number[] {
    if (this.phase !== 'collecting') return [];
    this.expire(now);
    const state = this.peers.get(peer);
    if (state === undefined || state.size !== this.target || now < state.blockedUntil) return [];
    const out: number[] = [];
    for (let piece = 0; piece < this.state.length && state.outstanding.size < this.maxOutstanding; piece++) {
      if (this.state[piece] !== MISSING) continue;
      this.state[piece] = REQUESTED;
      this.requests.set(piece, { peer, at: now });
      state.outstanding.add(piece);
      out.push(piece);
    }
    return out;
  }

  /**
   * A data message. Returns the whole info dictionary when this was the last piece (status turns to
   * 'verifying'), else null. Data of the wrong size, for another total size, or for a piece we hold is ignored.
   */
  onData(peer: K, piece: number, totalSize: number, data: Uint8Array): Uint8Array | null {
    const size = this.target;
    if (this.phase !== 'collecting' || size === null || totalSize !== size) return null;
    if (!Number.isInteger(piece) || piece < 0 || piece >= this.state.length || this.state[piece] === HAVE) return null;
    if (data.length !== metadataPieceLength(size, piece)) return null;
    this.release(piece);
    this.buffer ??= new Uint8Array(size);
    this.buffer.set(data, piece * METADATA_PIECE_SIZE);
    this.state[piece] = HAVE;
    this.received++;
    this.contributors.add(peer);
    if (this.received < this.state.length) return null;
    this.phase = 'verifying';
    return this.buffer;
  }

  /** A reject: the piece goes back to the pool and the peer is left alone for the reject backoff. */
  onReject(peer: K, piece: number, now: number): void {
    const state = this.peers.get(peer);
    if (state === undefined) return;
    state.blockedUntil = now + this.rejectBackoff;
    if (state.outstanding.has(piece)) this.release(piece);
  }

  /** The assembled bytes hashed to the info hash: the assembler is done. */
  verified(): void {
    if (this.phase === 'verifying') this.phase = 'done';
  }

  /**
   * The assembled bytes did not hash to the info hash: everything is discarded and assembly starts again
   * (the target size is chosen anew). Returns the peers that contributed pieces, for the caller to judge.
   */
  verificationFailed(): K[] {
    const blamed = [...this.contributors];
    for (const state of this.peers.values()) state.outstanding.clear();
    this.requests.clear();
    this.contributors.clear();
    this.buffer = null;
    this.received = 0;
    this.target = null;
    this.state = new Uint8Array(0);
    this.phase = 'collecting';
    this.chooseTarget();
    return blamed;
  }

  private chooseTarget(): void {
    const votes = new Map<number, { count: number; first: number }>();
    for (const { size, order } of this.peers.values()) {
      const vote = votes.get(size);
      if (vote === undefined) votes.set(size, { count: 1, first: order });
      else vote.count++;
    }
    let best: number | null = null;
    let bestVote = { count: 0, first: Infinity };
    for (const [size, vote] of votes) {
      if (vote.count > bestVote.count || (vote.count === bestVote.count && vote.first < bestVote.first)) {
        best = size;
        bestVote = vote;
      }
    }
    this.target = best;
    this.state = new Uint8Array(best === null ? 0 : metadataPieceCount(best));
  }

  private release(piece: number): void {
    const request = this.requests.get(piece);
    if (request === undefined) return;
    this.requests.delete(piece);
    this.peers.get(request.peer)?.outstanding.delete(piece);
    if (this.state[piece] === REQUESTED) this.state[piece] = MISSING;
  }

  private expire(now: number): void {
    for (const [piece, request] of this.requests) {
      if (now - request.at >= this.requestTimeout) this.release(piece);
    }
  }
}
