import type { SluiceError } from '../errors.js';
import type { Transport, TransportHandlers } from '../ports/transport.js';

/** What is remembered for a replay; the BitTorrent handshake and what follows it before the peer answers fit easily. */
const DEFAULT_RECORD_LIMIT = 16 * 1024;

/**
 * An outgoing connection with one second chance: if the peer closes it before sending a single
 * byte, `retry` opens another (the other way: MSE after plaintext, or plaintext after MSE) and what
 * was written so far is written again on it. libtorrent does the same for peers that refuse one
 * way. The owner sees one transport and never learns a retry happened.
 */
export class FallbackTransport implements Transport {
  readonly kind: Transport['kind'];
  readonly remoteAddress: string;
  readonly outgoing: boolean;
  private handlers: TransportHandlers | null = null;
  private current: Transport | null;
  /** Everything written until the first byte arrives; null once it has (or past the limit). */
  private recorded: Uint8Array[] | null = [];
  private recordedBytes = 0;
  private retried = false;
  private generation = 0;
  private needDrain = false;
  private closedLocally = false;
  private closeNotified = false;

  constructor(
    first: Transport,
    private readonly retry: () => Promise<Transport>,
    private readonly recordLimit = DEFAULT_RECORD_LIMIT,
  ) {
    this.current = first;
    this.kind = first.kind;
    this.remoteAddress = first.remoteAddress;
    this.outgoing = first.outgoing;
  }

  /** Whether the second connection is the one in use. */
  get usedFallback(): boolean {
    return this.retried && this.current !== null;
  }

  attach(handlers: TransportHandlers): void {
    const first = this.handlers === null;
    this.handlers = handlers;
    if (first && this.current) this.use(this.current);
  }

  write(data: Uint8Array): boolean {
    if (this.closedLocally || this.closeNotified) return false;
    if (this.recorded) {
      this.recorded.push(data.slice());
      this.recordedBytes += data.length;
    }
    if (!this.current) {
      // Reconnecting: the recording is the queue, and it asks the writer to wait past its limit.
      if (this.recordedBytes > this.recordLimit) this.needDrain = true;
      return !this.needDrain;
    }
    if (this.recorded && this.recordedBytes > this.recordLimit) this.recorded = null;
    return this.current.write(data);
  }

  close(error?: SluiceError): void {
    if (this.closedLocally) return;
    this.closedLocally = true;
    if (this.current) this.current.close(error);
    else void Promise.resolve().then(() => this.notifyClose(error));
  }

  private use(transport: Transport): void {
    const generation = ++this.generation;
    transport.attach({
      data: (chunk) => {
        if (generation !== this.generation || this.closeNotified) return;
        this.recorded = null;
        this.handlers!.data(chunk);
      },
      drain: () => {
        if (generation !== this.generation || this.closeNotified) return;
        this.needDrain = false;
        this.handlers!.drain();
      },
      close: (error) => {
        if (generation !== this.generation) return;
        if (!this.closedLocally && this.recorded && !this.retried) this.fallBack();
        else this.notifyClose(error);
      },
    });
  }

  private fallBack(): void {
    this.retried = true;
    this.current = null;
    this.generation++;
    this.retry().then(
      (next) => {
        if (this.closedLocally || this.closeNotified) {
          next.close();
          return;
        }
        this.current = next;
        this.use(next);
        let writable = true;
        for (const data of this.recorded ?? []) writable = next.write(data);
        if (this.recordedBytes > this.recordLimit) this.recorded = null;
        if (this.needDrain && writable) {
          this.needDrain = false;
          this.handlers!.drain();
        }
      },
      (error: unknown) => this.notifyClose(error as SluiceError | undefined),
    );
  }

  private notifyClose(error: SluiceError | undefined): void {
    if (this.closeNotified) return;
    this.closeNotified = true;
    this.handlers?.close(error);
  }
}
