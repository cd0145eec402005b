import { type Deadline, DeadlineQueue } from './deadline-queue.js';
import { PickerError } from './errors.js';
import { OpenPiece } from './open-piece.js';
import { RarityBuckets } from './rarity-buckets.js';
import {
  DEFAULT_BLOCK_SIZE,
  DEFAULT_PRIORITY,
  MAX_PRIORITY,
  type BlockReceivedResult,
  type BlockRequest,
  type PeerBlock,
  type PeerView,
  type PickerOptions,
  type PieceFailedResult,
  type PieceSet,
} from './types.js';

/** An ordered scan for a bitfield peer gives up after this many misses and walks the peer's own pieces. */
const SCAN_BUDGET = 1024;
/** A peer holding fewer than 1/SPARSE_RATIO of the candidate count is served from its own pieces directly. */
const SPARSE_RATIO = 16;
/** A priority change over more than 1/REBUILD_RATIO of the pieces rebuilds the order instead of moving pieces. */
const REBUILD_RATIO = 16;

const NO_CANCELS: readonly PeerBlock[] = [];

/**
 * Piece picker with availability tracking: decides which blocks to request from which peer, and
 * keeps the books on every request in flight. Sans-I/O: the coordinator feeds it events and `now`.
 *
 * Every piece is in exactly one state:
 *  - have: verified;
 *  - open: some block received or in flight (an OpenPiece exists);
 *  - candidate: not had, not open, priority > 0 (kept in the rarity buckets of its priority class);
 *  - skipped: priority 0, not had, not open.
 * See docs/engine/picker.md for the pick order, the endgame and deadline rules, and complexity.
 */
export class PiecePicker {
  readonly pieceCount: number;
  readonly blockSize: number;
  private readonly lengths: Float64Array;
  /** Block-key stride: a block is keyed piece * stride + blockIndex in the per-peer request sets. */
  private readonly stride: number;
  /** 1 for verified pieces. */
  private readonly have: Uint8Array;
  private haveCount = 0;
  private readonly priorities: Uint8Array;
  /** Non-seed peers having each piece; seeds (HAVE ALL) are the uniform `seeds` offset. */
  private readonly counts: Uint32Array;
  private seeds = 0;
  private readonly positions: Int32Array;
  /** Index = priority class 1..7; index 0 unused. */
  private readonly classes: RarityBuckets[];
  /** Per class: no candidate of that class has a lower index (sequential mode's starting point). */
  private readonly sequentialCursor: Int32Array;
  private readonly open = new Map<number, OpenPiece>();
  private readonly outstanding = new Map<string, Set<number>>();
  private readonly deadlines = new DeadlineQueue();
  private readonly random: () => number;
  private readonly endgameMaxRequesters: number;
  private readonly urgentWindowMs: number;
  private readonly urgentMaxRequesters: number;
  private sequential = false;
  private wantedMissing = 0;

  constructor(options: PickerOptions) {
    const n = options.pieceCount;
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) {
      throw new PickerError('picker/invalid-config', `piece count ${n} is not an integer between 0 and 2^31-1`);
    }
    const blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
    if (!Number.isInteger(blockSize) || blockSize < 1) {
      throw new PickerError('picker/invalid-config', `block size ${blockSize} is not a positive integer`);
    }
    const priority = options.defaultPriority ?? DEFAULT_PRIORITY;
    checkPriority(priority);
    this.endgameMaxRequesters = positiveInt(options.endgameMaxRequesters ?? 2, 'endgameMaxRequesters');
    this.urgentMaxRequesters = positiveInt(options.urgentMaxRequesters ?? 3, 'urgentMaxRequesters');
    const urgent = options.urgentWindowMs ?? 1000;
    if (!Number.isFinite(urgent) || urgent < 0) {
      throw new PickerError('picker/invalid-config', `urgentWindowMs ${urgent} is not a finite non-negative number`);
    }
    this.urgentWindowMs = urgent;
    this.pieceCount = n;
    this.blockSize = blockSize;
    this.random = options.random;

