import { BLOCK_MESSAGE_LENGTH, INDEX_MESSAGE_LENGTH, writeBlockMessage, writeIndexMessage } from './encode.js';

/** Bytes of small messages gathered into one buffer before a new one is started. */
const SMALL_BUFFER_BYTES = 4096;

/**
 * A peer connection's outgoing bytes, in order. A download sends a REQUEST for every 16 KiB block it
 * receives, and HAVEs and CANCELs come in runs too: those small messages are written back to back into one
 * shared buffer, so a batch of them leaves as one chunk instead of one allocation each. Other chunks
 * (bitfields, extension messages, piece headers and blocks) are kept as they are, in their place.
 *
 * Chunks handed out by `take` are never written again (small messages only ever go after them, or into a
 * fresh buffer), so a transport may keep them until they are sent.
 */
export class Outbox {
  private chunks: Uint8Array[] = [];
  private small = new Uint8Array(SMALL_BUFFER_BYTES);
  /** Where the small messages not yet sealed into `chunks` start, and where the next one goes. */
  private smallStart = 0;
  private smallEnd = 0;

  push(chunk: Uint8Array): void {
    this.seal();
    this.chunks.push(chunk);
  }

  /** A REQUEST, CANCEL or REJECT (`id`); throws a wire error for a field out of range, writing nothing. */
  blockMessage(id: number, index: number, begin: number, length: number): void {
    const at = this.reserve(BLOCK_MESSAGE_LENGTH);
    writeBlockMessage(this.small, at, id, index, begin, length);
    this.smallEnd = at + BLOCK_MESSAGE_LENGTH;
  }

  /** A HAVE, SUGGEST or ALLOWED FAST (`id`). */
  indexMessage(id: number, index: number): void {
    const at = this.reserve(INDEX_MESSAGE_LENGTH);
    writeIndexMessage(this.small, at, id, index);
    this.smallEnd = at + INDEX_MESSAGE_LENGTH;
  }

  /** Everything queued, in order; the outbox is then empty. */
  take(): Uint8Array[] {
    this.seal();
    const out = this.chunks;
    this.chunks = [];
    return out;
  }

  /** Drops everything queued (the connection failed). */
  clear(): void {
    this.chunks = [];
    this.smallStart = this.smallEnd;
  }

  /** Where a small message of `bytes` goes; a fresh buffer once this one is full. */
  private reserve(bytes: number): number {
    if (this.smallEnd + bytes > this.small.length) {
      this.seal();
      this.small = new Uint8Array(SMALL_BUFFER_BYTES);
      this.smallStart = 0;
      this.smallEnd = 0;
    }
    return this.smallEnd;
  }

  private seal(): void {
    if (this.smallEnd === this.smallStart) return;
    this.chunks.push(this.small.subarray(this.smallStart, this.smallEnd));
    this.smallStart = this.smallEnd;
  }
}
