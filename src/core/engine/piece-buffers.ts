/**
 * Blocks of pieces being downloaded, held in memory until the whole piece is there and verified.
 * Nothing here is readable by anyone else: a piece leaves only through `take`, after its hash
 * checks out. Memory is bounded by the pieces the picker keeps open (see docs/engine/torrent.md).
 *
 * A taken piece still counts in `heldBytes` until it is handed back with `release` (once it is
 * verified and written, or failed): the cap on buffered bytes then covers pieces waiting for the
 * hasher or the disk too, so a slow disk stops requests instead of growing memory. Released buffers
 * are kept (up to `POOL_BYTES`, 8 MiB) and reused for the next pieces: no 1 MiB allocation, zero-fill and
 * garbage per piece. Reuse needs no clearing: a piece is complete only once every block was put.
 */
const POOL_BYTES = 8 * 1024 * 1024;

export class PieceBuffers {
  private readonly pieces = new Map<number, Uint8Array>();
  private readonly pool: Uint8Array[] = [];
  private poolBytes = 0;
  private bytes = 0;
  private outBytes = 0;

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
    return new Uint8Array(length);
  }

  private recycle(buffer: Uint8Array): void {
    if (this.poolBytes + buffer.length > POOL_BYTES) return;
    this.pool.push(buffer);
    this.poolBytes += buffer.length;
  }
}
