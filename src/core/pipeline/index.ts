export {
  RequestPipeline,
  BLOCK_SIZE,
  REQUEST_QUEUE_TIME_MS,
  MIN_DEPTH,
  MAX_DEPTH,
  INITIAL_DEPTH,
  INITIAL_REQUEST_TIMEOUT_MS,
  MIN_REQUEST_TIMEOUT_MS,
  MAX_REQUEST_TIMEOUT_MS,
  SNUB_TIMEOUT_MS,
  RATE_WINDOW_MS,
} from './request-pipeline.js';
export { RttEstimator } from './rtt.js';
export type { OutstandingRequest, PipelineOptions, PipelinePoll } from './types.js';
