import { TransportError } from '../transport/errors.js';
import type { SluiceError } from '../errors.js';
import { BridgeChannelTransport, type ChannelOwner } from './channel-transport.js';
import type { ControlMessage } from './control.js';
import { BridgeError } from './errors.js';
import { decodeFrame, encodeControl, encodeData } from './frames.js';

/** The bridge's WebSocket, as the mux needs it (the browser's WebSocket and the `ws` package both fit). */
export interface BridgeSocket {
  /** Sends one binary message; the socket must not need `frame` after the call (frames are fresh copies). */
  send(frame: Uint8Array): void;
  /** Bytes handed to `send` and not yet sent. */
  bufferedAmount(): number;
}

export interface BridgeScheduler {
  /** Runs `task` when the current turn's writes have all been made. */
  afterTurn(task: () => void): void;
  /** Runs `task` once after `ms`; returns its cancel function. */
  after(ms: number, task: () => void): () => void;
}

export interface BridgeMuxOptions {
  readonly socket: BridgeSocket;
  readonly scheduler: BridgeScheduler;
  /** Every control message but `close` (which the mux handles itself). */
  readonly onControl: (message: ControlMessage) => void;
  /** Socket bytes queued past which channel writes push back (default 4 MiB). */
  readonly highWaterMark?: number;
  /** How often the socket's buffer is looked at while a channel waits for drain (default 10 ms). */
  readonly drainPollMs?: number;
}

/**
 * The multiplexer over one bridge WebSocket: control messages in both directions, and a
 * BridgeChannelTransport per torrent channel. The shell feeds it received frames and tells it when the
 * socket ends; a frame it cannot parse throws a BridgeError, and the shell drops the connection.
 */
export class BridgeMux {
  private readonly channels = new Map<number, BridgeChannelTransport>();
  private readonly owner: ChannelOwner;
  private drainPoll: (() => void) | null = null;
  private ended = false;
  /** Data frames for channels that are gone (already closed here, or never opened): dropped. */
  strayFrames = 0;

  constructor(private readonly options: BridgeMuxOptions) {
    const socket = options.socket;
    this.owner = {
      highWaterMark: options.highWaterMark ?? 4 * 1024 * 1024,
      sendData: (channel, message) => {
        if (!this.ended) socket.send(encodeData(channel, message));
      },
      closeChannel: (channel, reason) => {
        this.channels.delete(channel);
        if (!this.ended) this.sendControl({ type: 'close', channel, reason });
      },
      bufferedAmount: () => socket.bufferedAmount(),
      afterTurn: (task) => options.scheduler.afterTurn(task),
      wantDrain: () => this.watchDrain(),
    };
  }

  /** A transport for `channel`; its bytes may already be on their way (they wait for attach). */
  openChannel(channel: number, remoteAddress: string, outgoing: boolean): BridgeChannelTransport {
    if (this.channels.has(channel)) throw new BridgeError('bridge/protocol', `bridge channel ${channel} is already open`);
    const transport = new BridgeChannelTransport(channel, remoteAddress, outgoing, this.owner);
    if (this.ended) transport.ended(new TransportError('transport/closed', 'the bridge is closed'));
    else this.channels.set(channel, transport);
    return transport;
  }

  channel(channel: number): BridgeChannelTransport | undefined {
    return this.channels.get(channel);
  }

  get openChannels(): number {
    return this.channels.size;
  }

  sendControl(message: ControlMessage): void {
    if (!this.ended) this.options.socket.send(encodeControl(message));
  }

  /** One received WebSocket message. Throws BridgeError for a frame that breaks the protocol. */
  receive(frame: Uint8Array): void {
    if (this.ended) return;
    const decoded = decodeFrame(frame);
    if (decoded.kind === 'data') {
      const transport = this.channels.get(decoded.channel);
      if (transport) transport.received(decoded.payload);
      else this.strayFrames++;
      return;
    }
    const message = decoded.message;
    if (message.type === 'close') {
      const transport = this.channels.get(message.channel);
      this.channels.delete(message.channel);
      transport?.ended(message.reason === null ? undefined : new TransportError('transport/closed', `the bridge peer closed: ${message.reason}`));
      return;
    }
    this.options.onControl(message);
  }

  /** The socket is gone: every channel ends with `error` (a reset, unless the shell says otherwise). */
  end(error?: SluiceError): void {
    if (this.ended) return;
    this.ended = true;
    this.drainPoll?.();
    this.drainPoll = null;
    const why = error ?? new TransportError('transport/reset', 'the bridge connection closed');
    const open = [...this.channels.values()];
    this.channels.clear();
    for (const t of open) t.ended(why);
  }

  /** The shell may call this when the socket reports its buffer written (Node's send callback). */
  socketDrained(): void {
    if (this.checkDrain()) return;
    this.drainPoll?.();
    this.drainPoll = null;
  }

  /** Gives a drain to every channel that waited and may write again; true while some still wait. */
  private checkDrain(): boolean {
    let waiting = false;
    for (const t of [...this.channels.values()]) waiting = t.socketDrained() || waiting;
    return waiting;
  }

  /** The browser's WebSocket has no "buffer low" event: look again every few ms while a channel waits. */
  private watchDrain(): void {
    if (this.drainPoll || this.ended) return;
    const every = this.options.drainPollMs ?? 10;
    const tick = () => {
      this.drainPoll = null;
      if (!this.ended && this.checkDrain()) this.drainPoll = this.options.scheduler.after(every, tick);
    };
    this.drainPoll = this.options.scheduler.after(every, tick);
  }
}
