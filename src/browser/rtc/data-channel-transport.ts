import type { SluiceError } from '../../core/errors.js';
import type { DataChannelTuning } from '../../core/ports/rtc.js';
import type { Transport, TransportHandlers } from '../../core/ports/transport.js';
import { TransportError } from '../../core/transport/errors.js';
import { TransportInbox } from '../../core/transport/inbox.js';
import { MessagePacker } from '../../core/transport/message-packer.js';


/** How long a closing channel may take to flush before the whole peer connection is torn down. */
const CLOSE_GRACE_MS = 2000;

/** RFC 9260 §3.3.10.12. */
const SCTP_USER_INITIATED_ABORT = 12;

/**
 * A browser RTCDataChannel (and the RTCPeerConnection that carries it) as a Transport of kind
 * `webrtc`: a byte stream in which message boundaries mean nothing.
 */
export class RtcDataChannelTransport implements Transport {
  readonly kind = 'webrtc' as const;
  private knownAddress: string | null = null;
  private readonly inbox = new TransportInbox();
  private closing = false;
  private closed = false;
  private closeError: SluiceError | undefined;
  private needDrain = false;
  private messageSize: number;
  /** Writes of this task, sent together at its end (see write). */
  private readonly packer = new MessagePacker();
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private onOpen: (() => void) | null = null;
  private onEnd: ((error: SluiceError | undefined) => void) | null = null;

  constructor(
    private readonly pc: RTCPeerConnection,
    private readonly channel: RTCDataChannel,
    readonly outgoing: boolean,
    private readonly tuning: DataChannelTuning,
  ) {
    this.messageSize = tuning.messageSize;
    channel.binaryType = 'arraybuffer';
    channel.bufferedAmountLowThreshold = tuning.lowWaterMark;
    channel.addEventListener('message', (event: MessageEvent<unknown>) => this.receive(event.data));
    channel.addEventListener('bufferedamountlow', () => this.maybeDrain());
    channel.addEventListener('error', (event) => {
      const error = (event as RTCErrorEvent).error as RTCError | undefined;
      // The far side closing its whole peer connection (simple-peer's destroy, libdatachannel's close after
      // the channel's) arrives as an SCTP ABORT with cause 12, "User-Initiated Abort": that is its orderly
      // way to end, not a fault.
      if (error?.errorDetail === 'sctp-failure' && error.sctpCauseCode === SCTP_USER_INITIATED_ABORT) return;
      this.closeError ??= new TransportError('transport/io', `data channel error: ${error?.message ?? 'unknown'}`);
    });
    channel.addEventListener('close', () => this.ended());
    channel.addEventListener('open', () => this.opened());
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState !== 'failed') return;
      this.closeError ??= new TransportError('transport/reset', 'the WebRTC connection failed');
      this.ended();
    });
  }

  /** The selected ICE pair's far end; looked up again while unknown (the pair can be reported after open). */
  get remoteAddress(): string {
    if (this.knownAddress === null && !this.closed && this.channel.readyState === 'open') this.knownAddress = selectedRemoteAddress(this.pc);
    return this.knownAddress ?? 'webrtc';
  }

  /** For the connector: called once when the channel opens, or with the reason it never will. */
  watch(onOpen: () => void, onEnd: (error: SluiceError | undefined) => void): void {
    this.onOpen = onOpen;
    this.onEnd = onEnd;
    if (this.channel.readyState === 'open') this.opened();
    else if (this.channel.readyState === 'closed') this.ended();
  }

  attach(handlers: TransportHandlers): void {
    this.inbox.attach(handlers);
  }

  write(data: Uint8Array): boolean {
    if (this.closing || this.closed) return false;
    // Each message costs an SCTP chunk, a DTLS record, a datagram and (in Chromium) a renderer → network
    // service hop, and the engine writes a 13-byte header then a 16 KiB block per PIECE. Writes made in
    // one task are packed into full messages when it ends (the engine never reuses a written buffer).
    if (this.packer.empty) queueMicrotask(() => this.flush());
    this.packer.push(data);
    if (this.packer.queuedBytes + this.channel.bufferedAmount > this.tuning.highWaterMark) {
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
    // The channel closes after its queued data is sent (the stream reset follows it), so the far side
    // reads every byte, then the close. The peer connection goes once the channel reports closed.
    try {
      this.channel.close();
    } catch {
      this.ended();
      return;
    }
    this.graceTimer = setTimeout(() => this.ended(), CLOSE_GRACE_MS);
  }

  private flush(): void {
    if (this.packer.empty || this.closed) return;
    try {
      this.packer.drainInto(this.messageSize, (message) => this.send(message));
    } catch (err) {
      // send() throws once the channel is no longer open; its close event follows.
      this.closeError ??= new TransportError('transport/reset', `data channel send failed: ${err instanceof Error ? err.message : String(err)}`);
      this.close();
      return;
    }
    this.maybeDrain();
  }


  private send(view: Uint8Array): void {
    // A view of a SharedArrayBuffer cannot be sent; copy it (never the case for the engine's own buffers).
    this.channel.send(view.buffer instanceof ArrayBuffer ? (view as Uint8Array<ArrayBuffer>) : view.slice());
  }

  private opened(): void {
    const negotiated = this.pc.sctp?.maxMessageSize ?? 0;
    if (negotiated > 0) this.messageSize = Math.min(this.tuning.messageSize, negotiated);
    this.knownAddress = selectedRemoteAddress(this.pc);
    const onOpen = this.onOpen;
    this.onOpen = null;
    this.onEnd = null;
    onOpen?.();
  }

  private receive(data: unknown): void {
    if (this.inbox.closeTold) return;
    let bytes: Uint8Array;
    if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (typeof data === 'string') bytes = new TextEncoder().encode(data); // no WebTorrent peer sends text
    else return; // binaryType is 'arraybuffer': no Blob can arrive
    this.inbox.data(bytes);
  }

  private maybeDrain(): void {
    // A low-water event can be queued from an earlier dip; only a queue that is really short again counts.
    if (!this.needDrain || this.closing || this.closed || this.packer.queuedBytes + this.channel.bufferedAmount > this.tuning.highWaterMark) return;
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
    if (this.channel.readyState !== 'closed') this.channel.close();
    this.pc.close();
    this.inbox.closed(this.closeError);
  }
}

