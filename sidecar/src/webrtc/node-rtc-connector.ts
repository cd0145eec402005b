import { cleanup, PeerConnection, type RtcConfig } from 'node-datachannel';
import {
  checkRemoteSdp,
  RtcError,
  type AcceptedOffer,
  type PendingOffer,
  type RtcConnector,
} from '../../../src/core/ports/rtc.js';
import type { Transport } from '../../../src/core/ports/transport.js';
import { RtcAttempt } from '../../../src/core/transport/rtc-attempt.js';
import { rtcConnectorSettings, type RtcConnectorOptions, type RtcConnectorSettings } from '../../../src/core/transport/rtc-connector-options.js';
import { NodeDataChannelTransport } from './datachannel-transport.js';
import { defaultIceBindAddress } from './ice-bind-address.js';
import { toNativeIceServers } from './ice-servers.js';
import { answerAsDtlsServer, countCandidates } from './sdp.js';

export interface NodeRtcOptions extends RtcConnectorOptions {
  /**
   * Local address to gather host candidates on. Default: chosen for each connection by
   * `defaultIceBindAddress` (every interface while one has a routable address, else a self-assigned
   * IPv4 address, else loopback: unbound, libjuice gathers nothing from those).
   */
  readonly bindAddress?: string;
  /** UDP ports for ICE, e.g. to open them in a firewall. Default: any. */
  readonly portRange?: { readonly begin: number; readonly end: number };
  /** All connections share one UDP port (libjuice's mux); pair with a one-port `portRange`. */
  readonly enableIceUdpMux?: boolean;
  /**
   * IP MTU that libdatachannel sizes its SCTP packets and DTLS records for (it does no path-MTU discovery,
   * so a packet larger than the path is lost for good). Default: LOOPBACK_MTU when ICE is bound to a
   * loopback address (every candidate, so every path, is then loopback), libdatachannel's 1280 otherwise.
   */
  readonly mtu?: number;
}

/**
 * MTU when bound to loopback. Per packet the native stack pays an SCTP chunk, a DTLS record, a datagram
 * and hops between its threads, so bigger packets cut CPU per byte: raw channel, 64 KiB messages, 1280 ->
 * 2048 took 13.1/13.0 and 9.5/8.7 CPU s/GiB (sender/receiver) to 9.6/9.2 and 6.9/6.4 (docs/webrtc.md).
 * 2048 because a browser on the same host is a peer too: Chromium drops DTLS datagrams over 2048 bytes, and
 * 4096 (libjuice's receive buffer; anything larger stalls even Node peers) broke every Chromium transfer.
 * Only ever on loopback: libdatachannel does no path-MTU discovery, so on a real path a packet that does not
 * fit is lost for good.
 */
export const LOOPBACK_MTU = 2048;

/** libdatachannel's own default (RTC_DEFAULT_MTU), used when we set none. */
export const DEFAULT_NATIVE_MTU = 1280;

/** Whether `address` is an IPv4 loopback address (127/8) or ::1. */
export function isLoopbackAddress(address: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address) || address === '::1' || address === '[::1]';
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.replace(/^libdatachannel error while /, '');
}

let connectionCount = 0;

/**
 * WebRTC through node-datachannel's native API (libdatachannel), with non-trickle signalling: every
 * SDP leaves with its candidates, taken once ICE gathering reports 'complete'.
 */
export class NodeRtcConnector implements RtcConnector {
  /** Everything but the bind address and the MTU, which follow the interfaces of the moment. */
  private readonly config: RtcConfig;
  private readonly options: NodeRtcOptions;
  private readonly settings: RtcConnectorSettings;
  private readonly attempts = new Set<RtcAttempt>();

  constructor(options: NodeRtcOptions = {}) {
    this.options = options;
    this.settings = rtcConnectorSettings(options);
    this.config = {
      iceServers: toNativeIceServers(this.settings.iceServers),
      ...(options.portRange && { portRangeBegin: options.portRange.begin, portRangeEnd: options.portRange.end }),
      ...(options.enableIceUdpMux && { enableIceUdpMux: true }),
    };
    const mtu = options.mtu;
    if (mtu !== undefined && (!Number.isInteger(mtu) || mtu < 576 || mtu > LOOPBACK_MTU)) {
      throw new RtcError('rtc/bad-config', `mtu must be a whole number from 576 to ${LOOPBACK_MTU}, got ${mtu}`);
    }
  }

  /** The MTU a connection made now uses (for benches and logs). */
  get mtu(): number {
    return this.connectionConfig().mtu ?? DEFAULT_NATIVE_MTU;
  }

  /**
   * Chosen again for each connection, so a machine that was offline when the session started (bound to
   * loopback) gathers its real interfaces once it has them.
   */
  private connectionConfig(): RtcConfig {
    const bindAddress = this.options.bindAddress ?? defaultIceBindAddress();
    const mtu = this.options.mtu ?? (bindAddress !== undefined && isLoopbackAddress(bindAddress) ? LOOPBACK_MTU : undefined);
    return { ...this.config, ...(bindAddress !== undefined && { bindAddress }), ...(mtu !== undefined && { mtu }) };
  }

