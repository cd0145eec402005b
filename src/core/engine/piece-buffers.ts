/**
 * Blocks of pieces being downloaded, held in memory until the whole piece is there and verified.
 * Nothing here is readable by anyone else: a piece leaves only through `take`, after its hash
 * checks out. Memory is bounded by the pieces the picker keeps open (see docs/engine/torrent.md).
 *
 * A taken piece still counts in `heldBytes` until it is handed back with `release` (once it is
 * verified and written, or failed): the cap on buffered bytes then covers pieces waiting for the
 * hasher or the disk too, so a slow disk stops requests instead of growing memory. Released buffers
 * are kept and reused for the next pieces, as long as held and spare bytes together stay within the
 * most bytes held at once so far (at least `capBytes`, the owner's cap on buffered bytes; at most
 * twice it): the pool then never holds memory the download has not already needed, and a download
 * allocates, zero-fills and drops no 1 MiB buffer per piece. The owner stops requesting at its cap,
 * but blocks already requested still arrive, so held bytes pass the cap by a few pieces; keeping
 * spares only within the cap itself dropped those and allocated them again (58 fresh buffers for a
 * 1 GiB download with a 38 MiB peak instead of 38), each one page faults and zero-filling, and
 * external memory that drives V8 into full GCs while the dropped ones wait to be collected. Reuse
 * needs no clearing: a piece is complete only once every block was put. `dropSpare` lets the spares
 * go once nothing will be downloaded.
 */
export class PieceBuffers {
  private readonly pieces = new Map<number, Uint8Array>();
  private readonly pool: Uint8Array[] = [];
  private poolBytes = 0;
  private bytes = 0;
  private outBytes = 0;
  /** The most bytes held at once so far. */
  private peakHeld = 0;

  /** `capBytes`: the owner's cap on buffered bytes; spare buffers are kept only within it. */
  /**
   * `allocate` gives the memory of new piece buffers: the Node shell hands out page-aligned ones, which
   * its store can write with direct I/O (no page-cache copy).
   */
  constructor(
    private readonly capBytes: number,
    private readonly allocateBuffer: (length: number) => Uint8Array = (length) => new Uint8Array(length),
  ) {}

  get size(): number {
    return this.pieces.size;
  }

  /** Bytes held across all open pieces and the taken ones not yet released. */
  get heldBytes(): number {
    return this.bytes + this.outBytes;
  }

  /** Copies a block into its piece's buffer (allocated on the first block). */
  put(piece: number, pieceLength: number, begin: number, block: Uint8Array): void {
    let buffer = this.pieces.get(piece);
    if (!buffer) {
      buffer = this.allocate(pieceLength);
      this.pieces.set(piece, buffer);
      this.bytes += pieceLength;
      if (this.heldBytes > this.peakHeld) this.peakHeld = this.heldBytes;
    }
    buffer.set(block, begin);
  }

  /** Removes and returns a piece's bytes (to verify and write them); `release` them when done. */
  take(piece: number): Uint8Array | undefined {
    const buffer = this.pieces.get(piece);
    if (buffer) {
      this.pieces.delete(piece);
      this.bytes -= buffer.length;
      this.outBytes += buffer.length;
    }
    return buffer;
  }

  /** Hands back a buffer from `take` that nobody reads any more. */
  release(buffer: Uint8Array): void {
    this.outBytes = Math.max(0, this.outBytes - buffer.length);
    this.recycle(buffer);
  }

  drop(piece: number): void {
    const buffer = this.take(piece);
    if (buffer) this.release(buffer);
  }

  /** Bytes of released buffers kept for reuse. */
  get spareBytes(): number {
    return this.poolBytes;
  }

  /** Lets the spare buffers go (the download is complete: no piece will need one). */
  dropSpare(): void {
    this.pool.length = 0;
    this.poolBytes = 0;
  }

  /** Forgets open pieces. Taken ones stay counted until released: their owners still hold them. */
  clear(): void {
    this.pieces.clear();
    this.bytes = 0;
    this.pool.length = 0;
    this.poolBytes = 0;
  }

  private allocate(length: number): Uint8Array {
    for (let i = this.pool.length - 1; i >= 0; i--) {
      const buffer = this.pool[i]!;
      if (buffer.length !== length) continue;
      this.pool.splice(i, 1);
      this.poolBytes -= length;
      return buffer;
    }
    return this.allocateBuffer(length);
  }

  private recycle(buffer: Uint8Array): void {
    const keep = Math.min(2 * this.capBytes, Math.max(this.capBytes, this.peakHeld));
    if (this.heldBytes + this.poolBytes + buffer.length > keep) return;
    this.pool.push(buffer);
    this.poolBytes += buffer.length;
  }
}
