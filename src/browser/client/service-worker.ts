import { Workbox } from 'workbox-window';
import type { ServiceWorkerMessage } from '../stream/stream-protocol.js';
import type { EngineClient } from './engine-client.js';

export type ServiceWorkerEvent =
  /** A new version is installed and waiting; `reload` activates it and reloads the page. */
  | { readonly kind: 'update-ready'; readonly reload: () => void }
  /** No Service Worker (the reason, in words). */
  | { readonly kind: 'error'; readonly message: string };

export interface ServiceWorkerHandle {
  /** Resolves once the Service Worker controls this page, so `/stream/...` URLs work; never if there is none. */
  readonly controlled: Promise<void>;
  /** Events so far and from now on; returns the unsubscribe. */
  subscribe(listener: (event: ServiceWorkerEvent) => void): () => void;
}

/**
 * Registers /sw.js with workbox-window and links it to the engine: whenever the SW asks for a port
 * (it starts without one, and after every restart), and whenever this tab starts running the engine,
 * the tab makes a MessageChannel and hands one end to the SW and the other to its engine worker.
 */
export function startServiceWorker(client: EngineClient): ServiceWorkerHandle {
  const events: ServiceWorkerEvent[] = [];
  const listeners = new Set<(event: ServiceWorkerEvent) => void>();
  const emit = (event: ServiceWorkerEvent) => {
    events.push(event);
    for (const l of listeners) l(event);
  };
  const subscribe = (listener: (event: ServiceWorkerEvent) => void) => {
    listeners.add(listener);
    for (const e of events) listener(e);
    return () => void listeners.delete(listener);
  };
  const container = typeof navigator !== 'undefined' ? navigator.serviceWorker : undefined;
  if (!container) {
    emit({ kind: 'error', message: 'this browser gives the app no Service Worker (a private window?): files cannot be streamed or opened offline' });
    return { controlled: new Promise<void>(() => {}), subscribe };
  }
  const handPort = (to: ServiceWorker | null) => {
    if (!to) return;
    const port = client.openStreamPort();
    if (port) to.postMessage({ kind: 'sluice:stream-port' } satisfies ServiceWorkerMessage, [port]);
  };
  container.addEventListener('message', (event: MessageEvent<ServiceWorkerMessage>) => {
    if (event.data?.kind === 'sluice:need-stream-port') handPort(event.source instanceof ServiceWorker ? event.source : container.controller);
  });
  container.startMessages();
  // A tab that takes over the engine (the previous one closed) links the SW to its own worker.
  client.onRoleChange((role) => {
    if (role === 'leader') handPort(container.controller);
  });

  const wb = new Workbox('/sw.js', { scope: '/' });
  wb.addEventListener('waiting', () => {
    emit({
      kind: 'update-ready',
      reload: () => {
        wb.addEventListener('controlling', () => location.reload());
        wb.messageSkipWaiting();
      },
    });
  });
  wb.register().catch((err: unknown) => emit({ kind: 'error', message: `the Service Worker could not start: ${err instanceof Error ? err.message : String(err)}` }));

  const controlled = container.controller
    ? Promise.resolve()
    : new Promise<void>((resolve) => container.addEventListener('controllerchange', () => resolve(), { once: true }));
  return { controlled, subscribe };
}
