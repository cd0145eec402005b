import type { PiecePicker } from '../picker/piece-picker.js';
import type { Bitfield } from '../util/bitfield.js';
import type { PeerLink } from './peer-link.js';

/** What interest is decided from. */
export interface PeerInterestDeps {
  /** Null until the metadata is known and the data checked (no interest before). */
  picker(): Pick<PiecePicker, 'isComplete' | 'priority'> | null;
  have(): Bitfield | null;
  /** We became interested in `link`: ask it for blocks. */
  fill(link: PeerLink): void;
}

/**
 * Whether we are interested in a peer (BEP 3): exactly while it has a piece we want (priority above 0)
 * and lack. Saying so is what lets a peer unchoke us, so becoming interested asks for blocks at once.
 */
export class PeerInterest {
  constructor(private readonly deps: PeerInterestDeps) {}

  /** We want piece `index`: we lack it and its priority is above 0. */
  wants(index: number): boolean {
    const picker = this.deps.picker();
    return !!picker && !this.deps.have()!.get(index) && picker.priority(index) > 0;
  }

  /** Decides interest in `link` again from everything it has. */
  update(link: PeerLink): void {
    const picker = this.deps.picker();
    if (!picker || !link.conn.ready) return;
    let want = false;
    if (!picker.isComplete()) {
      if (link.seed) want = true;
      else {
        const bits = link.conn.peerBitfield;
        if (bits) for (let i = bits.nextSet(0); i !== -1 && !want; i = bits.nextSet(i + 1)) want = this.wants(i);
      }
    }
    this.set(link, want);
  }

  set(link: PeerLink, interested: boolean): void {
    if (link.conn.amInterested === interested) return;
    if (interested) link.conn.interested();
    else link.conn.notInterested();
    if (interested) this.deps.fill(link);
  }
}
