import type { DataChannelTuning } from '../../core/ports/rtc.js';
import { DataChannelTransport } from '../../core/transport/data-channel-transport.js';
import { browserScheduler, RtcChannelPort, type ChannelConnection } from './rtc-channel-port.js';

/**
 * A browser RTCDataChannel (and the RTCPeerConnection that carries it) as a Transport of kind
 * `webrtc`: a byte stream in which message boundaries mean nothing.
 */
export class RtcDataChannelTransport extends DataChannelTransport {
  constructor(pc: RTCPeerConnection, channel: RTCDataChannel, outgoing: boolean, tuning: DataChannelTuning) {
    super(new RtcChannelPort(channel, pageConnection(pc)), outgoing, tuning, browserScheduler);
  }
}

/** The page's RTCPeerConnection as what its channel's port needs. */
function pageConnection(pc: RTCPeerConnection): ChannelConnection {
  return {
    maxMessageSize: () => pc.sctp?.maxMessageSize ?? 0,
    remoteAddress: () => selectedRemoteAddress(pc),
    onFailed: (handler) =>
      pc.addEventListener('connectionstatechange', () => {
        if (pc.connectionState === 'failed') handler();
      }),
    close: () => pc.close(),
  };
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
