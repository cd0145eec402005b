/**
 * Where the worker's bridge goes: `auto` is this page's own origin (the app served by `sluice serve`),
 * `url` a sidecar elsewhere, `off` none. The token is `sluice serve`'s, kept from the URL it printed.
 */
export type BridgeConfig =
  | { readonly mode: 'off' }
  | { readonly mode: 'auto'; readonly token: string | null }
  | { readonly mode: 'url'; readonly url: string; readonly token: string | null };

export type BridgeState = 'connected' | 'connecting' | 'down' | 'off';

/** The bridge's URL with its token in the query (a browser cannot set headers on a WebSocket). */
export function bridgeSocketUrl(base: string, token: string | null): string {
  const url = new URL(base);
  if (token) url.searchParams.set('token', token);
  return url.toString();
}

/** `ws(s)://<host>/bridge` of an http(s) origin. */
export function ownBridgeUrl(origin: string): string {
  const url = new URL('/bridge', origin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/**
 * Where the sidecar's own `/stream/<infohash>/<n>/<name>` URLs live for this bridge: its http(s)
 * origin, and the query each carries. `sidecar` keeps the app's Service Worker from answering the
 * request from the browser's engine (it passes it to the network); `token` is the bridge's.
 */
export function sidecarStreamBase(base: string, token: string | null): { readonly origin: string; readonly query: string } {
  const url = new URL(base);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  return { origin: url.origin, query: token ? `sidecar&token=${encodeURIComponent(token)}` : 'sidecar' };
}
