import type { SluiceError } from '../errors.js';
import { isSluiceError } from '../errors.js';
import type { Transport, TransportHandlers } from '../ports/transport.js';
import { concatBytes } from '../util/bytes.js';
import { MseError } from './errors.js';
import {
  MAX_INITIAL_PAYLOAD,
  MseInitiator,
  MseResponder,
  type CryptoMethod,
  type MseHandshake,
  type MseInitiatorOptions,
  type MseResponderOptions,
  type MseResult,
} from './handshake.js';

/** What may be queued while the handshake runs before `write` asks the caller to wait. */
const DEFAULT_HIGH_WATER_MARK = 256 * 1024;

/**
 * A Transport that runs the MSE handshake on an inner transport, then RC4-encrypts what is written
 * and decrypts what is read (or passes both through when plaintext was selected). The engine's
 * PeerConnection sees an ordinary byte stream.
 *
 * - The inner transport is attached when this one is, so nothing is read before a reader exists
 *   (back-pressure holds during the handshake as after it).
 * - Writes made during the handshake are queued; an initiator sends the first of them (up to
 *   65 535 bytes: our BitTorrent handshake) as the IA inside step 3, saving a round trip.
 * - An orderly `close()` while writes wait for the handshake closes once they are flushed; a
 *   `close(error)` closes at once. A failed handshake closes with its MseError.
 */
export class EncryptedTransport implements Transport {
  readonly kind: Transport['kind'];
  readonly remoteAddress: string;
  readonly outgoing: boolean;
  private handlers: TransportHandlers | null = null;
  private result: MseResult | null = null;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private needDrain = false;
  private closing = false;
  private closedLocally = false;
  private closed = false;
  private closeNotified = false;

  private constructor(
    private readonly inner: Transport,
    private readonly machine: MseHandshake,
    private readonly replay: readonly Uint8Array[],
    private readonly highWaterMark: number,
  ) {
    this.kind = inner.kind;
    this.remoteAddress = inner.remoteAddress;
    this.outgoing = inner.outgoing;
  }

  /** We dialled: run the initiator over `inner`. */
  static initiate(inner: Transport, options: Omit<MseInitiatorOptions, 'initialPayload'>, highWaterMark = DEFAULT_HIGH_WATER_MARK): EncryptedTransport {
    let self: EncryptedTransport | null = null;
    const machine = new MseInitiator({ ...options, initialPayload: () => self?.takeInitialPayload() ?? new Uint8Array(0) });
    self = new EncryptedTransport(inner, machine, [], highWaterMark);
    return self;
  }

  /** The peer dialled us: `replay` holds what was already read from `inner` (the session sniffed it). */
  static respond(inner: Transport, replay: readonly Uint8Array[], options: MseResponderOptions, highWaterMark = DEFAULT_HIGH_WATER_MARK): EncryptedTransport {
    return new EncryptedTransport(inner, new MseResponder(options), replay, highWaterMark);
  }

  /** Set once the handshake is done. */
  get method(): CryptoMethod | null {
    return this.result?.method ?? null;
  }

  /** SKEY, once the handshake is done: the info hash the peer proved it knows. */
  get infoHash(): Uint8Array | null {
    return this.result?.infoHash ?? null;
  }

  attach(handlers: TransportHandlers): void {
    // Attaching again (the session hands a sniffed connection to a torrent) only changes who hears.
    const first = this.handlers === null;
    this.handlers = handlers;
    if (!first) return;
    this.inner.attach({
      data: (chunk) => this.onData(chunk),
      drain: () => this.onDrain(),
      close: (error) => this.onClose(error),
    });
    if (this.closed) return;
    for (const bytes of this.machine.start()) this.inner.write(bytes);
    for (const chunk of this.replay) this.onData(chunk);
  }

  write(data: Uint8Array): boolean {
    if (this.closed || this.closing) return false;
    if (this.result) {
      const out = this.result.encrypt ? this.result.encrypt.process(data) : data;
      return this.inner.write(out);
    }
    this.pending.push(data);
    this.pendingBytes += data.length;
    if (this.pendingBytes > this.highWaterMark) {
      this.needDrain = true;
      return false;
    }
    return true;
  }

  close(error?: SluiceError): void {
    if (this.closed) return;
    this.closedLocally = true;
    if (!error && !this.result && this.pendingBytes > 0 && this.handlers) {
      // Orderly close: the queued bytes go out once the handshake completes.
      this.closing = true;
      return;
    }
    this.closed = true;
    this.inner.close(error);
  }

  private takeInitialPayload(): Uint8Array {
    const taken: Uint8Array[] = [];
    let room = MAX_INITIAL_PAYLOAD;
    while (this.pending.length > 0 && room > 0) {
      const first = this.pending[0]!;
      if (first.length <= room) {
        taken.push(first);
        this.pending.shift();
        room -= first.length;
      } else {
        taken.push(first.subarray(0, room));
        this.pending[0] = first.subarray(room);
        room = 0;
      }
    }
    const ia = concatBytes(taken);
    this.pendingBytes -= ia.length;
    return ia;
  }

  private onData(chunk: Uint8Array): void {
    if (this.closeNotified || this.closed) return;
    if (this.result) {
      this.handlers!.data(this.result.decrypt ? this.result.decrypt.process(chunk) : chunk);
      return;
    }
    let step;
    try {
      step = this.machine.receive(chunk);
    } catch (e) {
      this.fail(e);
      return;
    }
    for (const bytes of step.send) this.inner.write(bytes);
    if (!step.done) return;
    this.result = step.done;
    let writable = true;
    for (const data of this.pending.splice(0)) writable = this.inner.write(step.done.encrypt ? step.done.encrypt.process(data) : data);
    this.pendingBytes = 0;
    if (this.closing) {
      this.closed = true;
      this.inner.close();
      return;
    }
    if (step.done.received.length > 0) this.handlers!.data(step.done.received);
    if (this.needDrain && writable && !this.closed && !this.closeNotified) {
      this.needDrain = false;
      this.handlers!.drain();
    }
  }

  private onDrain(): void {
    if (this.closeNotified || !this.result) return;
    this.needDrain = false;
    this.handlers!.drain();
  }

  private onClose(error: SluiceError | undefined): void {
    if (this.closeNotified) return;
    this.closeNotified = true;
    this.closed = true;
    const cutShort = !this.result && !error && !this.closedLocally;
    this.handlers!.close(cutShort ? new MseError('mse/closed', 'the peer closed the connection during the encryption handshake') : error);
  }

  private fail(e: unknown): void {
    const error = isSluiceError(e) ? e : new MseError('mse/closed', 'the encryption handshake failed');
    this.closed = true;
    this.inner.close(error);
  }
}
