import type { DataChannelEvents, DataChannelPort, DataChannelScheduler } from '../../core/transport/data-channel-transport.js';

/** RFC 9260 §3.3.10.12: the far side closing its peer connection, its orderly way to end. */
const SCTP_USER_INITIATED_ABORT = 12;

/** Writes made in one task are packed into full messages when it ends (the engine never reuses a written buffer). */
export const browserScheduler: DataChannelScheduler = {
  afterTurn: (task) => queueMicrotask(task),
  after: (ms, task) => {
    const timer = setTimeout(task, ms);
    return () => clearTimeout(timer);
  },
};

/**
 * What the channel's port needs from the peer connection under it. On the page that is the
 * RTCPeerConnection itself; in the worker, the facts the page reports about it.
 */
export interface ChannelConnection {
  maxMessageSize(): number;
  remoteAddress(): string | null;
  onFailed(handler: () => void): void;
  /** Closes the peer connection, once the transport is done with the channel. */
  close(): void;
}

/**
 * A browser RTCDataChannel, on the page or transferred to the worker, as the port the shared
 * DataChannelTransport drives.
 */
export class RtcChannelPort implements DataChannelPort {
  constructor(
    private readonly channel: RTCDataChannel,
    private readonly connection: ChannelConnection,
  ) {
    channel.binaryType = 'arraybuffer';
  }

  listen(events: DataChannelEvents): void {
    const channel = this.channel;
    channel.addEventListener('message', (event: MessageEvent<unknown>) => {
      const data = event.data;
      if (data instanceof ArrayBuffer) events.message(new Uint8Array(data));
      else if (typeof data === 'string') events.message(new TextEncoder().encode(data)); // no WebTorrent peer sends text
      // binaryType is 'arraybuffer': no Blob can arrive
    });
    channel.addEventListener('bufferedamountlow', () => events.bufferedAmountLow());
    channel.addEventListener('error', (event) => {
      const error = (event as RTCErrorEvent).error as RTCError | undefined;
      // The far side closing its whole peer connection (simple-peer's destroy, libdatachannel's close after
      // the channel's) arrives as an SCTP ABORT with cause 12, "User-Initiated Abort": that is its orderly
      // way to end, not a fault.
      if (error?.errorDetail === 'sctp-failure' && error.sctpCauseCode === SCTP_USER_INITIATED_ABORT) return;
      events.error(error?.message ?? 'unknown');
    });
    channel.addEventListener('close', () => events.closed());
    channel.addEventListener('open', () => events.open());
    this.connection.onFailed(() => events.connectionFailed());
  }

  readyState(): RTCDataChannelState {
    return this.channel.readyState;
  }

  send(view: Uint8Array): void {
    // A view of a SharedArrayBuffer cannot be sent; copy it (never the case for the engine's own buffers).
    this.channel.send(view.buffer instanceof ArrayBuffer ? (view as Uint8Array<ArrayBuffer>) : view.slice());
  }

  bufferedAmount(): number {
    return this.channel.bufferedAmount;
  }

  setBufferedAmountLowThreshold(bytes: number): void {
    this.channel.bufferedAmountLowThreshold = bytes;
  }

  maxMessageSize(): number {
    return this.connection.maxMessageSize();
  }

  remoteAddress(): string | null {
    return this.connection.remoteAddress();
  }

  close(): void {
    this.channel.close();
  }

  release(): void {
    if (this.channel.readyState !== 'closed') this.channel.close();
    this.connection.close();
  }

  /** Browser events keep their order: a message sent before the close has been delivered already. */
  afterQueuedEvents(task: () => void): void {
    task();
  }
}
