import { channel as diagnosticsChannel } from 'node:diagnostics_channel';
import type { DataChannel, PeerConnection } from 'node-datachannel';
import type { DataChannelTuning } from '../../../src/core/ports/rtc.js';
import {
  DataChannelTransport,
  type DataChannelEvents,
  type DataChannelPort,
  type DataChannelScheduler,
} from '../../../src/core/transport/data-channel-transport.js';

/**
 * setImmediate, not a microtask: storage reads complete in separate libuv callbacks, and the ones that
 * complete in one poll phase then share messages (docs/webrtc.md). The grace timer never holds the process.
 */
const nodeScheduler: DataChannelScheduler = {
  afterTurn: (task) => void setImmediate(task),
  after: (ms, task) => {
    const timer = setTimeout(task, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/**
 * Every message received on a data channel, as its byte length, for observers outside the engine
 * (bench/lib/rtc-probe.mjs times the first payload with it). Publishing costs nothing without a subscriber.
 */
export const RECEIVED_MESSAGES_CHANNEL = 'sluice:webrtc:received';
const receivedMessages = diagnosticsChannel(RECEIVED_MESSAGES_CHANNEL);

function formatAddress(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** node-datachannel's `DataChannel` and `PeerConnection` as the port the shared transport drives. */
export class NodeDataChannel implements DataChannelPort {
  private events: DataChannelEvents | null = null;

  constructor(
    private readonly pc: PeerConnection,
    private readonly channel: DataChannel,
  ) {}

  listen(events: DataChannelEvents): void {
    this.events = events;
    const channel = this.channel;
    // Register every callback at once: node-datachannel delivers each kind through its own queue, and
    // registering `onMessage` first keeps a message ahead of a close that was queued after it.
    channel.onMessage((msg) => this.receive(msg));
    channel.onBufferedAmountLow(() => events.bufferedAmountLow());
    channel.onError((err) => events.error(String(err)));
    channel.onClosed(() => events.closed());
    channel.onOpen(() => events.open());
    this.pc.onStateChange((state) => {
      if (state === 'failed') events.connectionFailed();
      else if (state === 'closed') events.closed();
    });
  }

  /** One received message. A text message is delivered as its UTF-8 bytes. */
  receive(msg: string | Buffer | ArrayBuffer): void {
    let bytes: Uint8Array;
    if (typeof msg === 'string') bytes = new TextEncoder().encode(msg);
    else if (msg instanceof ArrayBuffer) bytes = new Uint8Array(msg);
    else bytes = new Uint8Array(msg.buffer, msg.byteOffset, msg.length);
    if (receivedMessages.hasSubscribers) receivedMessages.publish(bytes.length);
    this.events?.message(bytes);
  }

  readyState(): 'connecting' | 'open' {
    return this.channel.isOpen() ? 'open' : 'connecting';
  }

  send(message: Uint8Array): void {
    this.channel.sendMessageBinary(message);
  }

  bufferedAmount(): number {
    return this.channel.bufferedAmount();
  }

  setBufferedAmountLowThreshold(bytes: number): void {
    this.channel.setBufferedAmountLowThreshold(bytes);
  }

  maxMessageSize(): number {
    return this.channel.maxMessageSize();
  }

  remoteAddress(): string | null {
    const pair = this.pc.getSelectedCandidatePair();
    return pair ? formatAddress(pair.remote.address, pair.remote.port) : null;
  }

  close(): void {
    this.channel.close();
  }

  release(): void {
    try {
      this.pc.close();
    } catch {
      // Already closed natively.
    }
  }

  afterQueuedEvents(task: () => void): void {
    setImmediate(task);
  }
}

/** One node-datachannel data channel (and the peer connection that carries it) as a Transport. */
export class NodeDataChannelTransport extends DataChannelTransport {
  constructor(pc: PeerConnection, channel: DataChannel, outgoing: boolean, tuning: DataChannelTuning) {
    super(new NodeDataChannel(pc, channel), outgoing, tuning, nodeScheduler);
  }
}
