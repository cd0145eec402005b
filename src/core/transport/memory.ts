import type { SluiceError } from '../errors.js';
import type { Transport, TransportHandlers } from '../ports/transport.js';

type Schedule = (task: () => void) => void;

/**
 * Two in-memory transports wired back to back, for engine tests and simulations. Delivery is
 * asynchronous through `schedule` (a microtask queue by default) so re-entrancy bugs show up as
 * they would on a socket.
 */
export function memoryTransportPair(options: { highWaterMark?: number; schedule?: Schedule } = {}): [Transport, Transport] {
  const highWaterMark = options.highWaterMark ?? 1 << 20;
  const schedule: Schedule = options.schedule ?? ((task) => void Promise.resolve().then(task));
  const a = new MemoryTransport('memory:a', true, highWaterMark, schedule);
  const b = new MemoryTransport('memory:b', false, highWaterMark, schedule);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

class MemoryTransport implements Transport {
  readonly kind = 'memory' as const;
  peer: MemoryTransport | null = null;
  private handlers: TransportHandlers | null = null;
  private inbox: Uint8Array[] = [];
  /** Bytes written by this side that the other side has not yet consumed. */
  private inFlight = 0;
  private needDrain = false;
  private closed = false;
  private closeNotified = false;
  private closeError: SluiceError | undefined;

  constructor(
    readonly remoteAddress: string,
    readonly outgoing: boolean,
    private readonly highWaterMark: number,
    private readonly schedule: Schedule,
  ) {}

  attach(handlers: TransportHandlers): void {
    this.handlers = handlers;
    this.schedule(() => {
      this.flushInbox();
      if (this.closed) this.notifyClose();
    });
  }

  write(data: Uint8Array): boolean {
    const peer = this.peer;
    if (this.closed || !peer || peer.closed) return false;
    this.inFlight += data.length;
    peer.inbox.push(data);
    this.schedule(() => peer.flushInbox());
    if (this.inFlight > this.highWaterMark) {
      this.needDrain = true;
      return false;
    }
    return true;
  }

  close(error?: SluiceError): void {
    if (this.closed) return;
    this.closed = true;
    this.closeError = error;
    const peer = this.peer;
    this.schedule(() => this.notifyClose());
    if (peer && !peer.closed) {
      peer.closed = true;
      // The far side still delivers what was already sent before it sees the close.
      this.schedule(() => {
        peer.flushInbox();
        peer.notifyClose();
      });
    }
  }

  private flushInbox(): void {
    if (!this.handlers || this.closeNotified) return;
    while (this.inbox.length > 0) {
      const chunk = this.inbox.shift()!;
      this.handlers.data(chunk);
      this.peer?.consumed(chunk.length);
      if (this.closeNotified) return;
    }
  }

  private consumed(bytes: number): void {
    this.inFlight -= bytes;
    if (this.needDrain && this.inFlight <= this.highWaterMark && !this.closed) {
      this.needDrain = false;
      this.handlers?.drain();
    }
  }

  private notifyClose(): void {
    // Not attached yet: attach() delivers the close.
    if (this.closeNotified || !this.handlers) return;
    this.closeNotified = true;
    this.handlers.close(this.closeError);
  }
}