/** `host:port` of the far side of the selected ICE pair, where the browser exposes it. */
function selectedRemoteAddress(pc: RTCPeerConnection): string | null {
  const ice = pc.sctp?.transport.iceTransport;
  const pair = typeof ice?.getSelectedCandidatePair === 'function' ? ice.getSelectedCandidatePair() : null;
  const remote = pair?.remote;
  if (!remote?.port) return null;
  let host = remote.address ?? '';
  // A remote candidate learned from the far side's checks before its SDP was applied is peer-reflexive,
  // and Chromium shows its address as 'redacted-ip.invalid' forever after. Its port is kept, and the far
  // side's SDP says which address has it.
  if (host === '' || host.endsWith('.invalid')) host = signalledAddress(pc.remoteDescription?.sdp ?? '', remote.port) ?? '';
  if (host === '') return null;
  return host.includes(':') ? `[${host}]:${remote.port}` : `${host}:${remote.port}`;
}

/** The one address the far side's SDP gives a candidate on `port`, if exactly one. */
function signalledAddress(sdp: string, port: number): string | null {
  const hosts = new Set<string>();
  // a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> …
  for (const m of sdp.matchAll(/^a=candidate:\S+ \d+ \S+ \d+ (\S+) (\d+) typ /gm)) {
    if (Number(m[2]) === port) hosts.add(m[1]!);
  }
  return hosts.size === 1 ? [...hosts][0]! : null;
}
