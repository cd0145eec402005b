import type { TorrentStorage } from '../ports/storage.js';
import type { PeerLink } from './peer-link.js';
import type { TokenBucket } from './token-bucket.js';

/** Storage reads in flight for one peer's requests. */
const MAX_READS_PER_PEER = 8;

export interface BlockRequestFromPeer {
  readonly index: number;
  readonly begin: number;
  readonly length: number;
}

export interface UploadQueueDeps {
  now(): number;
  /** Null until the torrent's storage is open. */
  storage(): TorrentStorage | null;
  /** Whether we have (verified and stored) piece `index`. */
  has(index: number): boolean;
  /** Every limit a sent block counts against (the session's and the torrent's). */
  readonly buckets: readonly TokenBucket[];
  /** A block went out to `link`. */
  sent(link: PeerLink, bytes: number, now: number): void;
}

/**
 * Serving peers: each peer's requests wait in order and are read from storage a few at a time,
 * only while its transport takes more and the upload limits allow. Only pieces we have are served
 * (storage holds nothing unverified); anything else, and anything asked while choked, is rejected.
 */
export class UploadQueue {
  private readonly queues = new Map<PeerLink, BlockRequestFromPeer[]>();

  constructor(private readonly deps: UploadQueueDeps) {}

  add(link: PeerLink): void {
    this.queues.set(link, []);
  }

  remove(link: PeerLink): void {
    this.queues.delete(link);
  }

  /** We choked the peer: what it asked for is void (with the fast extension its connection sent rejects). */
  clear(link: PeerLink): void {
    if (this.queues.has(link)) this.queues.set(link, []);
  }

  request(link: PeerLink, r: BlockRequestFromPeer): void {
    if (!this.deps.has(r.index) || link.conn.amChoking) {
      link.conn.reject(r.index, r.begin, r.length);
      return;
    }
    this.queues.get(link)?.push(r);
    this.pump(link);
  }

  cancel(link: PeerLink, r: BlockRequestFromPeer): void {
    const queue = this.queues.get(link);
    const i = queue?.findIndex((q) => q.index === r.index && q.begin === r.begin && q.length === r.length) ?? -1;
    if (queue && i !== -1) queue.splice(i, 1);
  }

  /** Sends what the peer's transport and the limits allow now; called again on drain and each tick. */
  pump(link: PeerLink): void {
    const queue = this.queues.get(link);
    const storage = this.deps.storage();
    if (!queue || !storage) return;
    const now = this.deps.now();
    while (queue.length > 0 && link.writable && link.readsInFlight < MAX_READS_PER_PEER && !link.closed) {
      const allowance = Math.min(...this.deps.buckets.map((b) => b.available(now)));
      if (allowance < queue[0]!.length) return;
      const r = queue.shift()!;
      for (const b of this.deps.buckets) b.take(r.length, now);
      link.readsInFlight++;
      storage.read(r.index, r.begin, r.length).then(
        (block) => {
          link.readsInFlight--;
          if (link.closed) return;
          if (link.conn.piece(r.index, r.begin, block)) this.deps.sent(link, block.length, this.deps.now());
          link.flush();
          this.pump(link);
        },
        () => {
          link.readsInFlight--;
          link.conn.reject(r.index, r.begin, r.length);
          link.flush();
        },
      );
    }
  }
}
