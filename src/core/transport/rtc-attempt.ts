import type { SluiceError } from '../errors.js';
import { RtcError } from '../ports/rtc.js';
import type { Transport } from '../ports/transport.js';
import { deferred } from '../util/deferred.js';
import type { DataChannelTransport } from './data-channel-transport.js';

/**
 * One connection attempt of an RtcConnector (an offer waiting for its answer, or an answer waiting for
 * its channel). It settles once: with the transport whose data channel opened, or with the reason there
 * is none, and then it leaves its connector's set of attempts. Every failure tears the connection down.
 */
export class RtcAttempt {
  private readonly outcome = deferred<Transport>();
  private stopDeadline: (() => void) | null = null;

  constructor(
    private readonly attempts: Set<RtcAttempt>,
    private readonly side: 'offer' | 'answer',
    private readonly teardown: () => void,
  ) {
    attempts.add(this);
  }

  get connected(): Promise<Transport> {
    return this.outcome.promise;
  }

  get settled(): boolean {
    return this.outcome.settled();
  }

  get failed(): boolean {
    return this.outcome.rejected();
  }

  /** Takes the canceller of the platform's connect timer, run when the attempt settles (at once if it has). */
  setDeadline(stop: () => void): void {
    if (this.settled) stop();
    else this.stopDeadline = stop;
  }

  /** Settles with `transport` when its data channel opens, or fails if the channel ends first. */
  watch(transport: DataChannelTransport): void {
    transport.watch(
      () => {
        this.leave();
        this.outcome.resolve(transport);
      },
      (error) => this.fail(new RtcError('rtc/failed', `the connection closed before its data channel opened${error ? `: ${error.message}` : ''}`)),
    );
  }

  /** Idempotent; nothing once settled. */
  cancel(): void {
    if (!this.settled) this.fail(new RtcError('rtc/cancelled', `the ${this.side} was cancelled`));
  }

  /** ICE reported 'failed'; nothing once settled (an open transport sees its own close). */
  iceFailed(): void {
    if (!this.settled) this.fail(new RtcError('rtc/failed', 'ICE found no working path to the peer'));
  }

  fail(error: SluiceError): void {
    this.leave();
    this.teardown();
    this.outcome.reject(error);
  }

  private leave(): void {
    this.stopDeadline?.();
    this.stopDeadline = null;
    this.attempts.delete(this);
  }
}
