import type { DataChannel, PeerConnection } from 'node-datachannel';
import type { DataChannelTuning } from '../../../src/core/ports/rtc.js';
import type { SluiceError } from '../../../src/core/errors.js';
import type { Transport, TransportHandlers } from '../../../src/core/ports/transport.js';
import { TransportError } from '../../../src/core/transport/errors.js';
import { TransportInbox } from '../../../src/core/transport/inbox.js';
import { MessagePacker } from '../../../src/core/transport/message-packer.js';


/** How long a closing channel may take to flush before the whole peer connection is torn down. */
const CLOSE_GRACE_MS = 2000;

function formatAddress(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * One node-datachannel data channel (and the peer connection that carries it) as a Transport.
 * The channel is a byte stream: the writes of one turn of the event loop are packed into messages of
 * `messageSize` (the last one shorter), received messages are delivered as they come, and boundaries
 * carry no meaning.
 */
export class DataChannelTransport implements Transport {
  readonly kind = 'webrtc' as const;
  remoteAddress = 'webrtc';
  private readonly inbox = new TransportInbox();
  private closing = false;
  private closed = false;
  private closeError: SluiceError | undefined;
  private needDrain = false;
  private messageSize: number;
  /** Writes not yet handed to the channel: sent together, packed into full messages, by `flush`. */
  private readonly packer = new MessagePacker();
  private flushScheduled = false;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private onOpen: (() => void) | null = null;
  private onEnd: ((error: SluiceError | undefined) => void) | null = null;

  constructor(
    private readonly pc: PeerConnection,
    private readonly channel: DataChannel,
    readonly outgoing: boolean,
    private readonly tuning: DataChannelTuning,
  ) {
    this.messageSize = tuning.messageSize;
    // Register every callback at once: node-datachannel delivers each kind through its own queue, and
    // registering `onMessage` first keeps a message ahead of a close that was queued after it.
    channel.onMessage((msg) => this.receive(msg));
    channel.onBufferedAmountLow(() => this.maybeDrain());
    channel.onError((err) => {
      this.closeError ??= new TransportError('transport/io', `data channel error: ${err}`);
    });
    channel.onClosed(() => this.ended());
    channel.onOpen(() => this.opened());
    channel.setBufferedAmountLowThreshold(tuning.lowWaterMark);
    pc.onStateChange((state) => {
      if (state === 'failed') {
        this.closeError ??= new TransportError('transport/reset', 'the WebRTC connection failed');
        this.ended();
      } else if (state === 'closed') this.ended();
    });
    if (channel.isOpen()) this.opened();
  }

  /** For the connector: called once when the channel opens, or with the reason it never will. */
  watch(onOpen: () => void, onEnd: (error: SluiceError | undefined) => void): void {
    this.onOpen = onOpen;
    this.onEnd = onEnd;
    if (this.channel.isOpen()) this.opened();
  }

  attach(handlers: TransportHandlers): void {
    this.inbox.attach(handlers);
  }

  write(data: Uint8Array): boolean {
    if (this.closing || this.closed) return false;
    // Every message costs the native stack an SCTP chunk, a DTLS record, a datagram and a hop between its
    // threads, and the engine writes a 13-byte header and a 16 KiB block per PIECE (and a 17-byte message per
    // REQUEST). Writes are queued and packed into full messages once the current turn of the event loop is
    // over (setImmediate), so the blocks of several storage reads that complete together share messages.
    if (data.length === 0) return this.packer.queuedBytes + this.channel.bufferedAmount() <= this.tuning.highWaterMark;
    this.packer.push(data);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
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
    this.graceTimer = setTimeout(() => this.ended(), CLOSE_GRACE_MS);
    this.graceTimer.unref();
  }

  /** Hands the queued writes to the channel in messages of `messageSize` (the last one may be shorter). */
  private flush(): void {
    this.flushScheduled = false;
    if (this.packer.empty || this.closed) return;
    try {
      this.packer.drainInto(this.messageSize, (message) => this.channel.sendMessageBinary(message));
    } catch (err) {
      // The native side throws once the channel is closed under us; the close callback follows.
      this.closeError ??= new TransportError('transport/reset', `data channel send failed: ${(err as Error).message}`);
      this.close();
      return;
    }
    this.maybeDrain();
  }


  private opened(): void {
    const pair = this.pc.getSelectedCandidatePair();
    if (pair) this.remoteAddress = formatAddress(pair.remote.address, pair.remote.port);
    const negotiated = this.channel.maxMessageSize();
    if (negotiated > 0) this.messageSize = Math.min(this.tuning.messageSize, negotiated);
    const onOpen = this.onOpen;
    this.onOpen = null;
    this.onEnd = null;
    onOpen?.();
  }

  private receive(msg: string | Buffer | ArrayBuffer): void {
    if (this.inbox.closeTold) return;
    let bytes: Uint8Array;
    if (typeof msg === 'string') bytes = new TextEncoder().encode(msg);
    else if (msg instanceof ArrayBuffer) bytes = new Uint8Array(msg);
    else bytes = new Uint8Array(msg.buffer, msg.byteOffset, msg.length);
    this.inbox.data(bytes);
  }

  private maybeDrain(): void {
    // The low-water callback can be queued from an earlier dip; only a queue that is really short again counts.
    if (!this.needDrain || this.closing || this.closed || this.packer.queuedBytes + this.channel.bufferedAmount() > this.tuning.highWaterMark) return;
    this.needDrain = false;
    this.inbox.drain();
  }

  private ended(): void {
    if (this.closed) return;
    this.closed = true;
    this.packer.clear();
    clearTimeout(this.graceTimer);
    const onEnd = this.onEnd;
    this.onOpen = null;
    this.onEnd = null;
    onEnd?.(this.closeError);
    try {
      this.pc.close();
    } catch {
      // Already closed natively.
    }
    // A message queued just before the close may still sit in its own callback queue: let it land first.
    setImmediate(() => this.inbox.closed(this.closeError));
  }
}
