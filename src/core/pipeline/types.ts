export interface PipelineOptions {
  /** Size of one request, used to turn a byte rate into a request count (default 16 384). */
  readonly blockSize?: number;
  /** Seconds' worth of data to keep requested, as libtorrent's request_queue_time (default 3000 ms). */
  readonly requestQueueTimeMs?: number;
  /** Smallest depth outside of snubbing (default 2). */
  readonly minDepth?: number;
  /** Largest depth (default 500, libtorrent's max_out_request_queue; 8 MiB of 16 KiB blocks). */
  readonly maxDepth?: number;
  /** Depth before anything was measured; slow start grows it from here (default 4). */
  readonly initialDepth?: number;
  /** Timeout of a request before any latency was measured (default 20 000 ms). */
  readonly initialRequestTimeoutMs?: number;
  /** Floor of the adaptive request timeout (default 5000 ms). */
  readonly minRequestTimeoutMs?: number;
  /** Ceiling of the adaptive request timeout (default 60 000 ms). */
  readonly maxRequestTimeoutMs?: number;
  /** No data for this long while requests are outstanding marks the peer snubbed (default 20 000 ms). */
  readonly snubTimeoutMs?: number;
  /** Window of the throughput measurement (default 3000 ms). */
  readonly rateWindowMs?: number;
}

/** A REQUEST we sent and have not yet seen answered. */
export interface OutstandingRequest {
  readonly piece: number;
  readonly begin: number;
  readonly length: number;
  readonly sentAt: number;
}

export interface PipelinePoll {
  /** Requests that waited past the timeout; no longer outstanding here. Re-issue them elsewhere (and CANCEL them here). */
  readonly timedOut: readonly OutstandingRequest[];
  /** No data for `snubTimeoutMs` while requests were outstanding. */
  readonly snubbed: boolean;
}
