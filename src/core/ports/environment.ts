/** Time and randomness, injected so the engine has no hidden clock and simulations are deterministic. */
export interface Clock {
  /** Milliseconds; monotonic enough for rates and timeouts. */
  now(): number;
}

export interface RandomSource {
  /** `count` uniformly random bytes. */
  bytes(count: number): Uint8Array;
  /** A uniform number in [0, 1). */
  float(): number;
}
