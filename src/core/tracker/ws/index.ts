export { WsTrackerError, isWsTrackerError, rejectionKind } from './errors.js';
export type { WsTrackerErrorCode } from './errors.js';
export { DEFAULT_WS_LIMITS, MAX_SCRAPE_REPLY_FILES } from './bounds.js';
export type { WsCodecLimits } from './bounds.js';
export { bytesToBinaryString, binaryStringToBytes } from './binary-string.js';
export { parseClientMessage, encodeClientMessage } from './client-messages.js';
export type { WsClientMessage, WsAnnounce, WsAnswer, WsScrapeRequest, WsOffer, WsAnnounceEvent } from './client-messages.js';
export { parseTrackerMessage, encodeTrackerMessage } from './tracker-messages.js';
export type { WsTrackerMessage, WsAnnounceReply, WsRelayedOffer, WsRelayedAnswer, WsScrapeReply, WsFailure } from './tracker-messages.js';
