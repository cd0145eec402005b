/**
 * Blocks of pieces being downloaded, held in memory until the whole piece is there and verified.
 * Nothing here is readable by anyone else: a piece leaves only through `take`, after its hash
 * checks out. Memory is bounded by the pieces the picker keeps open (see docs/engine/torrent.md).
 */
export class PieceBuffers {
  private readonly pieces = new Map<number, Uint8Array>();
  private bytes = 0;

  get size(): number {
    return this.pieces.size;
  }

  /** Bytes held across all open pieces. */
  get heldBytes(): number {
    return this.bytes;
  }

  /** Copies a block into its piece's buffer (allocated on the first block). */
  put(piece: number, pieceLength: number, begin: number, block: Uint8Array): void {
    let buffer = this.pieces.get(piece);
    if (!buffer) {
      buffer = new Uint8Array(pieceLength);
      this.pieces.set(piece, buffer);
      this.bytes += pieceLength;
    }
    buffer.set(block, begin);
  }

  /** Removes and returns a piece's bytes (to verify and write them). */
  take(piece: number): Uint8Array | undefined {
    const buffer = this.pieces.get(piece);
    if (buffer) {
      this.pieces.delete(piece);
      this.bytes -= buffer.length;
    }
    return buffer;
  }

  drop(piece: number): void {
    this.take(piece);
  }

  clear(): void {
    this.pieces.clear();
    this.bytes = 0;
  }
}
