/**
 * The app's one Service Worker (built to /sw.js by vite/service-worker-plugin.ts): it precaches the
 * app shell with Workbox so the app opens offline, streams `/stream/...` from the engine, and takes
 * the manifest's share-target POSTs. Routes are tried in order: streams and shares before the
 * precache, so a stream request never meets a cached page.
 */
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { STREAM_PREFIX } from '../../core/stream/stream-path.js';
import type { ServiceWorkerMessage } from '../stream/stream-protocol.js';
import { EngineLink } from './engine-link.js';
import { answerShare, SHARE_ACTION } from './share-target.js';
import { answerStream } from './stream-route.js';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (PrecacheEntry | string)[] };

const link = new EngineLink(async (message) => {
  // Uncontrolled windows too: on the first visit the engine's tab is not controlled yet.
  for (const client of await self.clients.matchAll({ type: 'window', includeUncontrolled: true })) client.postMessage(message);
});

const sameOrigin = (url: URL) => url.origin === self.location.origin;
/** The browser engine's streams; `?sidecar` marks the sidecar's own (remote mode), which `sluice serve` answers over the network. */
const engineStream = (url: URL) => sameOrigin(url) && url.pathname.startsWith(STREAM_PREFIX) && !url.searchParams.has('sidecar');

registerRoute(
  ({ url }) => engineStream(url),
  async ({ request, event }) => {
    const answer = await answerStream(request, link);
    // A player reads for minutes: the SW must not be stopped under it.
    (event as FetchEvent).waitUntil(answer.finished);
    return answer.response;
  },
);
registerRoute(({ url }) => engineStream(url), ({ request }) => answerStream(request, link).then((a) => a.response), 'HEAD');
registerRoute(({ url }) => sameOrigin(url) && url.pathname === SHARE_ACTION, ({ request }) => answerShare(request), 'POST');

// The build replaces this with the list of the app's files and their revisions (empty in dev).
const shell = self.__WB_MANIFEST;
precacheAndRoute(shell);
cleanupOutdatedCaches();
if (shell.some((e) => (typeof e === 'string' ? e : e.url) === '/index.html')) {
  // Every navigation in the app (`/#magnet`, `/?add=`, `/?share=`) gets the cached shell.
  registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [/^\/stream\//, /^\/announce/, /^\/share$/] }));
}

self.addEventListener('message', (event: ExtendableMessageEvent) => {
  const data = event.data as ServiceWorkerMessage | { type?: string } | null;
  if (data && 'kind' in data && data.kind === 'sluice:stream-port' && event.ports[0]) link.setPort(event.ports[0]);
  // workbox-window's messageSkipWaiting(), when the person accepts "new version ready, reload".
  else if (data && 'type' in data && data.type === 'SKIP_WAITING') void self.skipWaiting();
});

self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
