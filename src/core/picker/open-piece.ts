/**
 * Block bookkeeping for a piece that is being downloaded: which blocks arrived (and from whom) and
 * which peers each missing block is requested from. A received block never has requesters.
 */
const NOBODY: readonly string[] = [];

export class OpenPiece {
  readonly received: Uint8Array;
  /** Who delivered each received block (the first accepted copy). */
  readonly deliveredBy: (string | undefined)[];
  /** Peers each block is in flight to; undefined when none. */
  readonly requesters: (string[] | undefined)[];
  receivedCount = 0;
  /** Blocks not received with at least one requester. */
  requestedCount = 0;
  /** No block below this index is unrequested and missing; lets `nextFresh` skip the done prefix. */
  private freshHint = 0;

  constructor(
    readonly piece: number,
    readonly blocks: number,
  ) {
    this.received = new Uint8Array(blocks);
    this.deliveredBy = new Array<string | undefined>(blocks);
    this.requesters = new Array<string[] | undefined>(blocks);
  }

  get unrequested(): number {
    return this.blocks - this.receivedCount - this.requestedCount;
  }

  get complete(): boolean {
    return this.receivedCount === this.blocks;
  }

  /** True when nothing arrived and nothing is in flight: the piece can go back to the untouched pool. */
  get idle(): boolean {
    return this.receivedCount === 0 && this.requestedCount === 0;
  }

  /** The first missing block nobody is asked for, at or after `from`; -1 if none. */
  nextFresh(from: number): number {
    if (from < this.freshHint) from = this.freshHint;
    for (let b = from; b < this.blocks; b++) {
      if (this.received[b] === 0 && this.requesters[b] === undefined) return b;
      if (b === this.freshHint) this.freshHint++;
    }
    return -1;
  }

  addRequester(block: number, peerId: string): void {
    const list = this.requesters[block];
    if (list === undefined) {
      this.requesters[block] = [peerId];
      this.requestedCount++;
    } else {
      list.push(peerId);
    }
  }

  /** Returns true when the peer was a requester of the block. */
  removeRequester(block: number, peerId: string): boolean {
    const list = this.requesters[block];
    if (list === undefined) return false;
    const i = list.indexOf(peerId);
    if (i < 0) return false;
    if (list.length === 1) {
      this.requesters[block] = undefined;
      this.requestedCount--;
      if (this.received[block] === 0 && block < this.freshHint) this.freshHint = block;
    } else {
      list.splice(i, 1);
    }
    return true;
  }

  /** Marks the block received; returns the peers whose requests for it are now pointless. */
  receive(block: number, peerId: string): readonly string[] {
    const list = this.requesters[block];
    if (list !== undefined) this.requestedCount--;
    this.requesters[block] = undefined;
    this.received[block] = 1;
    this.deliveredBy[block] = peerId;
    this.receivedCount++;
    // The usual case, one requester who delivered, allocates nothing (this runs once per block).
    if (list === undefined || (list.length === 1 && list[0] === peerId)) return NOBODY;
    return list.filter((id) => id !== peerId);
  }
}
