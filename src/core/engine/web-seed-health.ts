import type { Alert, WebSeedStatus } from '../api/types.js';
import { isServerFault, type WebSeedPeer } from '../webseed/index.js';

/**
 * A torrent's web seeds, said in alerts as trackers are: each failed request, and the first delivery
 * (ever, or after failing). A web seed that cannot be reached (in a browser, often one that does not
 * allow the page's site: CORS) is otherwise invisible: a torrent at 0% with nothing to say why.
 */
export class WebSeedHealth {
  private readonly failing = new Set<string>();
  private readonly delivered = new Set<string>();

  constructor(
    private readonly infoHash: string,
    private readonly emit: (alert: Alert) => void,
  ) {}

  succeeded(url: string): void {
    if (this.delivered.has(url) && !this.failing.has(url)) return;
    this.delivered.add(url);
    this.failing.delete(url);
    this.emit({ type: 'web-seed-working', infoHash: this.infoHash, url });
  }

  failed(url: string, error: unknown): void {
    // Our own aborts, a closed seed and the request-slot rules say nothing of the server.
    if (!isServerFault(error)) return;
    this.failing.add(url);
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
    this.emit({ type: 'web-seed-error', infoHash: this.infoHash, url, message });
  }
}

/** What a status display shows of one web seed. */
export function webSeedStatus(ws: WebSeedPeer): WebSeedStatus {
  const state = ws.disabled ? 'disabled' : ws.failures > 0 ? 'error' : ws.downloadedBytes > 0 ? 'working' : 'idle';
  const failed = state === 'error' || state === 'disabled';
  return {
    url: ws.url,
    state,
    message: failed ? (ws.lastError?.message ?? null) : null,
    downloaded: ws.downloadedBytes,
    nextRetryAt: state === 'error' && ws.nextRetryAt > 0 ? ws.nextRetryAt : null,
  };
}
