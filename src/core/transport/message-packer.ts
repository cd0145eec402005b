/**
 * The writes a message transport (a WebRTC data channel) collected in one turn, sent together as few,
 * full messages: a data channel pays per message, and the engine writes a 13-byte PIECE header apart
 * from its block, and one REQUEST per block. Large writes go out as whole-message slices of themselves;
 * small ones are packed into one scratch buffer reused for every message, so `send` must copy what it
 * is given (both node-datachannel and RTCDataChannel do). Boundaries carry no meaning: the far side
 * reads a byte stream.
 */
export class MessagePacker {
  private queued: Uint8Array[] = [];
  private scratch: Uint8Array | null = null;
  /** Bytes written and not yet handed to `send`; they count against the transport's high-water mark. */
  queuedBytes = 0;

  get empty(): boolean {
    return this.queued.length === 0;
  }

  /** Keeps a reference to `data`, not a copy: the engine never reuses a buffer it wrote. */
  push(data: Uint8Array): void {
    this.queued.push(data);
    this.queuedBytes += data.length;
  }

  clear(): void {
    this.queued = [];
    this.queuedBytes = 0;
  }

  /**
   * Hands everything queued to `send` in messages of at most `size` bytes (only the last may be shorter).
   * The queue is emptied first, so a `send` that throws (a channel closed under us) leaves nothing behind.
   */
  drainInto(size: number, send: (message: Uint8Array) => void): void {
    const queued = this.queued;
    let left = this.queuedBytes;
    this.clear();
    let fill = 0;
    for (const data of queued) {
      for (let offset = 0; offset < data.length; ) {
        const remaining = data.length - offset;
        if (fill === 0 && (remaining >= size || remaining === left)) {
          const n = Math.min(remaining, size);
          send(n === data.length ? data : data.subarray(offset, offset + n));
          offset += n;
          left -= n;
          continue;
        }
        if (this.scratch === null || this.scratch.length < size) this.scratch = new Uint8Array(size);
        const n = Math.min(remaining, size - fill);
        this.scratch.set(n === data.length ? data : data.subarray(offset, offset + n), fill);
        fill += n;
        offset += n;
        if (fill === size || fill === left) {
          send(this.scratch.subarray(0, fill));
          left -= fill;
          fill = 0;
        }
      }
    }
  }
}
