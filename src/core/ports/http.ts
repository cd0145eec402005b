import type { AbortSignalLike } from './transport.js';

/**
 * The HTTP plug point: the smallest slice of the WHATWG `fetch` the engine needs (web seeds today).
 * Node's global `fetch` and the browser's `fetch` fit it once `adaptFetch`
 * (src/core/webseed/adapt-fetch.ts) has bridged the abort signal: core cannot create a real
 * `AbortSignal`, and the browser's `fetch` accepts nothing else.
 *
 * Contract: redirects are followed; the promise resolves when the status and headers are in; the
 * body is read afterwards through `body` (preferred: lets the caller stop reading once it has what it
 * asked for) or `arrayBuffer()`; once `signal` fires, pending promises reject soon after (callers do
 * not rely on it: they race every step against their own abort).
 */
export interface HttpHeaders {
  /** The header's value, or null when absent (or, in a browser, not exposed by CORS). */
  get(name: string): string | null;
}

export interface HttpBodyReader {
  read(): Promise<{ readonly done: boolean; readonly value?: Uint8Array }>;
  cancel(reason?: unknown): Promise<void>;
}

export interface HttpBody {
  getReader(): HttpBodyReader;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: HttpHeaders;
  /** A readable byte stream; absent or null when the implementation only buffers. */
  readonly body?: HttpBody | null;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface HttpRequestInit {
  /** Request headers, lower-case names. Browsers silently drop the ones they forbid (e.g. accept-encoding). */
  readonly headers: Readonly<Record<string, string>>;
  readonly signal?: AbortSignalLike;
}

export type HttpFetch = (url: string, init: HttpRequestInit) => Promise<HttpResponse>;
