import type { SluiceError } from '../errors.js';
import type { TransportHandlers } from '../ports/transport.js';

/**
 * The receiving half every Transport implementation shares: data that arrives before anyone has
 * attached waits (and is replayed on attach); the close is told exactly once, after attach and after
 * the last data, and nothing is delivered after it.
 */
export class TransportInbox {
  private handlers: TransportHandlers | null = null;
  private pending: Uint8Array[] = [];
  private ending: { readonly error: SluiceError | undefined } | null = null;
  private told = false;

  /** `keep` makes a chunk safe to hold until attach (a copy, where the transport reuses its read buffer). */
  constructor(private readonly keep: (chunk: Uint8Array) => Uint8Array = (chunk) => chunk) {}

  /** Whether the owner has been told of the close: nothing more reaches it. */
  get closeTold(): boolean {
    return this.told;
  }

  attach(handlers: TransportHandlers): void {
    this.handlers = handlers;
    const pending = this.pending;
    this.pending = [];
    for (const chunk of pending) handlers.data(chunk);
    this.tellClose();
  }

  data(chunk: Uint8Array): void {
    if (this.told) return;
    if (this.handlers) this.handlers.data(chunk);
    else this.pending.push(this.keep(chunk));
  }

  drain(): void {
    if (!this.told) this.handlers?.drain();
  }

  /** The transport has closed (`error` absent for an orderly close): tell the owner now, or on attach. */
  closed(error: SluiceError | undefined): void {
    this.ending ??= { error };
    this.tellClose();
  }

  private tellClose(): void {
    if (this.told || !this.handlers || !this.ending) return;
    this.told = true;
    this.handlers.close(this.ending.error);
  }
}
