import type { SluiceError } from '../errors.js';
import type { DataChannelTuning } from '../ports/rtc.js';
import type { Transport, TransportHandlers } from '../ports/transport.js';
import { TransportError } from './errors.js';
import { TransportInbox } from './inbox.js';
import { MessagePacker } from './message-packer.js';

/** How long a closing channel may take to flush before the whole peer connection is torn down. */
const CLOSE_GRACE_MS = 2000;

/** What happens on a data channel, told to the transport that listens to it. */
export interface DataChannelEvents {
  open(): void;
  /** One received message; its bytes need not outlive the call (the inbox keeps what waits for attach). */
  message(bytes: Uint8Array): void;
  /** The channel's unsent bytes fell to the threshold set with `setBufferedAmountLowThreshold`. */
  bufferedAmountLow(): void;
  /** The channel reports closed (or the connection under it did). */
  closed(): void;
  /** A channel error; the close follows. `detail` is one line for the TransportError message. */
  error(detail: string): void;
  /** The connection under the channel failed: the transport ends at once with `transport/reset`. */
  connectionFailed(): void;
}

/**
 * What DataChannelTransport needs of one platform's data channel (node-datachannel's `DataChannel`, the
 * browser's `RTCDataChannel`) and of the peer connection that carries it.
 */
export interface DataChannelPort {
  /** Registers the transport's listener, once, before any event can be delivered. */
  listen(events: DataChannelEvents): void;
  readyState(): 'connecting' | 'open' | 'closing' | 'closed';
  /** Sends one message. Must copy `message` (the packer reuses its buffer); throws once the channel is closed. */
  send(message: Uint8Array): void;
  /** Bytes handed to `send` that the channel has not sent yet. */
  bufferedAmount(): number;
  setBufferedAmountLowThreshold(bytes: number): void;
  /** The largest message the far side accepts, once open; 0 when it is not known. */
  maxMessageSize(): number;
  /** `host:port` of the far end of the selected ICE pair, or null while it is not known. */
  remoteAddress(): string | null;
  /** Closes the channel after the bytes it holds (the far side reads them, then the close); may throw. */
  close(): void;
  /** Tears down what is left (the channel, the peer connection) once the transport has ended. Never throws. */
  release(): void;
  /**
   * Runs `task` once the events the channel has already queued are delivered: at once where events
   * keep their order (the browser); a turn later where each kind has its own queue (node-datachannel),
   * so a message sent just before the close lands first.
   */
  afterQueuedEvents(task: () => void): void;
}

/** The event loop, as the transport needs it. */
export interface DataChannelScheduler {
  /** Runs `task` when the current turn's writes have all been made (Node: setImmediate; the page: a microtask). */
  afterTurn(task: () => void): void;
  /** Runs `task` once after `ms`; the returned function cancels it. Must not keep a process alive. */
  after(ms: number, task: () => void): () => void;
}

/**
 * One WebRTC data channel (and the peer connection that carries it) as a Transport of kind `webrtc`,
 * whatever the platform. The channel is a byte stream: the writes of one turn are packed into messages
 * of `messageSize` (capped by the negotiated maximum; the last one shorter), received messages are
 * delivered as they come, and boundaries carry no meaning.
 */
export class DataChannelTransport implements Transport {
  readonly kind = 'webrtc' as const;
  private readonly inbox = new TransportInbox();
  private knownAddress: string | null = null;
  private isOpen = false;
  private closing = false;
  private closed = false;
  private closeError: SluiceError | undefined;
  private needDrain = false;
  private messageSize: number;
  /** Writes not yet handed to the channel: sent together, packed into full messages, by `flush`. */
  private readonly packer = new MessagePacker();
  private flushScheduled = false;
  private cancelGrace: (() => void) | null = null;
  private onOpen: (() => void) | null = null;
  private onEnd: ((error: SluiceError | undefined) => void) | null = null;

