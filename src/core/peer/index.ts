// The sans-I/O peer connection: bytes and `now` in; events, outgoing bytes and the next deadline out.
export { PeerConnection } from './peer-connection.js';
export { PeerError } from './errors.js';
export type { PeerErrorCode } from './errors.js';
export type { PeerEvent, PeerEventType } from './events.js';
export { ANNOUNCED_REQUEST_QUEUE, DEFAULT_MAX_PEER_REQUESTS, DEFAULT_TIMEOUTS, MAX_REQUEST_LENGTH } from './options.js';
export type { PeerConnectionOptions, PeerTimeouts } from './options.js';
export { MAX_PENDING_PIECES } from './peer-availability.js';
export type { BlockAddress } from './peer-requests.js';
