import type { DataChannelTuning } from '../../core/ports/rtc.js';
import {
  DataChannelTransport,
  type DataChannelEvents,
  type DataChannelPort,
  type DataChannelScheduler,
} from '../../core/transport/data-channel-transport.js';

/** RFC 9260 §3.3.10.12. */
const SCTP_USER_INITIATED_ABORT = 12;

/** Writes made in one task are packed into full messages when it ends (the engine never reuses a written buffer). */
const pageScheduler: DataChannelScheduler = {
  afterTurn: (task) => queueMicrotask(task),
  after: (ms, task) => {
    const timer = setTimeout(task, ms);
    return () => clearTimeout(timer);
  },
};

/** The page's RTCDataChannel and RTCPeerConnection as the port the shared transport drives. */
class PageDataChannel implements DataChannelPort {
  constructor(
    private readonly pc: RTCPeerConnection,
    private readonly channel: RTCDataChannel,
  ) {
    channel.binaryType = 'arraybuffer';
  }

  listen(events: DataChannelEvents): void {
    const { channel, pc } = this;
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
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed') events.connectionFailed();
    });
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
    return this.pc.sctp?.maxMessageSize ?? 0;
  }

  remoteAddress(): string | null {
    return selectedRemoteAddress(this.pc);
  }

  close(): void {
    this.channel.close();
  }

  release(): void {
    if (this.channel.readyState !== 'closed') this.channel.close();
    this.pc.close();
  }

  /** Page events keep their order: a message sent before the close has been delivered already. */
  afterQueuedEvents(task: () => void): void {
    task();
  }
}

/**
 * A browser RTCDataChannel (and the RTCPeerConnection that carries it) as a Transport of kind
 * `webrtc`: a byte stream in which message boundaries mean nothing.
 */
export class RtcDataChannelTransport extends DataChannelTransport {
  constructor(pc: RTCPeerConnection, channel: RTCDataChannel, outgoing: boolean, tuning: DataChannelTuning) {
    super(new PageDataChannel(pc, channel), outgoing, tuning, pageScheduler);
  }
}

/** `host:port` of the far side of the selected ICE pair, where the browser exposes it. */
export function selectedRemoteAddress(pc: RTCPeerConnection): string | null {
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
