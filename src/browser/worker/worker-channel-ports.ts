import type { DataChannelEvents, DataChannelPort } from '../../core/transport/data-channel-transport.js';
import type { RtcEvent, RtcRequest } from '../rtc/rtc-messages.js';
import { RtcChannelPort } from '../rtc/rtc-channel-port.js';

/** What only the page's peer connection knows, told to the worker once it connects. */
export class ConnectionFacts {
  remoteAddress: string | null = null;
  maxMessageSize = 0;
  private failedHandler: (() => void) | null = null;
  private failed = false;

  onFailed(handler: () => void): void {
    this.failedHandler = handler;
    if (this.failed) handler();
  }

  connectionFailed(): void {
    this.failed = true;
    this.failedHandler?.();
  }
}

/**
 * A data channel transferred to the worker: the engine reads and writes it here, and the page only
 * owns the peer connection under it (closed through `closePeer` once the transport is done).
 */
export function transferredChannelPort(channel: RTCDataChannel, facts: ConnectionFacts, closePeer: () => void): RtcChannelPort {
  return new RtcChannelPort(channel, {
    maxMessageSize: () => facts.maxMessageSize,
    remoteAddress: () => facts.remoteAddress,
    onFailed: (handler) => facts.onFailed(handler),
    close: closePeer,
  });
}

/**
 * A data channel the page keeps (the browser would not transfer it): bytes cross in transferred
 * buffers, and the unsent amount is what this side posted minus what the page reports as sent.
 */
export class RelayedChannelPort implements DataChannelPort {
  private state: RTCDataChannelState;
  private posted = 0;
  private sent = 0;
  private threshold = 0;
  private events: DataChannelEvents | null = null;

  constructor(
    private readonly id: number,
    initialState: RTCDataChannelState,
    private readonly facts: ConnectionFacts,
    private readonly post: (request: RtcRequest, transfer?: Transferable[]) => void,
  ) {
    this.state = initialState;
  }

  /** An event the page relayed for this channel. */
  handle(event: RtcEvent): void {
    const events = this.events;
    switch (event.op) {
      case 'open':
        this.state = 'open';
        events?.open();
        return;
      case 'message':
        events?.message(new Uint8Array(event.data));
        return;
      case 'sent':
        this.sent = Math.max(this.sent, event.bytes);
        if (this.bufferedAmount() <= this.threshold) events?.bufferedAmountLow();
        return;
      case 'error':
        events?.error(event.detail);
        return;
      case 'closed':
        this.state = 'closed';
        events?.closed();
        return;
      default:
    }
  }

  listen(events: DataChannelEvents): void {
    this.events = events;
    this.facts.onFailed(() => events.connectionFailed());
  }

  readyState(): RTCDataChannelState {
    return this.state;
  }

  send(view: Uint8Array): void {
    if (this.state !== 'open') throw new Error(`the data channel is ${this.state}`);
    const copy = view.slice();
    this.posted += copy.length;
    this.post({ op: 'send', id: this.id, data: copy.buffer }, [copy.buffer]);
  }

  bufferedAmount(): number {
    return this.posted - this.sent;
  }

  setBufferedAmountLowThreshold(bytes: number): void {
    this.threshold = bytes;
    this.post({ op: 'threshold', id: this.id, bytes });
  }

  maxMessageSize(): number {
    return this.facts.maxMessageSize;
  }

  remoteAddress(): string | null {
    return this.facts.remoteAddress;
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closing';
    this.post({ op: 'close-channel', id: this.id });
  }

  release(): void {
    this.state = 'closed';
    this.post({ op: 'close', id: this.id });
  }

  afterQueuedEvents(task: () => void): void {
    task();
  }
}