  async createOffer(): Promise<PendingOffer> {
    const pc = this.newPeerConnection();
    const attempt = new RtcAttempt(this.attempts, 'offer', () => closeQuietly(pc));
    const { gathered } = this.watchIce(pc, () => attempt.iceFailed());
    let answered = false;

    let transport: NodeDataChannelTransport;
    try {
      transport = new NodeDataChannelTransport(pc, pc.createDataChannel(this.settings.channelLabel), true, this.settings.tuning);
    } catch (err) {
      const error = new RtcError('rtc/failed', `cannot open a data channel: ${firstLine(err)}`);
      attempt.fail(error);
      throw error;
    }
    attempt.watch(transport);
    const sdp = await this.localSdp(pc, gathered, () => attempt.failed);
    if (sdp instanceof RtcError) {
      attempt.fail(sdp);
      throw sdp;
    }

    return {
      sdp,
      complete: (answerSdp: string): Promise<Transport> => {
        if (attempt.settled) return attempt.connected;
        if (answered) return Promise.reject(new RtcError('rtc/failed', 'this offer already has an answer'));
        answered = true;
        try {
          pc.setRemoteDescription(checkRemoteSdp(answerSdp, 'answer'), 'answer');
        } catch (err) {
          attempt.fail(err instanceof RtcError ? err : new RtcError('rtc/bad-sdp', `the answer was refused: ${firstLine(err)}`));
          return attempt.connected;
        }
        this.startDeadline(attempt, `no data channel ${this.settings.connectTimeoutMs} ms after the answer`);
        return attempt.connected;
      },
      cancel: () => attempt.cancel(),
    };
  }

  async acceptOffer(offerSdp: string): Promise<AcceptedOffer> {
    checkRemoteSdp(offerSdp, 'offer');
    const pc = this.newPeerConnection();
    const attempt = new RtcAttempt(this.attempts, 'answer', () => closeQuietly(pc));
    const { gathered } = this.watchIce(pc, () => attempt.iceFailed());
    this.startDeadline(attempt, `no data channel ${this.settings.connectTimeoutMs} ms after the offer`);

    let transport: NodeDataChannelTransport | null = null;
    pc.onDataChannel((channel) => {
      // WebTorrent opens exactly one channel; anything more is not ours to carry.
      if (transport || attempt.settled) {
        channel.close();
        return;
      }
      transport = new NodeDataChannelTransport(pc, channel, false, this.settings.tuning);
      attempt.watch(transport);
    });
    try {
      pc.setRemoteDescription(answerAsDtlsServer(offerSdp), 'offer');
    } catch (err) {
      const error = new RtcError('rtc/bad-sdp', `the offer was refused: ${firstLine(err)}`);
      attempt.fail(error);
      throw error;
    }
    const sdp = await this.localSdp(pc, gathered, () => attempt.failed);
    if (sdp instanceof RtcError) {
      attempt.fail(sdp);
      throw sdp;
    }
    return { answerSdp: sdp, connected: attempt.connected, cancel: () => attempt.cancel() };
  }

  close(): void {
    for (const attempt of [...this.attempts]) attempt.cancel();
  }

  private startDeadline(attempt: RtcAttempt, message: string): void {
    const timer = setTimeout(() => attempt.fail(new RtcError('rtc/timeout', message)), this.settings.connectTimeoutMs);
    attempt.setDeadline(() => clearTimeout(timer));
  }

  private newPeerConnection(): PeerConnection {
    try {
      return new PeerConnection(`sluice-${++connectionCount}`, this.connectionConfig());
    } catch (err) {
      throw new RtcError('rtc/failed', `cannot create a peer connection: ${firstLine(err)}`);
    }
  }

  /** Registered before anything starts gathering, so 'complete' cannot slip past unseen. */
  private watchIce(pc: PeerConnection, onFailed: () => void): { gathered: Promise<void> } {
    let onGathered: () => void = () => {};
    const gathered = new Promise<void>((r) => (onGathered = r));
    pc.onGatheringStateChange((state) => {
      if (state === 'complete') onGathered();
    });
    pc.onIceStateChange((state) => {
      if (state === 'failed') onFailed();
    });
    return { gathered };
  }

  /** The local description once gathering is complete (or capped), or why there is none. */
  private async localSdp(pc: PeerConnection, gathered: Promise<void>, abandoned: () => boolean): Promise<string | RtcError> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([gathered, new Promise<void>((r) => (timer = setTimeout(r, this.settings.gatherTimeoutMs)))]);
    clearTimeout(timer);
    if (abandoned()) return new RtcError('rtc/cancelled', 'cancelled while gathering ICE candidates');
    let sdp: string | undefined;
    try {
      sdp = pc.localDescription()?.sdp;
    } catch (err) {
      return new RtcError('rtc/failed', `no local description: ${firstLine(err)}`);
    }
    if (!sdp) return new RtcError('rtc/failed', 'no local description was produced');
    if (countCandidates(sdp) === 0) {
      return new RtcError('rtc/failed', 'no ICE candidates were gathered (no usable local address: is any interface up?)');
    }
    return sdp;
  }
}

function closeQuietly(pc: PeerConnection): void {
  try {
    pc.close();
  } catch {
    // Already closed natively.
  }
}

/**
 * libdatachannel keeps native threads that hold the process open. Call once at process exit, after
 * every connection (ours and any other node-datachannel user's in this process) is closed.
 */
export function shutdownWebRtc(): void {
  cleanup();
}
