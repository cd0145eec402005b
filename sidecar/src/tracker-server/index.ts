export { startTrackerServer } from './server.js';
export type { TrackerServerOptions, RunningTrackerServer } from './server.js';
export { TrackerService } from './service.js';
export type { TrackerServiceOptions } from './service.js';
export { DEFAULT_TRACKER_LIMITS } from './limits.js';
export type { TrackerServerLimits } from './limits.js';
export type { TrackerStats } from './metrics.js';
export { prometheusText } from './metrics.js';
