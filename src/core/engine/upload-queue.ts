import type { TorrentStorage } from '../ports/storage.js';
import type { PeerLink } from './peer-link.js';
import type { TokenBucket } from './token-bucket.js';

/** Storage reads in flight for one peer's requests. */
const MAX_READS_PER_PEER = 8;

/**
 * Requests for consecutive blocks of one piece are served by one storage read of up to this many bytes
 * (8 blocks of 16 KiB): one read, one promise and one turn of the loop for the run instead of one per block,
 * and the PIECE messages of the run are written together, so a data channel packs them into full messages.
 */
const MAX_READ_BYTES = 128 * 1024;

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
      const first = queue[0]!;
      if (allowance < first.length) return;
      // The run: requests that follow each other in the piece, within the read size and the allowance.
      let count = 1;
      let length = first.length;
      for (let next = queue[count]; next !== undefined; next = queue[count]) {
        if (next.index !== first.index || next.begin !== first.begin + length) break;
        if (length + next.length > MAX_READ_BYTES || length + next.length > allowance) break;
        length += next.length;
        count++;
      }
      const run = queue.splice(0, count);
      for (const b of this.deps.buckets) b.take(length, now);
      link.readsInFlight++;
      storage.read(first.index, first.begin, length).then(
        (bytes) => {
          link.readsInFlight--;
          if (link.closed) return;
          for (const r of run) {
            const at = r.begin - first.begin;
            // A view, not a copy: PeerConnection.piece hands the block to the transport as it is.
            const block = bytes.subarray(at, at + r.length);
            if (link.conn.piece(r.index, r.begin, block)) this.deps.sent(link, block.length, this.deps.now());
          }
          link.flush();
          this.pump(link);
        },
        () => {
          link.readsInFlight--;
          for (const r of run) link.conn.reject(r.index, r.begin, r.length);
          link.flush();
        },
      );
    }
  }
}
