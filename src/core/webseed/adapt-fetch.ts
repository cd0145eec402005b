import type { HttpFetch, HttpResponse } from '../ports/http.js';

/** The `fetch` of a platform, typed by the signal it insists on (the real AbortSignal). */
export type PlatformFetch<Signal> = (url: string, init: { headers: Record<string, string>; signal: Signal }) => Promise<HttpResponse>;

export interface PlatformAbortController<Signal> {
  readonly signal: Signal;
  abort(): void;
}

/**
 * Turns a platform's `fetch` into the HttpFetch port, bridging core's abort signal to a real one.
 * Both are injected, so core names no global. Node and browsers alike:
 * `adaptFetch((url, init) => fetch(url, init), () => new AbortController())`.
 */
export function adaptFetch<Signal>(fetchFn: PlatformFetch<Signal>, newController: () => PlatformAbortController<Signal>): HttpFetch {
  return (url, init) => {
    const controller = newController();
    const signal = init.signal;
    if (signal?.aborted) controller.abort();
    else signal?.addEventListener('abort', () => controller.abort(), { once: true });
    return fetchFn(url, { headers: { ...init.headers }, signal: controller.signal });
  };
}
