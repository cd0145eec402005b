import { useEffect, useState } from 'react';
import type { ServiceWorkerHandle } from '../../browser/client/index.js';

/** "A new version is ready": shown when workbox-window reports a waiting Service Worker. */
export function UpdatePrompt({ serviceWorker }: { readonly serviceWorker: ServiceWorkerHandle }) {
  const [reload, setReload] = useState<(() => void) | null>(null);
  useEffect(() => serviceWorker.subscribe((event) => event.kind === 'update-ready' && setReload(() => event.reload)), [serviceWorker]);
  if (!reload) return null;
  return (
    <section className="update" role="status">
      A new version of Sluice is ready. <button onClick={reload}>Reload</button>
    </section>
  );
}
