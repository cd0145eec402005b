export { BrowserRtcConnector, type BrowserRtcOptions } from './browser-rtc-connector.js';
export { DEFAULT_TUNING, RtcDataChannelTransport, type DataChannelTuning } from './data-channel-transport.js';
export { toRtcIceServers } from './ice-config.js';
