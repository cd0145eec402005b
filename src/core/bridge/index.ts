// The bridge: one WebSocket between the browser engine and a sidecar, carrying control messages and
// the peer wire of every torrent they share (docs/bridge.md).
export { BridgeError, type BridgeErrorCode } from './errors.js';
export { BRIDGE_PROTOCOL, CONTROL_LIMITS, parseControl, type ControlMessage, type JoinSource, type RemoteTorrentStatus } from './control.js';
export { decodeFrame, encodeControl, encodeData, MAX_DATA_PAYLOAD, MAX_FRAME_BYTES, type Frame } from './frames.js';
export { BridgeMux, type BridgeScheduler, type BridgeSocket } from './mux.js';
export { BridgeChannelTransport } from './channel-transport.js';
export { SidecarBridgeEndpoint, type SidecarBridgeEvent, type SidecarEndpointOptions } from './sidecar-endpoint.js';
export { BrowserBridgeEndpoint, type BrowserEndpointOptions } from './browser-endpoint.js';
export { joinSourceOfTorrent, resolveJoin, torrentSourceOf } from './join-source.js';
