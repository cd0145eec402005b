import type { SluiceError } from '../errors.js';
import type { Transport, TransportHandlers } from '../ports/transport.js';
import { TransportInbox } from '../transport/inbox.js';
import { MessagePacker } from '../transport/message-packer.js';
import { MAX_DATA_PAYLOAD } from './frames.js';

/** What a channel needs of the mux that owns it. */
export interface ChannelOwner {
  /** Sends the channel's bytes as data frames (each frame a copy). */
  sendData(channel: number, message: Uint8Array): void;
  /** Tells the far side the channel ended, and forgets it. */
  closeChannel(channel: number, reason: string | null): void;
  /** Bytes the socket has not sent yet (shared by every channel). */
  bufferedAmount(): number;
  /** Runs `task` once the current turn's writes are made. */
  afterTurn(task: () => void): void;
  /** This channel wants a drain: the owner watches the socket's buffer until it is low again. */
  wantDrain(): void;
  readonly highWaterMark: number;
}

/**
 * One torrent's peer wire over the bridge WebSocket, as a Transport of kind `websocket`: the Session
 * attaches it like any peer. Writes of one turn go out packed into data frames; back-pressure is the
 * socket's unsent bytes, shared by every channel.
 */
export class BridgeChannelTransport implements Transport {
  readonly kind = 'websocket' as const;
  private readonly inbox = new TransportInbox((chunk) => chunk.slice());
  private readonly packer = new MessagePacker();
  private flushScheduled = false;
  private needDrain = false;
  private closed = false;

  constructor(
    readonly channel: number,
    readonly remoteAddress: string,
    readonly outgoing: boolean,
    private readonly owner: ChannelOwner,
  ) {}

  attach(handlers: TransportHandlers): void {
    this.inbox.attach(handlers);
  }

  write(data: Uint8Array): boolean {
    if (this.closed) return false;
    if (data.length > 0) {
      this.packer.push(data);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        this.owner.afterTurn(() => this.flush());
      }
    }
    if (this.queued() > this.owner.highWaterMark) {
      this.needDrain = true;
      this.owner.wantDrain();
      return false;
    }
    return true;
  }

  close(error?: SluiceError): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.owner.closeChannel(this.channel, error ? error.message : null);
    // Told a turn later, as a socket would: the engine never sees its own close re-entrantly.
    this.owner.afterTurn(() => this.inbox.closed(error));
  }

  /** The mux: a data frame for this channel (a view valid during the call). */
  received(payload: Uint8Array): void {
    if (!this.closed) this.inbox.data(payload);
  }

  /** The mux: the far side closed the channel, or the socket went (then `error` says so). */
  ended(error?: SluiceError): void {
    if (this.closed) return;
    this.closed = true;
    this.packer.clear();
    this.inbox.closed(error);
  }

  /** The mux: the socket's buffer is low again; true while this channel still waits. */
  socketDrained(): boolean {
    if (!this.needDrain || this.closed) return false;
    if (this.queued() > this.owner.highWaterMark) return true;
    this.needDrain = false;
    this.inbox.drain();
    return false;
  }

  private queued(): number {
    return this.packer.queuedBytes + this.owner.bufferedAmount();
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.closed || this.packer.empty) return;
    this.packer.drainInto(MAX_DATA_PAYLOAD, (message) => this.owner.sendData(this.channel, message));
  }
}
