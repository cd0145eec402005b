import type { PiecePicker } from '../picker/piece-picker.js';
import { Bitfield } from '../util/bitfield.js';

type AvailabilityPicker = Pick<PiecePicker, 'peerBitfield' | 'peerHaveAll' | 'peerHave' | 'peerLeft' | 'pieceCount'>;

/**
 * How each connected peer's pieces were counted in the picker's availability: one HAVE ALL, or the
 * ledger's own copy of the bitfield it counted (grown by HAVEs, shrunk by lt_donthave). A peer's pieces
 * leave the availability exactly the way they came: when it goes, or when a late BITFIELD / HAVE ALL /
 * HAVE NONE replaces what it said before (as libtorrent takes them), so counts never double or go
 * negative. Requests to a peer are picked from what it really has.
 * Lives as long as its picker: a new picker (metadata, recheck) starts a new ledger.
 */
export class AvailabilityLedger<Peer> {
  private readonly counted = new Map<Peer, 'all' | Bitfield>();

  constructor(private readonly picker: AvailabilityPicker) {}

  /** The peer's whole availability is now `bits` (a first or a late BITFIELD). */
  bitfield(peer: Peer, bits: Bitfield): void {
    this.uncount(peer);
    const own = bits.clone();
    this.picker.peerBitfield(own);
    this.counted.set(peer, own);
  }

  /** The peer has every piece now (a first or a late HAVE ALL). */
  haveAll(peer: Peer): void {
    this.uncount(peer);
    this.picker.peerHaveAll();
    this.counted.set(peer, 'all');
  }

  /** The peer has nothing now (a first or a late HAVE NONE); HAVEs may grow it again. */
  haveNone(peer: Peer): void {
    this.uncount(peer);
    this.counted.set(peer, new Bitfield(this.picker.pieceCount));
  }

  /** A HAVE ALL that came before this ledger's picker existed: counted once, now. */
  haveAllIfUncounted(peer: Peer): void {
    if (!this.counted.has(peer)) this.haveAll(peer);
  }

  have(peer: Peer, index: number): void {
    let counted = this.counted.get(peer);
    if (counted === 'all') return;
    if (counted === undefined) this.counted.set(peer, (counted = new Bitfield(this.picker.pieceCount)));
    if (counted.set(index)) this.picker.peerHave(index);
  }

  /** lt_donthave: the peer no longer has `index` (a HAVE ALL peer cannot take pieces back one by one). */
  dontHave(peer: Peer, index: number): void {
    const counted = this.counted.get(peer);
    if (counted instanceof Bitfield && counted.clear(index)) this.picker.peerLeft(Bitfield.fromIndices(this.picker.pieceCount, [index]));
  }

  /** The peer left: what it was counted with leaves the availability. */
  gone(peer: Peer): void {
    this.uncount(peer);
  }

  /** What requests to `peer` may ask for: every piece, its pieces, or nothing before it said what it has. Read only. */
  pieces(peer: Peer): 'all' | Bitfield | null {
    return this.counted.get(peer) ?? null;
  }

  private uncount(peer: Peer): void {
    const counted = this.counted.get(peer);
    if (counted === undefined) return;
    this.picker.peerLeft(counted);
    this.counted.delete(peer);
  }
}
