import { SluiceError } from '../errors.js';
import type { Transport } from './transport.js';

/**
 * WebRTC signalling as the WebSocket-tracker client needs it. WebTorrent peers exchange exactly one
 * offer and one answer through the tracker and nothing else (non-trickle ICE), so every SDP this
 * port hands out already carries its ICE candidates, and every SDP it takes in must carry the far
 * side's. Once the data channel opens, the connection is an ordinary `Transport` of kind `webrtc`:
 * a BitTorrent byte stream in which message boundaries mean nothing.
 *
 * Implementations: sidecar/src/webrtc/ (node-datachannel) and, later, the page's RTCPeerConnection.
 * The offerer's transport is `outgoing`; the answerer's is not. Neither side may treat that as who
 * speaks first: over WebRTC both sides send the BitTorrent handshake at once.
 */
export interface RtcConnector {
  /** Starts a connection and gathers its ICE candidates; resolves with the complete offer. */
  createOffer(): Promise<PendingOffer>;
  /**
   * Answers a far side's offer. Resolves once the answer (with candidates) is ready to send back;
   * `connected` settles when the data channel opens, or rejects with an `RtcError`.
   * Rejects with `rtc/bad-sdp` when the offer cannot be used.
   */
  acceptOffer(offerSdp: string): Promise<AcceptedOffer>;
  /** Cancels every connection that has not opened yet; open transports are left to their owners. */
  close(): void;
}

/** An offer waiting for its answer. Abandon it with `cancel()` (e.g. the tracker never answered). */
export interface PendingOffer {
  readonly sdp: string;
  /** Applies the far side's answer; resolves when the data channel opens. Call at most once. */
  complete(answerSdp: string): Promise<Transport>;
  /** Idempotent; a pending `complete` rejects with `rtc/cancelled`. No-op once connected. */
  cancel(): void;
}

export interface AcceptedOffer {
  readonly answerSdp: string;
  readonly connected: Promise<Transport>;
  /** Idempotent; `connected` rejects with `rtc/cancelled`. No-op once connected. */
  cancel(): void;
}

/** Same shape as the browser's RTCIceServer, so the page can pass it through unchanged. */
export interface RtcIceServer {
  /** `stun:host:port`, `turn:host:port[?transport=tcp]` or `turns:host:port`. */
  readonly urls: string | readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

/** Public STUN servers for real use (libtorrent's default is the first). Tests pass `[]`. */
export const DEFAULT_ICE_SERVERS: readonly RtcIceServer[] = [
  { urls: 'stun:stun.l.google.com:19302' },
  { urls: 'stun:global.stun.twilio.com:3478' },
];

/** How a data channel is driven, in Node and in the browser alike. */
export interface DataChannelTuning {
  /** Largest message we send; writes are cut into messages of this size (capped by the negotiated maximum). */
  readonly messageSize: number;
  /** `write` returns false once the channel holds more than this many unsent bytes. */
  readonly highWaterMark: number;
  /** `drain` is considered when the unsent bytes fall to this level (`bufferedamountlow`). */
  readonly lowWaterMark: number;
}

/**
 * Chosen by bench/webrtc-raw.mjs (docs/webrtc.md): 64 KiB is the largest message every stack accepts
 * without a `max-message-size` attribute and cost the least CPU; 1 MiB / 256 KiB keeps a peer's pipe
 * full without holding megabytes in front of a CHOKE or CANCEL.
 */
export const DEFAULT_DATA_CHANNEL_TUNING: DataChannelTuning = { messageSize: 64 * 1024, highWaterMark: 1024 * 1024, lowWaterMark: 256 * 1024 };

/** Bound on an SDP we accept: real ones are 0.5–4 KiB; a megabyte of candidates is an attack. */
export const MAX_SDP_LENGTH = 64 * 1024;

export type RtcErrorCode = 'rtc/bad-sdp' | 'rtc/bad-config' | 'rtc/timeout' | 'rtc/cancelled' | 'rtc/failed';

export class RtcError extends SluiceError<RtcErrorCode> {
  override readonly name = 'RtcError';
}

/**
 * Cheap structural check shared by every implementation, so a hostile tracker cannot feed the native
 * stack something huge or something that is not a data-channel session description.
 */
export function checkRemoteSdp(sdp: unknown, kind: 'offer' | 'answer'): string {
  if (typeof sdp !== 'string') throw new RtcError('rtc/bad-sdp', `the ${kind} is not a string`);
  if (sdp.length > MAX_SDP_LENGTH) throw new RtcError('rtc/bad-sdp', `the ${kind} is ${sdp.length} characters (limit ${MAX_SDP_LENGTH})`);
  if (!sdp.startsWith('v=0')) throw new RtcError('rtc/bad-sdp', `the ${kind} is not an SDP (no v=0 line)`);
  if (!/^m=application \d+ [A-Z/]*SCTP/m.test(sdp)) throw new RtcError('rtc/bad-sdp', `the ${kind} offers no data channel (no m=application SCTP line)`);
  return sdp;
}
