import { MAX_METADATA_SIZE } from '../extensions/ut-metadata/limits.js';
import { Bitfield } from '../util/bitfield.js';
import { PeerError } from './errors.js';

/**
 * Before the metadata of a magnet is known, have indices are kept in a bitmap this large: the most pieces an
 * info dictionary within MAX_METADATA_SIZE can describe (20 bytes of SHA-1 per piece). Costs 100 KiB, and only
 * for a peer that sends haves before we know the piece count.
 */
export const MAX_PENDING_PIECES = Math.floor(MAX_METADATA_SIZE / 20);

function outOfRange(index: number, count: number): PeerError {
  return new PeerError('peer/have-out-of-range', `peer announced piece ${index} of a torrent with ${count} pieces`);
}

/**
 * The peer's bitfield. The length must fit the piece count (bounds); bits set after the last piece name no
 * piece and are ignored, as libtorrent does, rather than dropping the peer.
 */
function fromWire(bits: Uint8Array, count: number): Bitfield {
  const expected = Math.ceil(count / 8);
  if (bits.length !== expected) {
    throw new PeerError('peer/bitfield-wrong-length', `peer bitfield has ${bits.length} bytes, expected ${expected} for ${count} pieces`);
  }
  const spare = expected * 8 - count;
  if (spare === 0 || (bits[expected - 1]! & ((1 << spare) - 1)) === 0) return Bitfield.fromWire(bits, count);
  const cleared = bits.slice();
  cleared[expected - 1] = cleared[expected - 1]! & (0xff << spare);
  return Bitfield.fromWire(cleared, count);
}

/**
 * The pieces the peer has. A bitfield, have all or have none replaces everything the peer said before,
 * whenever it comes (libtorrent takes a late one the same way). While the piece count is unknown (a
 * magnet), what the peer says is held raw and checked, and turned into a Bitfield, by setPieceCount.
 */
export class PeerAvailability {
  private count: number | null;
  private bits: Bitfield | null = null;
  private pendingBitfield: Uint8Array | null = null;
  private pendingAll = false;
  private pendingHaves: Bitfield | null = null;
  private pendingHighest = -1;

  constructor(pieceCount: number | null) {
    this.count = pieceCount;
  }

  get pieceCount(): number | null {
    return this.count;
  }

  /** The peer's pieces, or null while the piece count is unknown. Do not modify. */
  get bitfield(): Bitfield | null {
    if (this.bits === null && this.count !== null) this.bits = new Bitfield(this.count);
    return this.bits;
  }

  has(index: number): boolean {
    const bits = this.bitfield;
    return bits !== null && index >>> 0 === index && index < bits.length && bits.get(index);
  }

  /** Returns the bitfield to report, or null while the piece count is unknown. */
  onBitfield(payload: Uint8Array): Bitfield | null {
    if (this.count === null) {
      if (payload.length > Math.ceil(MAX_PENDING_PIECES / 8)) {
        throw new PeerError('peer/bitfield-wrong-length', `peer bitfield of ${payload.length} bytes describes more pieces than any torrent we accept`);
      }
      this.forgetPending();
      this.pendingBitfield = payload.slice();
      return null;
    }
    this.bits = fromWire(payload, this.count);
    return this.bits.clone();
  }

  onHaveAll(): void {
    if (this.count === null) {
      this.forgetPending();
      this.pendingAll = true;
    } else this.bits = Bitfield.full(this.count);
  }

  onHaveNone(): void {
    if (this.count === null) this.forgetPending();
    else this.bits = new Bitfield(this.count);
  }

  /** Returns true when the piece is new for this peer (known piece count only). */
  onHave(index: number): boolean {
    if (this.count === null) {
      if (index >= MAX_PENDING_PIECES) throw outOfRange(index, MAX_PENDING_PIECES);
      (this.pendingHaves ??= new Bitfield(MAX_PENDING_PIECES)).set(index);
      this.pendingHighest = Math.max(this.pendingHighest, index);
      return false;
    }
    if (index >= this.count) throw outOfRange(index, this.count);
    return this.bitfield!.set(index);
  }

  /** Returns true when the peer had the piece (known piece count only). */
  onDontHave(index: number): boolean {
    if (this.count === null) {
      if (index >= MAX_PENDING_PIECES) throw outOfRange(index, MAX_PENDING_PIECES);
      this.pendingHaves?.clear(index);
      return false;
    }
    if (index >= this.count) throw outOfRange(index, this.count);
    return this.bitfield!.clear(index);
  }

  /**
   * The metadata arrived. Checks what the peer said so far against the real count; returns the bitfield to
   * report when the peer had sent a bitfield or haves (have all / have none were reported when they came).
   */
  setPieceCount(count: number): Bitfield | null {
    if (this.count !== null) return null;
    this.count = count;
    const report = this.pendingBitfield !== null || this.pendingHaves !== null;
    if (this.pendingHighest >= count) throw outOfRange(this.pendingHighest, count);
    this.bits = this.pendingAll
      ? Bitfield.full(count)
      : this.pendingBitfield !== null
        ? fromWire(this.pendingBitfield, count)
        : new Bitfield(count);
    if (this.pendingHaves !== null) for (const index of this.pendingHaves.indices()) this.bits.set(index);
    this.forgetPending();
    return report ? this.bits.clone() : null;
  }

  private forgetPending(): void {
    this.pendingBitfield = null;
    this.pendingAll = false;
    this.pendingHaves = null;
    this.pendingHighest = -1;
  }
}
