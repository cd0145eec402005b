/** The engine's RPC client: the only engine API the UI imports. */
export { EngineClient, type ConnectOptions, type EngineRole } from './engine-client.js';
export type {
  CommandArgs,
  CommandName,
  CommandResult,
  EngineCommands,
  EngineFailure,
  EngineOptions,
  EngineSettings,
  EngineStatus,
  Outcome,
  SeedJob,
  StatusBatch,
  TorrentDetails,
  TorrentInput,
  TorrentRateLimits,
  TorrentView,
} from './protocol.js';
export { STATUS_INTERVAL_MS } from './protocol.js';
export type { ChannelMode } from '../rtc/rtc-messages.js';
export { DEFAULT_ICE_SERVERS, DEFAULT_TRACKERS, channelModeSetting, defaultTrackers, iceServersSetting, saveIceServersSetting, saveTrackersSetting } from './settings.js';
export { requestPersistentStorage, storageReport, type StorageReport } from '../storage/storage-pressure.js';
export { startServiceWorker, type ServiceWorkerEvent, type ServiceWorkerHandle } from './service-worker.js';
export { fileToPlay, mediaKind, sidecarStreamUrl, streamUrlOf } from './stream-link.js';
export { forgetSharedFiles, takeSharedFiles } from './share-inbox.js';
export type { Alert, FileStatus, PeerStatus, Priority, SessionSettings, TrackerStatus, WebSeedStatus } from '../../core/api/types.js';
export { bridgeSetting, keepBridgeToken } from './bridge-settings.js';
export type { BridgeConfig, BridgeState } from '../bridge/bridge-config.js';
export type { BridgeView } from '../bridge/bridge-client.js';