  constructor(
    private readonly channel: DataChannelPort,
    readonly outgoing: boolean,
    private readonly tuning: DataChannelTuning,
    private readonly scheduler: DataChannelScheduler,
  ) {
    this.messageSize = tuning.messageSize;
    channel.setBufferedAmountLowThreshold(tuning.lowWaterMark);
    channel.listen({
      open: () => this.opened(),
      message: (bytes) => {
        if (!this.inbox.closeTold) this.inbox.data(bytes);
      },
      bufferedAmountLow: () => this.maybeDrain(),
      closed: () => this.ended(),
      error: (detail) => {
        this.closeError ??= new TransportError('transport/io', `data channel error: ${detail}`);
      },
      connectionFailed: () => {
        this.closeError ??= new TransportError('transport/reset', 'the WebRTC connection failed');
        this.ended();
      },
    });
    if (channel.readyState() === 'open') this.opened();
  }

  /** The selected ICE pair's far end; looked up again while unknown (the pair can be reported after open). */
  get remoteAddress(): string {
    if (this.knownAddress === null && this.isOpen && !this.closed) this.knownAddress = this.channel.remoteAddress();
    return this.knownAddress ?? 'webrtc';
  }

  /** For the connector: called once when the channel opens, or with the reason it never will. */
  watch(onOpen: () => void, onEnd: (error: SluiceError | undefined) => void): void {
    this.onOpen = onOpen;
    this.onEnd = onEnd;
    const state = this.channel.readyState();
    if (state === 'open') this.opened();
    else if (state === 'closed') this.ended();
  }

  attach(handlers: TransportHandlers): void {
    this.inbox.attach(handlers);
  }

  write(data: Uint8Array): boolean {
    if (this.closing || this.closed) return false;
    // Every message costs an SCTP chunk, a DTLS record, a datagram and hops between threads (or, in
    // Chromium, processes), and the engine writes a 13-byte header then a 16 KiB block per PIECE and 17
    // bytes per REQUEST. Writes are queued and packed into full messages once the turn is over, so the
    // blocks of several storage reads that complete together share messages.
    if (data.length > 0) {
      this.packer.push(data);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        this.scheduler.afterTurn(() => this.flush());
      }
    }
    if (this.packer.queuedBytes + this.channel.bufferedAmount() > this.tuning.highWaterMark) {
      this.needDrain = true;
      return false;
    }
    return true;
  }

  close(error?: SluiceError): void {
    if (this.closing || this.closed) return;
    this.flush();
    if (this.closing || this.closed) return;
    this.closing = true;
    this.closeError ??= error;
    // Closing the channel resets its SCTP stream after what is queued, so the far side reads every byte
    // and then sees the close. The peer connection goes once the channel reports closed (or after a grace).
    try {
      this.channel.close();
    } catch {
      this.ended();
      return;
    }
    this.cancelGrace = this.scheduler.after(CLOSE_GRACE_MS, () => this.ended());
  }

  /** Hands the queued writes to the channel in messages of `messageSize` (the last one may be shorter). */
  private flush(): void {
    this.flushScheduled = false;
    if (this.packer.empty || this.closed) return;
    try {
      this.packer.drainInto(this.messageSize, (message) => this.channel.send(message));
    } catch (err) {
      // A send throws once the channel is closed under us; its close event follows.
      this.closeError ??= new TransportError('transport/reset', `data channel send failed: ${err instanceof Error ? err.message : String(err)}`);
      this.close();
      return;
    }
    this.maybeDrain();
  }

  private opened(): void {
    this.isOpen = true;
    const negotiated = this.channel.maxMessageSize();
    if (negotiated > 0) this.messageSize = Math.min(this.tuning.messageSize, negotiated);
    this.knownAddress = this.channel.remoteAddress() ?? this.knownAddress;
    const onOpen = this.onOpen;
    this.onOpen = null;
    this.onEnd = null;
    onOpen?.();
  }

  private maybeDrain(): void {
    // A low-water event can be queued from an earlier dip; only a queue that is really short again counts.
    if (!this.needDrain || this.closing || this.closed || this.packer.queuedBytes + this.channel.bufferedAmount() > this.tuning.highWaterMark) return;
    this.needDrain = false;
    this.inbox.drain();
  }

  private ended(): void {
    if (this.closed) return;
    this.closed = true;
    this.packer.clear();
    this.cancelGrace?.();
    this.cancelGrace = null;
    const onEnd = this.onEnd;
    this.onOpen = null;
    this.onEnd = null;
    onEnd?.(this.closeError);
    this.channel.release();
    this.channel.afterQueuedEvents(() => this.inbox.closed(this.closeError));
  }
}
