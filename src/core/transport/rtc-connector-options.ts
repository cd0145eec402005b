import { DEFAULT_DATA_CHANNEL_TUNING, DEFAULT_ICE_SERVERS, type DataChannelTuning, type RtcIceServer } from '../ports/rtc.js';

/** What every RtcConnector takes, in Node and in the browser alike (Node adds its socket options). */
export interface RtcConnectorOptions {
  /** Default: public STUN (DEFAULT_ICE_SERVERS). Tests on loopback pass `[]`. */
  readonly iceServers?: readonly RtcIceServer[];
  /** Cap on ICE gathering (an unreachable STUN server would otherwise hold the SDP back). Default 1500 ms. */
  readonly gatherTimeoutMs?: number;
  /** From the answer being applied (offerer) or the offer arriving (answerer) to an open channel. Default 25 s, as WebTorrent. */
  readonly connectTimeoutMs?: number;
  /** Label of the data channel we open (libtorrent's 'webtorrent'; simple-peer uses random hex, any label is accepted). */
  readonly channelLabel?: string;
  readonly tuning?: Partial<DataChannelTuning>;
}

export interface RtcConnectorSettings {
  readonly iceServers: readonly RtcIceServer[];
  readonly gatherTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly channelLabel: string;
  readonly tuning: DataChannelTuning;
}

/** The options with every default filled in. */
export function rtcConnectorSettings(options: RtcConnectorOptions): RtcConnectorSettings {
  return {
    iceServers: options.iceServers ?? DEFAULT_ICE_SERVERS,
    gatherTimeoutMs: options.gatherTimeoutMs ?? 1500,
    connectTimeoutMs: options.connectTimeoutMs ?? 25_000,
    channelLabel: options.channelLabel ?? 'webtorrent',
    tuning: { ...DEFAULT_DATA_CHANNEL_TUNING, ...options.tuning },
  };
}
