export interface BlockAddress {
  readonly index: number;
  readonly begin: number;
  readonly length: number;
}

function key(index: number, begin: number, length: number): string {
  return `${index}:${begin}:${length}`;
}

/** The requests a peer has made of us and we have neither served, rejected nor seen cancelled. */
export class PeerRequests {
  private readonly pending = new Map<string, BlockAddress>();

  get size(): number {
    return this.pending.size;
  }

  /** Returns false when the same block is already pending. */
  add(index: number, begin: number, length: number): boolean {
    const k = key(index, begin, length);
    if (this.pending.has(k)) return false;
    this.pending.set(k, { index, begin, length });
    return true;
  }

  /** Returns whether the block was pending. */
  remove(index: number, begin: number, length: number): boolean {
    return this.pending.delete(key(index, begin, length));
  }

  has(index: number, begin: number, length: number): boolean {
    return this.pending.has(key(index, begin, length));
  }

  /** Removes and returns every pending request for which `drop` is true, in arrival order. */
  removeWhere(drop: (request: BlockAddress) => boolean): BlockAddress[] {
    const removed: BlockAddress[] = [];
    for (const [k, request] of this.pending) {
      if (!drop(request)) continue;
      this.pending.delete(k);
      removed.push(request);
    }
    return removed;
  }

  values(): IterableIterator<BlockAddress> {
    return this.pending.values();
  }
}
