import type { PiecePicker } from '../picker/piece-picker.js';
import { Bitfield } from '../util/bitfield.js';

type AvailabilityPicker = Pick<PiecePicker, 'peerBitfield' | 'peerHaveAll' | 'peerHave' | 'peerLeft' | 'pieceCount'>;

/**
 * How each connected peer's pieces were counted in the picker's availability: one HAVE ALL, or a
 * bitfield that HAVEs grow. A peer's pieces leave the availability the way they came (when it goes,
 * or takes a piece back with lt_donthave), and requests to it are picked from what it really has.
 * Lives as long as its picker: a new picker (metadata, recheck) starts a new ledger.
 */
export class AvailabilityLedger<Peer> {
  private readonly counted = new Map<Peer, 'all' | 'bits'>();

  constructor(private readonly picker: AvailabilityPicker) {}

  bitfield(peer: Peer, bits: Bitfield): void {
    this.picker.peerBitfield(bits);
    this.counted.set(peer, 'bits');
  }

  haveAll(peer: Peer): void {
    this.picker.peerHaveAll();
    this.counted.set(peer, 'all');
  }

  /** A HAVE ALL that came before this ledger's picker existed: counted once, now. */
  haveAllIfUncounted(peer: Peer): void {
    if (!this.counted.has(peer)) this.haveAll(peer);
  }

  have(peer: Peer, index: number): void {
    if (!this.counted.has(peer)) this.counted.set(peer, 'bits');
    this.picker.peerHave(index);
  }

  /** lt_donthave: the peer no longer has `index` (a HAVE ALL peer cannot take pieces back one by one). */
  dontHave(peer: Peer, index: number): void {
    if (this.counted.get(peer) === 'bits') this.picker.peerLeft(Bitfield.fromIndices(this.picker.pieceCount, [index]));
  }

  /** The peer left; `bits` is its bitfield as it stood. */
  gone(peer: Peer, bits: Bitfield | null): void {
    const counted = this.counted.get(peer);
    if (counted === 'all') this.picker.peerLeft('all');
    else if (counted === 'bits' && bits) this.picker.peerLeft(bits);
    this.counted.delete(peer);
  }

  /** What requests to `peer` may ask for: every piece, its bitfield, or nothing before it said what it has. */
  pieces(peer: Peer, bits: Bitfield | null): 'all' | Bitfield | null {
    const counted = this.counted.get(peer);
    return counted === 'all' ? 'all' : counted === 'bits' ? bits : null;
  }
}
