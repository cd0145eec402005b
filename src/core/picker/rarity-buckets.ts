/**
 * The pieces of one priority class, kept in one array sorted by availability: bucket `b` holds the
 * pieces that `b` (non-seed) peers have, contiguous, bucket 0 first. Each bucket is kept as a
 * uniformly random permutation, so walking the array from the front yields rarest-first with a
 * random tie-break, with no sorting at pick time.
 *
 * Moving a piece to a neighbouring bucket (one peer more or less has it) is O(1): swap it to the
 * bucket's edge, move the boundary, then swap it with a uniformly random slot of its new bucket
 * (the inside-out Fisher–Yates step, so the bucket stays uniformly shuffled). Insert and remove are
 * O(number of buckets), i.e. O(peers).
 *
 * `positions` is shared by all classes: a piece lives in at most one class, and -1 means none.
 */
export class RarityBuckets {
  private readonly order: number[] = [];
  /** ends[b] is one past the last slot of bucket b; there is always at least bucket 0. */
  private readonly ends: number[] = [0];

  constructor(
    private readonly positions: Int32Array,
    private readonly random: () => number,
  ) {}

  get size(): number {
    return this.order.length;
  }

  /** First slot of bucket `b` (or the array's end when there is no such bucket yet). */
  start(b: number): number {
    if (b <= 0) return 0;
    return b - 1 < this.ends.length ? this.ends[b - 1]! : this.order.length;
  }

  at(slot: number): number {
    return this.order[slot]!;
  }

  insert(piece: number, bucket: number): void {
    this.ensureBucket(bucket);
    let slot = this.order.length;
    this.order.push(piece);
    this.positions[piece] = slot;
    // The piece sits just past the last bucket; hop it down one bucket at a time by swapping it with
    // each bucket's first element, which moves that bucket one slot right.
    for (let b = this.ends.length - 1; b > bucket; b--) {
      const first = this.start(b);
      this.swap(slot, first);
      this.ends[b]!++;
      slot = first;
    }
    this.ends[bucket]!++;
    this.shuffleIn(slot, bucket);
  }

  remove(piece: number, bucket: number): void {
    let slot = this.positions[piece]!;
    for (let b = bucket; b < this.ends.length; b++) {
      const last = this.ends[b]! - 1;
      this.swap(slot, last);
      this.ends[b]!--;
      slot = last;
    }
    this.order.pop();
    this.positions[piece] = -1;
  }

  /** The piece moves from `bucket` to `bucket + 1`. */
  promote(piece: number, bucket: number): void {
    this.ensureBucket(bucket + 1);
    const last = this.ends[bucket]! - 1;
    this.swap(this.positions[piece]!, last);
    this.ends[bucket]!--;
    this.shuffleIn(last, bucket + 1);
  }

  /** The piece moves from `bucket` to `bucket - 1`. */
  demote(piece: number, bucket: number): void {
    const first = this.start(bucket);
    this.swap(this.positions[piece]!, first);
    this.ends[bucket - 1]!++;
    this.shuffleIn(first, bucket - 1);
  }

  /**
   * Replaces the content wholesale: a counting sort by bucket, then a Fisher–Yates shuffle per bucket.
   * The caller resets the old members' positions first (they are shared with the other classes, so
   * only the caller knows which entries are stale).
   */
  rebuild(pieces: readonly number[], bucketOf: (piece: number) => number): void {
    let buckets = 1;
    for (const p of pieces) buckets = Math.max(buckets, bucketOf(p) + 1);
    const counts = new Array<number>(buckets).fill(0);
    for (const p of pieces) counts[bucketOf(p)]!++;
    this.ends.length = buckets;
    let running = 0;
    const cursor = new Array<number>(buckets);
    for (let b = 0; b < buckets; b++) {
      cursor[b] = running;
      running += counts[b]!;
      this.ends[b] = running;
    }
    this.order.length = pieces.length;
    for (const p of pieces) {
      const b = bucketOf(p);
      const slot = cursor[b]!++;
      this.order[slot] = p;
      this.positions[p] = slot;
    }
    for (let b = 0; b < buckets; b++) {
      const from = this.start(b);
      for (let i = this.ends[b]! - 1; i > from; i--) this.swap(i, from + this.randomBelow(i - from + 1));
    }
  }

  private ensureBucket(bucket: number): void {
    while (this.ends.length <= bucket) this.ends.push(this.order.length);
  }

  /** The piece at `slot` just joined `bucket`: give it a uniformly random place in it. */
  private shuffleIn(slot: number, bucket: number): void {
    const from = this.start(bucket);
    const size = this.ends[bucket]! - from;
    if (size > 1) this.swap(slot, from + this.randomBelow(size));
  }

  private randomBelow(n: number): number {
    // Clamp: an injected random that returns 1 (or more) must not index past the bucket.
    return Math.min(n - 1, Math.floor(this.random() * n));
  }

  private swap(a: number, b: number): void {
    if (a === b) return;
    const pa = this.order[a]!;
    const pb = this.order[b]!;
    this.order[a] = pb;
    this.order[b] = pa;
    this.positions[pb] = a;
    this.positions[pa] = b;
  }
}
