export { WebSeedPeer, WEB_SEED_DEFAULTS, isServerFault, type WebSeedOptions, type WebSeedFetchOptions, type CallerSignal } from './web-seed-peer.js';
export { WebSeedPlanner, rangeHeader, type RangePlan, type RangeRequest, type WebSeedLayout } from './plan.js';
export { blockRuns, type BlockRun, type RunPart } from './block-runs.js';
export { webSeedFileUrl, encodePathSegment, isWebSeedUrl, MAX_WEB_SEED_URL_LENGTH, type WebSeedNaming } from './url.js';
export { parseContentRange, parseRetryAfter, type ContentRange } from './content-range.js';
export { adaptFetch, type PlatformFetch, type PlatformAbortController } from './adapt-fetch.js';
export { WebSeedError, type WebSeedErrorCode, type WebSeedErrorDetails } from './errors.js';
