export { BrowserRtcConnector, type BrowserRtcOptions } from './browser-rtc-connector.js';
export { RtcDataChannelTransport } from './data-channel-transport.js';
export { DEFAULT_DATA_CHANNEL_TUNING, type DataChannelTuning } from '../../core/ports/rtc.js';
export { toRtcIceServers } from './ice-config.js';
