export interface Deadline {
  readonly piece: number;
  readonly deadline: number;
}

/**
 * Pieces with deadlines, earliest first (ties: lower piece index first). A streaming window holds
 * tens to a few hundred pieces, so a sorted array with O(d) insert/remove beats anything cleverer.
 */
export class DeadlineQueue {
  private readonly items: Deadline[] = [];
  private readonly byPiece = new Map<number, number>();
  /** Bumped by every change, so a caller can tell cheaply whether the set moved since it last looked. */
  private changes = 0;

  get version(): number {
    return this.changes;
  }

  get size(): number {
    return this.items.length;
  }

  get(piece: number): number | undefined {
    return this.byPiece.get(piece);
  }

  set(piece: number, deadline: number): void {
    this.delete(piece);
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.items[mid]!;
      if (m.deadline < deadline || (m.deadline === deadline && m.piece < piece)) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, { piece, deadline });
    this.byPiece.set(piece, deadline);
    this.changes++;
  }

  delete(piece: number): boolean {
    if (!this.byPiece.delete(piece)) return false;
    const i = this.items.findIndex((d) => d.piece === piece);
    this.items.splice(i, 1);
    this.changes++;
    return true;
  }

  clear(): void {
    if (this.items.length > 0) this.changes++;
    this.items.length = 0;
    this.byPiece.clear();
  }

  /** Earliest first. A live view: do not change the queue while iterating it. */
  ordered(): readonly Deadline[] {
    return this.items;
  }
}