    const lengthOf = options.pieceLength;
    this.lengths = new Float64Array(n);
    let maxLength = 0;
    for (let i = 0; i < n; i++) {
      const len = typeof lengthOf === 'function' ? lengthOf(i) : lengthOf[i];
      if (len === undefined || !Number.isInteger(len) || len < 1 || len > 0xffffffff) {
        throw new PickerError('picker/invalid-config', `piece ${i} has invalid length ${String(len)}`);
      }
      this.lengths[i] = len;
      if (len > maxLength) maxLength = len;
    }
    this.stride = Math.max(1, Math.ceil(maxLength / blockSize));
    if (n * this.stride > Number.MAX_SAFE_INTEGER) {
      throw new PickerError('picker/invalid-config', `too many blocks to track (${n} pieces of ${this.stride} blocks)`);
    }

    if (options.have !== undefined && options.have.length !== n) {
      throw new PickerError('picker/bitfield-size', `have-bitfield has ${options.have.length} bits, torrent has ${n} pieces`);
    }
    this.have = new Uint8Array(n);
    if (options.have !== undefined) {
      for (let i = options.have.nextSet(0); i !== -1; i = options.have.nextSet(i + 1)) {
        this.have[i] = 1;
        this.haveCount++;
      }
    }
    this.priorities = new Uint8Array(n).fill(priority);
    this.counts = new Uint32Array(n);
    this.positions = new Int32Array(n).fill(-1);
    this.classes = [];
    for (let p = 0; p <= MAX_PRIORITY; p++) this.classes.push(new RarityBuckets(this.positions, this.random));
    this.sequentialCursor = new Int32Array(MAX_PRIORITY + 1);
    this.wantedMissing = priority > 0 ? n - this.haveCount : 0;
    this.rebuildCandidates();
  }

  // ---- queries ---------------------------------------------------------------------------------

  pieceLength(piece: number): number {
    this.checkPiece(piece);
    return this.lengths[piece]!;
  }

  blocksInPiece(piece: number): number {
    return Math.ceil(this.pieceLength(piece) / this.blockSize);
  }

  /** Peers known to have the piece (HAVE ALL peers included). */
  availability(piece: number): number {
    this.checkPiece(piece);
    return this.counts[piece]! + this.seeds;
  }

  priority(piece: number): number {
    this.checkPiece(piece);
    return this.priorities[piece]!;
  }

  hasPiece(piece: number): boolean {
    this.checkPiece(piece);
    return this.hasFlag(piece);
  }

  /** Verified pieces. */
  verifiedCount(): number {
    return this.haveCount;
  }

  /** Wanted (priority > 0) pieces not yet verified. */
  wantedRemaining(): number {
    return this.wantedMissing;
  }

  isComplete(): boolean {
    return this.wantedMissing === 0;
  }

  isSequential(): boolean {
    return this.sequential;
  }

  deadlineOf(piece: number): number | undefined {
    return this.deadlines.get(piece);
  }

  /** Pieces with deadlines, earliest first (a live view: do not change deadlines while iterating). */
  deadlinePieces(): readonly Deadline[] {
    return this.deadlines.ordered();
  }

  /** Changes whenever a deadline is set or cleared. */
  get deadlineVersion(): number {
    return this.deadlines.version;
  }

  /** Requests in flight to the peer. */
  outstandingCount(peerId: string): number {
    return this.outstanding.get(peerId)?.size ?? 0;
  }

  /** The requests in flight to the peer. */
  outstandingOf(peerId: string): BlockRequest[] {
    const keys = this.outstanding.get(peerId);
    return keys === undefined ? [] : [...keys].map((k) => this.requestFor(Math.floor(k / this.stride), k % this.stride));
  }

  /** Peers the block is currently requested from (empty when none, or when the block is received). */
  requestersOf(piece: number, begin: number): readonly string[] {
    const block = this.blockIndex(piece, begin);
    if (block < 0) return [];
    return this.open.get(piece)?.requesters[block]?.slice() ?? [];
  }

  /** Pieces with a block received or in flight, not yet verified. */
  openPieceCount(): number {
    return this.open.size;
  }

  /**
   * Endgame: no block that any connected peer could give us is left unrequested, while some wanted
   * piece is still missing. Then `pick` may duplicate requests already in flight (bounded per block).
   */
  isEndgame(): boolean {
    if (this.wantedMissing === 0) return false;
    for (let p = 1; p <= MAX_PRIORITY; p++) {
      const c = this.classes[p]!;
      const available = this.seeds > 0 ? c.size : c.size - c.start(1);
      if (available > 0) return false;
    }
    for (const op of this.open.values()) {
      if (op.unrequested > 0 && this.priorities[op.piece]! > 0 && this.counts[op.piece]! + this.seeds > 0) return false;
    }
    return true;
  }

  // ---- availability ----------------------------------------------------------------------------

  peerHave(piece: number): void {
    this.checkPiece(piece);
    this.increment(piece);
  }

  peerBitfield(bitfield: PieceSet): void {
    this.checkBitfield(bitfield);
    for (let i = bitfield.nextSet(0); i !== -1; i = bitfield.nextSet(i + 1)) this.increment(i);
  }

  /** BEP 6 HAVE ALL: counted once, as an offset, so a seed costs O(1) to add and remove. */
  peerHaveAll(): void {
    this.seeds++;
  }

  /** BEP 6 HAVE NONE: nothing to count; present so every availability message has an event. */
  peerHaveNone(): void {}

  /**
   * A peer left: pass the same kind of thing its availability was added with ('all' after
   * peerHaveAll; otherwise its current bitfield, i.e. the initial one plus every HAVE since).
   */
  peerLeft(has: PieceSet | 'all'): void {
    if (has === 'all') {
      if (this.seeds === 0) throw new PickerError('picker/availability-underflow', 'a seed left but none was counted');
      this.seeds--;
      return;
    }
    this.checkBitfield(has);
    for (let i = has.nextSet(0); i !== -1; i = has.nextSet(i + 1)) {
      if (this.counts[i] === 0) {
        throw new PickerError('picker/availability-underflow', `a peer left with piece ${i} but no peer was counted for it`);
      }
    }
    for (let i = has.nextSet(0); i !== -1; i = has.nextSet(i + 1)) this.decrement(i);
  }

  // ---- priorities, sequential, deadlines -------------------------------------------------------

  setPriority(piece: number, priority: number): void {
    this.setPriorityRange(piece, piece + 1, priority);
  }

  /** Sets pieces [start, end) to `priority` (0 = skip, 7 = top); a file's priority becomes its piece range. */
  setPriorityRange(start: number, end: number, priority: number): void {
    checkPriority(priority);
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > this.pieceCount || start > end) {
      throw new PickerError('picker/piece-out-of-range', `piece range [${start}, ${end}) is outside 0..${this.pieceCount}`);
    }
    if ((end - start) * REBUILD_RATIO > this.pieceCount && end - start > 64) {
      for (let i = start; i < end; i++) {
        if (!this.hasFlag(i)) this.wantedMissing += Number(priority > 0) - Number(this.priorities[i]! > 0);
        this.priorities[i] = priority;
      }
      this.rebuildCandidates();
      return;
    }
    for (let i = start; i < end; i++) {
      const old = this.priorities[i]!;
      if (old === priority) continue;
      if (!this.hasFlag(i)) this.wantedMissing += Number(priority > 0) - Number(old > 0);
      this.removeCandidate(i);
      this.priorities[i] = priority;
      this.addCandidate(i);
    }
  }

  /** Sequential: among new pieces of the best priority class, lowest index first instead of rarest. */
  setSequential(on: boolean): void {
    this.sequential = on;
  }

  /** Pieces with deadlines are picked before anything else, earliest deadline first. */
  setDeadline(piece: number, deadlineMs: number): void {
    this.checkPiece(piece);
    if (!Number.isFinite(deadlineMs)) throw new PickerError('picker/invalid-config', `deadline ${deadlineMs} is not finite`);
    if (this.hasFlag(piece)) return;
    this.deadlines.set(piece, deadlineMs);
  }

  clearDeadline(piece: number): void {
    this.checkPiece(piece);
    this.deadlines.delete(piece);
  }

  /** E.g. on a seek: the old window no longer matters. */
  clearDeadlines(): void {
    this.deadlines.clear();
  }

  // ---- picking ---------------------------------------------------------------------------------

  /**
   * Up to `maxBlocks` new requests for `peer`, recorded as in flight to it. Order: deadline pieces
   * (earliest first; blocks of urgent ones may be duplicated), then open pieces, then new pieces by
   * priority class and rarity (or index in sequential mode), then endgame duplicates.
   */
  pick(peer: PeerView, maxBlocks: number, now: number): BlockRequest[] {
    const has = peer.has;
    if (has !== 'all') this.checkBitfield(has);
    const out: BlockRequest[] = [];
    const max = Math.floor(maxBlocks);
    if (!(max >= 1) || this.wantedMissing === 0) return out;
    const id = peer.id;

    for (const d of this.deadlines.ordered()) {
      if (out.length >= max) return out;
      const piece = d.piece;
      if (this.priorities[piece] === 0 || this.hasFlag(piece) || !peerHas(has, piece)) continue;
      const op = this.openPiece(piece);
      this.requestFresh(op, id, out, max);
      if (d.deadline - now <= this.urgentWindowMs) this.requestDuplicates(op, id, out, max, this.urgentMaxRequesters);
    }
    if (out.length >= max) return out;

    const partial: OpenPiece[] = [];
    for (const op of this.open.values()) {
      if (op.unrequested > 0 && this.priorities[op.piece]! > 0 && peerHas(has, op.piece)) partial.push(op);
    }
    partial.sort(
      (a, b) =>
        this.priorities[b.piece]! - this.priorities[a.piece]! ||
        b.receivedCount + b.requestedCount - (a.receivedCount + a.requestedCount) ||
        a.piece - b.piece,
    );
    for (const op of partial) {
      if (out.length >= max) return out;
      this.requestFresh(op, id, out, max);
    }
    if (out.length >= max) return out;

    for (const piece of this.chooseNewPieces(has, max - out.length)) {
      this.requestFresh(this.openPiece(piece), id, out, max);
    }
    if (out.length >= max || !this.isEndgame()) return out;

    const racing: OpenPiece[] = [];
    for (const op of this.open.values()) {
      if (!op.complete && this.priorities[op.piece]! > 0 && peerHas(has, op.piece)) racing.push(op);
    }
    racing.sort((a, b) => {
      const da = this.deadlines.get(a.piece) ?? Infinity;
      const db = this.deadlines.get(b.piece) ?? Infinity;
      if (da !== db) return da < db ? -1 : 1;
      return this.priorities[b.piece]! - this.priorities[a.piece]! || a.piece - b.piece;
    });
    // Least-duplicated blocks first: every block gets a second requester before any gets a third.
    for (let limit = 2; limit <= this.endgameMaxRequesters && out.length < max; limit++) {
      for (const op of racing) {
        if (out.length >= max) break;
        this.requestDuplicates(op, id, out, max, limit);
      }
    }
    return out;
  }

  // ---- request and piece events ----------------------------------------------------------------

  /**
   * A block arrived from `peerId`. Accepted when its piece is being downloaded and the block is still
   * missing, whoever it was requested from (a cancel may have crossed the data on the wire).
   */
  blockReceived(peerId: string, piece: number, begin: number, length?: number): BlockReceivedResult {
    if (!Number.isInteger(piece) || piece < 0 || piece >= this.pieceCount) return unexpected();
    const block = this.blockIndex(piece, begin);
    if (block < 0) return unexpected();
    if (length !== undefined && length !== this.blockLength(piece, block)) return unexpected();
    const key = piece * this.stride + block;
    this.forget(peerId, key);
    if (this.hasFlag(piece)) return { status: 'duplicate', cancels: NO_CANCELS, pieceComplete: false };
    const op = this.open.get(piece);
    if (op === undefined) return unexpected();
    if (op.received[block] === 1) {
      op.removeRequester(block, peerId);
      return { status: 'duplicate', cancels: NO_CANCELS, pieceComplete: false };
    }
    const others = op.receive(block, peerId);
    if (others.length === 0) return { status: 'accepted', cancels: NO_CANCELS, pieceComplete: op.complete };
    const cancels: PeerBlock[] = [];
    for (const other of others) {
      this.forget(other, key);
      cancels.push({ peerId: other, ...this.requestFor(piece, block) });
    }
    return { status: 'accepted', cancels, pieceComplete: op.complete };
  }

  /** We cancelled the request (timeout, choke, ...): the block can be requested again. */
  requestCancelled(peerId: string, piece: number, begin: number): boolean {
    if (!Number.isInteger(piece) || piece < 0 || piece >= this.pieceCount) return false;
    const block = this.blockIndex(piece, begin);
    const op = this.open.get(piece);
    if (block < 0 || op === undefined || !op.removeRequester(block, peerId)) return false;
    this.forget(peerId, piece * this.stride + block);
    this.closeIfIdle(op);
    return true;
  }

  /** The peer rejected the request (BEP 6 REJECT REQUEST): same bookkeeping as a cancel. */
  requestRejected(peerId: string, piece: number, begin: number): boolean {
    return this.requestCancelled(peerId, piece, begin);
  }

  /**
   * Releases every request in flight to the peer so other peers get them. Call on disconnect, and on
   * CHOKE from a peer without the fast extension (which drops our requests). Availability is separate:
   * call peerLeft too when the peer is gone.
   */
  peerGone(peerId: string): BlockRequest[] {
    const keys = this.outstanding.get(peerId);
    if (keys === undefined) return [];
    this.outstanding.delete(peerId);
    const released: BlockRequest[] = [];
    const touched = new Set<OpenPiece>();
    for (const key of keys) {
      const piece = Math.floor(key / this.stride);
      const block = key % this.stride;
      const op = this.open.get(piece);
      if (op === undefined || !op.removeRequester(block, peerId)) continue;
      released.push(this.requestFor(piece, block));
      touched.add(op);
    }
    for (const op of touched) this.closeIfIdle(op);
    return released;
  }

  /** The piece's hash matched. Returns requests still in flight for it (endgame leftovers) to CANCEL. */
  pieceVerified(piece: number): readonly PeerBlock[] {
    this.checkPiece(piece);
    if (this.hasFlag(piece)) return NO_CANCELS;
    const cancels = this.dropOpen(piece);
    this.removeCandidate(piece);
    this.have[piece] = 1;
    this.haveCount++;
    if (this.priorities[piece]! > 0) this.wantedMissing--;
    this.deadlines.delete(piece);
    return cancels;
  }

  /**
   * The piece's hash did not match (or a verified piece was found corrupt in storage): every block
   * is wanted again. Returns the peers whose blocks made it up, so the caller can ban repeat
   * offenders; the picker itself keeps no reputation.
   */
  pieceFailed(piece: number): PieceFailedResult {
    this.checkPiece(piece);
    if (this.have[piece] === 1) {
      this.have[piece] = 0;
      this.haveCount--;
      if (this.priorities[piece]! > 0) this.wantedMissing++;
      this.addCandidate(piece);
      return { contributors: [], cancels: NO_CANCELS };
    }
    const op = this.open.get(piece);
    const contributors: string[] = [];
    if (op !== undefined) {
      for (const id of op.deliveredBy) if (id !== undefined && !contributors.includes(id)) contributors.push(id);
    }
    const cancels = this.dropOpen(piece);
    this.addCandidate(piece);
    return { contributors, cancels };
  }

  // ---- internals -------------------------------------------------------------------------------

  private chooseNewPieces(has: PieceSet | 'all', room: number): number[] {
    let total = 0;
    for (let p = 1; p <= MAX_PRIORITY; p++) total += this.classes[p]!.size;
    if (total === 0) return [];
    if (has !== 'all') {
      const c = has.count();
      if (c === 0) return [];
      if (c * SPARSE_RATIO < total) return this.chooseFromPeerPieces(has, room);
    }
    const scanned = this.sequential ? this.scanSequential(has, room) : this.scanRarest(has, room);
    return scanned ?? this.chooseFromPeerPieces(has as PieceSet, room);
  }

  /** Walks each class's rarity order; null when a bitfield peer misses SCAN_BUDGET times. */
  private scanRarest(has: PieceSet | 'all', room: number): number[] | null {
    const chosen: number[] = [];
    let blocks = 0;
    let budget = SCAN_BUDGET;
    for (let p = MAX_PRIORITY; p >= 1; p--) {
      const c = this.classes[p]!;
      // A bitfield peer's own pieces are counted, so they sit in bucket 1 or above.
      const from = has === 'all' ? 0 : c.start(1);
      for (let slot = from; slot < c.size; slot++) {
        const piece = c.at(slot);
        if (has === 'all' || has.get(piece)) {
          chosen.push(piece);
          blocks += this.blocksOf(piece);
          if (blocks >= room) return chosen;
        } else if (--budget < 0) {
          return null;
        }
      }
    }
    return chosen;
  }

  private scanSequential(has: PieceSet | 'all', room: number): number[] | null {
    const chosen: number[] = [];
    let blocks = 0;
    let budget = SCAN_BUDGET;
    for (let p = MAX_PRIORITY; p >= 1; p--) {
      if (this.classes[p]!.size === 0) continue;
      let i = this.sequentialCursor[p]!;
      while (i < this.pieceCount && !(this.positions[i]! >= 0 && this.priorities[i] === p)) i++;
      this.sequentialCursor[p] = i;
      for (; i < this.pieceCount; i++) {
        if (this.positions[i]! < 0 || this.priorities[i] !== p) continue;
        if (has === 'all' || has.get(i)) {
          chosen.push(i);
          blocks += this.blocksOf(i);
          if (blocks >= room) return chosen;
        } else if (--budget < 0) {
          return null;
        }
      }
    }
    return chosen;
  }

  /** Best candidates among the peer's own pieces: O(pieces / 8 + peer's pieces) per call. */
  private chooseFromPeerPieces(has: PieceSet, room: number): number[] {
    const pool: number[] = [];
    for (let i = has.nextSet(0); i !== -1; i = has.nextSet(i + 1)) if (this.positions[i]! >= 0) pool.push(i);
    const chosen: number[] = [];
    let blocks = 0;
    while (blocks < room && pool.length > 0) {
      let best = 0;
      let ties = 1;
      for (let k = 1; k < pool.length; k++) {
        const order = this.compareNew(pool[k]!, pool[best]!);
        if (order < 0) {
          best = k;
          ties = 1;
        } else if (order === 0 && this.random() * ++ties < 1) {
          best = k;
        }
      }
      const piece = pool[best]!;
      pool[best] = pool[pool.length - 1]!;
      pool.pop();
      chosen.push(piece);
      blocks += this.blocksOf(piece);
    }
    return chosen;
  }

  /** Negative when `a` should be picked before `b`; 0 is a tie to break at random. */
  private compareNew(a: number, b: number): number {
    const byClass = this.priorities[b]! - this.priorities[a]!;
    if (byClass !== 0) return byClass;
    return this.sequential ? a - b : this.counts[a]! - this.counts[b]!;
  }

  private requestFresh(op: OpenPiece, peerId: string, out: BlockRequest[], max: number): void {
    for (let b = op.nextFresh(0); b !== -1 && out.length < max; b = op.nextFresh(b + 1)) {
      this.request(op, b, peerId, out);
    }
  }

  private requestDuplicates(op: OpenPiece, peerId: string, out: BlockRequest[], max: number, limit: number): void {
    for (let b = 0; b < op.blocks && out.length < max; b++) {
      const list = op.requesters[b];
      if (list !== undefined && list.length < limit && !list.includes(peerId)) this.request(op, b, peerId, out);
    }
  }

  private request(op: OpenPiece, block: number, peerId: string, out: BlockRequest[]): void {
    op.addRequester(block, peerId);
    let keys = this.outstanding.get(peerId);
    if (keys === undefined) {
      keys = new Set();
      this.outstanding.set(peerId, keys);
    }
    keys.add(op.piece * this.stride + block);
    out.push(this.requestFor(op.piece, block));
  }

  private forget(peerId: string, key: number): void {
    const keys = this.outstanding.get(peerId);
    if (keys === undefined) return;
    keys.delete(key);
    if (keys.size === 0) this.outstanding.delete(peerId);
  }

  private openPiece(piece: number): OpenPiece {
    let op = this.open.get(piece);
    if (op === undefined) {
      this.removeCandidate(piece);
      op = new OpenPiece(piece, this.blocksOf(piece));
      this.open.set(piece, op);
    }
    return op;
  }

  /** An open piece with nothing received and nothing in flight goes back to the candidate pool. */
  private closeIfIdle(op: OpenPiece): void {
    if (!op.idle) return;
    this.open.delete(op.piece);
    this.addCandidate(op.piece);
  }

  /** Forgets the open piece and every request in flight for it; returns those requests. */
  private dropOpen(piece: number): readonly PeerBlock[] {
    const op = this.open.get(piece);
    if (op === undefined) return NO_CANCELS;
    this.open.delete(piece);
    const cancels: PeerBlock[] = [];
    for (let b = 0; b < op.blocks; b++) {
      for (const peerId of op.requesters[b] ?? []) {
        this.forget(peerId, piece * this.stride + b);
        cancels.push({ peerId, ...this.requestFor(piece, b) });
      }
    }
    return cancels;
  }

  private addCandidate(piece: number): void {
    const p = this.priorities[piece]!;
    if (p === 0 || this.hasFlag(piece) || this.open.has(piece) || this.positions[piece]! >= 0) return;
    this.classes[p]!.insert(piece, this.counts[piece]!);
    if (piece < this.sequentialCursor[p]!) this.sequentialCursor[p] = piece;
  }

  private removeCandidate(piece: number): void {
    if (this.positions[piece]! < 0) return;
    this.classes[this.priorities[piece]!]!.remove(piece, this.counts[piece]!);
  }

  private rebuildCandidates(): void {
    this.positions.fill(-1);
    const lists: number[][] = [];
    for (let p = 0; p <= MAX_PRIORITY; p++) lists.push([]);
    for (let i = 0; i < this.pieceCount; i++) {
      const p = this.priorities[i]!;
      if (p > 0 && !this.hasFlag(i) && !this.open.has(i)) lists[p]!.push(i);
    }
    const bucketOf = (piece: number): number => this.counts[piece]!;
    for (let p = 1; p <= MAX_PRIORITY; p++) this.classes[p]!.rebuild(lists[p]!, bucketOf);
    this.sequentialCursor.fill(0);
  }

  private increment(piece: number): void {
    const c = this.counts[piece]!;
    if (this.positions[piece]! >= 0) this.classes[this.priorities[piece]!]!.promote(piece, c);
    this.counts[piece] = c + 1;
  }

  private decrement(piece: number): void {
    const c = this.counts[piece]!;
    if (this.positions[piece]! >= 0) this.classes[this.priorities[piece]!]!.demote(piece, c);
    this.counts[piece] = c - 1;
  }

  private hasFlag(piece: number): boolean {
    return this.have[piece] === 1;
  }

  private blocksOf(piece: number): number {
    return Math.ceil(this.lengths[piece]! / this.blockSize);
  }

  private blockLength(piece: number, block: number): number {
    return Math.min(this.blockSize, this.lengths[piece]! - block * this.blockSize);
  }

  /** The block index for a byte offset, or -1 unless `begin` is a block boundary inside the piece. */
  private blockIndex(piece: number, begin: number): number {
    if (!Number.isInteger(piece) || piece < 0 || piece >= this.pieceCount) return -1;
    if (!Number.isInteger(begin) || begin < 0 || begin >= this.lengths[piece]! || begin % this.blockSize !== 0) return -1;
    return begin / this.blockSize;
  }

  private requestFor(piece: number, block: number): BlockRequest {
    return { piece, begin: block * this.blockSize, length: this.blockLength(piece, block) };
  }

  private checkPiece(piece: number): void {
    if (!Number.isInteger(piece) || piece < 0 || piece >= this.pieceCount) {
      throw new PickerError('picker/piece-out-of-range', `piece ${piece} is outside 0..${this.pieceCount - 1}`);
    }
  }

  private checkBitfield(bitfield: PieceSet): void {
    if (bitfield.length !== this.pieceCount) {
      throw new PickerError('picker/bitfield-size', `bitfield has ${bitfield.length} bits, torrent has ${this.pieceCount} pieces`);
    }
  }
}

function peerHas(has: PieceSet | 'all', piece: number): boolean {
  return has === 'all' || has.get(piece);
}

function unexpected(): BlockReceivedResult {
  return { status: 'unexpected', cancels: NO_CANCELS, pieceComplete: false };
}

function checkPriority(priority: number): void {
  if (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY) {
    throw new PickerError('picker/invalid-priority', `priority ${priority} is not an integer from 0 to ${MAX_PRIORITY}`);
  }
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new PickerError('picker/invalid-config', `${name} ${value} is not a positive integer`);
  }
  return value;
}
