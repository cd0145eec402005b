/**
 * What the page's RTC host (which owns the RTCPeerConnections) and the engine worker (which owns the
 * data channels, or their relayed bytes) say to each other. Every message names one connection by an
 * id the worker chose.
 */

/** The worker asks. */
export type RtcRequest =
  /** Open a peer connection with one data channel, gather, and send back `offer-ready`. */
  | { readonly op: 'offer'; readonly id: number }
  /** The far side's answer to offer `id`. */
  | { readonly op: 'answer'; readonly id: number; readonly sdp: string }
  /** Answer a far side's offer: the channel it opens is handed over, then `answer-ready`. */
  | { readonly op: 'accept'; readonly id: number; readonly sdp: string }
  /** Tear the peer connection down (the transport ended, or the attempt failed). */
  | { readonly op: 'close'; readonly id: number }
  /** Relay only: bytes to send on the page's channel (the buffer is transferred). */
  | { readonly op: 'send'; readonly id: number; readonly data: ArrayBuffer }
  /** Relay only: close the channel after what it holds. */
  | { readonly op: 'close-channel'; readonly id: number }
  /** Relay only: report `sent` when the channel's unsent bytes fall to this level. */
  | { readonly op: 'threshold'; readonly id: number; readonly bytes: number };

/** The page tells. */
export type RtcEvent =
  /** The data channel itself, transferred on creation: the worker reads and writes it. */
  | { readonly op: 'channel'; readonly id: number; readonly channel: RTCDataChannel }
  /** The channel could not be transferred: the page keeps it and relays its bytes. */
  | { readonly op: 'relay'; readonly id: number; readonly state: RTCDataChannelState }
  | { readonly op: 'offer-ready'; readonly id: number; readonly sdp: string }
  | { readonly op: 'answer-ready'; readonly id: number; readonly sdp: string }
  /** Setting up failed; `code` is an RtcErrorCode. */
  | { readonly op: 'failed'; readonly id: number; readonly code: 'rtc/bad-sdp' | 'rtc/failed' | 'rtc/bad-config'; readonly message: string }
  /** The connection is up: what only the peer connection knows. */
  | { readonly op: 'connected'; readonly id: number; readonly remoteAddress: string | null; readonly maxMessageSize: number }
  /** ICE or DTLS failed under the channel. */
  | { readonly op: 'connection-failed'; readonly id: number }
  // Relay only, the channel's own events:
  | { readonly op: 'open'; readonly id: number }
  | { readonly op: 'message'; readonly id: number; readonly data: ArrayBuffer }
  /** Bytes handed to `send` so far that have left the channel's buffer. */
  | { readonly op: 'sent'; readonly id: number; readonly bytes: number }
  | { readonly op: 'error'; readonly id: number; readonly detail: string }
  | { readonly op: 'closed'; readonly id: number };

/** How the page hands data channels to the worker: `auto` transfers where the browser can. */
export type ChannelMode = 'auto' | 'transfer' | 'relay';
