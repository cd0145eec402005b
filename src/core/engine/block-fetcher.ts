import type { PiecePicker } from '../picker/piece-picker.js';
import type { BlockRequest } from '../picker/types.js';
import { RateMeter, SHOWN_RATE_IDLE_MS } from '../rate/rate-meter.js';
import { Bitfield } from '../util/bitfield.js';
import type { WebSeedPeer } from '../webseed/index.js';
import { DeadlineBudget, type RequestRoom } from './deadline-budget.js';
import { DeadlinePreemption } from './deadline-preemption.js';
import type { PeerLink } from './peer-link.js';
import type { PieceBuffers } from './piece-buffers.js';
import type { SmartBan } from './smart-ban.js';
import type { TokenBucket } from './token-bucket.js';
import type { WebSeedHealth } from './web-seed-health.js';

const BLOCK = 16 * 1024;

type FetchPicker = Pick<
  PiecePicker,
  'pick' | 'blockReceived' | 'pieceLength' | 'pieceCount' | 'isComplete' | 'requestCancelled' | 'deadlinePieces' | 'deadlineVersion' | 'deadlineOf'
>;

/** What the fetcher reads of its torrent. */
export interface BlockFetcherDeps {
  now(): number;
  /** False while paused, checking, failed or removed: nothing is requested then. */
  active(): boolean;
  /** The torrent was removed: late web seed answers change nothing. */
  removed(): boolean;
  /** Null until the metadata is known and the data checked. */
  picker(): FetchPicker | null;
  /** What requests to a peer may ask for (its counted availability), or null before it said. */
  peerPieces(link: PeerLink): 'all' | Bitfield | null;
  /** The connected peers, by address: duplicate requests of a finished block are cancelled there. */
  readonly links: ReadonlyMap<string, PeerLink>;
  /** Where blocks wait for the rest of their piece; nothing is requested while it holds `maxBufferedBytes`. */
  readonly buffers: Pick<PieceBuffers, 'put' | 'heldBytes'>;
  readonly maxBufferedBytes: number;
  /** Every limit a requested block counts against (the session's and the torrent's). */
  readonly buckets: readonly TokenBucket[];
  readonly smartBan: Pick<SmartBan, 'blockAccepted'>;
  /** Every block of `index` is buffered: the piece is ready to verify. */
  pieceComplete(index: number): void;
  wake(): void;
  /** True while nothing new may be requested (the page is going away); absent: never. */
  held?(): boolean;
  /** Hears how each web seed request ended (for the torrent's alerts); absent: nobody. */
  readonly webSeedHealth?: Pick<WebSeedHealth, 'succeeded' | 'failed'>;
}

/**
 * Asks peers and web seeds (BEP 19) for blocks, and takes in the blocks that arrive: requests go out as
 * the peer's pipeline, the rate limits and the cap on buffered bytes allow, picked from what the peer
 * really has (while it chokes us, from the pieces it allowed us, BEP 6); an accepted block goes into its
 * piece's buffer, duplicates requested from other peers are cancelled, and a piece whose last block came
 * is handed on to be verified. It counts the bytes downloaded.
 */
export class BlockFetcher {
  /** Bytes received from peers and web seeds, wanted or not. */
  downloaded = 0;
  /** What the torrent shows as its download rate: 0 once no block came for a while. */
  readonly meter = new RateMeter({ idleMs: SHOWN_RATE_IDLE_MS });
  /** Deadline pieces overtake the requests already queued at peers (see deadline-preemption.ts). */
  readonly preemption: DeadlinePreemption;
  /** While deadlines exist, the queue at a peer not known to honour CANCEL stays short (see deadline-budget.ts). */
  readonly budget = new DeadlineBudget();
  private seeds: readonly WebSeedPeer[] = [];

  constructor(private readonly deps: BlockFetcherDeps) {
    this.preemption = new DeadlinePreemption(deps, {}, this.budget);
  }

  /** The torrent's web seeds (new metadata replaces them; the old ones are closed). */
  setWebSeeds(seeds: readonly WebSeedPeer[]): void {
    for (const ws of this.seeds) ws.close();
    this.seeds = seeds;
  }

  webSeed(id: string): WebSeedPeer | undefined {
    return this.seeds.find((ws) => ws.id === id);
  }

  get webSeeds(): readonly WebSeedPeer[] {
    return this.seeds;
  }

  /** Asks `link` for as many blocks as its pipeline, the limits and the buffer cap allow now. */
  fill(link: PeerLink): void {
    const { deps } = this;
    const picker = deps.picker();
    if (!picker || !deps.active() || link.closed || !link.conn.amInterested || deps.held?.()) return;
    if (deps.buffers.heldBytes < deps.maxBufferedBytes) this.preemption.run(deps.now());
    // Choked, a peer with the fast extension may still serve the pieces it allowed us (BEP 6).
    const choked = link.conn.peerChoking;
    if (choked && link.allowedFast.size === 0) return;
    if (deps.buffers.heldBytes >= deps.maxBufferedBytes) return;
    let count = choked ? link.pipeline.wantMoreAllowedFast() : link.pipeline.wantMore();
    if (count <= 0) return;
    const now = deps.now();
    const allowance = this.allowance(now);
    if (Number.isFinite(allowance)) count = Math.min(count, Math.floor(allowance / BLOCK));
    if (count <= 0) return;
    const peerHas = deps.peerPieces(link);
    if (!peerHas) return;
    const has = choked ? allowedFastPieces(link.allowedFast, peerHas, picker.pieceCount) : peerHas;
    const room = !choked && picker.deadlinePieces().length > 0 ? this.budget.room(picker, link.pipeline, now) : null;
    const blocks = room ? this.pickWithin(picker, link, peerHas, count, room, now) : picker.pick({ id: link.address, has }, count, now);
    for (const b of blocks) {
      link.conn.request(b.piece, b.begin, b.length);
      link.pipeline.onRequestSent(b.piece, b.begin, now, b.length);
      for (const bucket of deps.buckets) bucket.take(b.length, now);
    }
    if (blocks.length > 0) link.flush();
  }

  /** Deadline blocks first, then as many ordinary ones as the peer's short queue takes (see DeadlineBudget). */
  private pickWithin(picker: FetchPicker, link: PeerLink, peerHas: 'all' | Bitfield, count: number, room: RequestRoom, now: number): BlockRequest[] {
    const due = picker.deadlinePieces().filter((d) => peerHas === 'all' || peerHas.get(d.piece));
    const urgent = due.length === 0 ? [] : picker.pick({ id: link.address, has: Bitfield.fromIndices(picker.pieceCount, due.map((d) => d.piece)) }, Math.min(count, room.deadline), now);
    const ordinary = Math.min(count - urgent.length, room.ordinary);
    return ordinary > 0 ? [...urgent, ...picker.pick({ id: link.address, has: peerHas }, ordinary, now)] : urgent;
  }

  /** A PIECE message from `link` (the caller refills the link's requests once per batch of events). */
  onBlock(link: PeerLink, index: number, begin: number, block: Uint8Array, now: number): void {
    link.pipeline.onBlockReceived(index, begin, block.length, now);
    link.downloadMeter.add(block.length, now);
    this.accept(link.address, index, begin, block, now);
  }

  /** Polls every web seed, asks the ready ones for blocks; returns when one next needs a poll (ms), or null. */
  pollWebSeeds(now: number): number | null {
    let next: number | null = null;
    for (const ws of this.seeds) {
      ws.poll(now);
      this.fillWebSeed(ws, now);
      const d = ws.nextDeadline(now);
      if (d !== null) next = next === null ? d : Math.min(next, d);
    }
    return next;
  }

  /** A block from a peer or a web seed: count it, buffer it if wanted, cancel duplicates, finish the piece. */
  private accept(source: string, index: number, begin: number, block: Uint8Array, now: number): void {
    const { deps } = this;
    const picker = deps.picker();
    this.meter.add(block.length, now);
    this.downloaded += block.length;
    if (!picker) return;
    const result = picker.blockReceived(source, index, begin, block.length);
    if (result.status === 'accepted') {
      deps.buffers.put(index, picker.pieceLength(index), begin, block);
      deps.smartBan.blockAccepted(index, begin, source);
    }
    for (const c of result.cancels) {
      const other = deps.links.get(c.peerId);
      if (!other) continue;
      other.conn.cancel(c.piece, c.begin, c.length);
      other.pipeline.onCancelled(c.piece, c.begin);
      other.flush();
    }
    if (result.pieceComplete) deps.pieceComplete(index);
  }

  /** Web seeds take blocks like a peer that has every piece; their bytes are verified the same way. */
  private fillWebSeed(ws: WebSeedPeer, now: number): void {
    const { deps } = this;
    const picker = deps.picker();
    if (!picker || !deps.active() || picker.isComplete() || ws.disabled || deps.held?.()) return;
    for (let slots = ws.wantMore(now); slots > 0; slots--) {
      if (deps.buffers.heldBytes >= deps.maxBufferedBytes) return;
      if (this.allowance(now) < BLOCK) return;
      const blocks = picker.pick({ id: ws.id, has: 'all' }, ws.blocksPerRequest, now);
      if (blocks.length === 0) return;
      for (const b of blocks) for (const bucket of deps.buckets) bucket.take(b.length, now);
      ws.fetchBlocks(blocks).then(
        (data) => {
          deps.webSeedHealth?.succeeded(ws.url);
          if (!deps.active() || !deps.picker()) return;
          const t = deps.now();
          blocks.forEach((b, i) => this.accept(ws.id, b.piece, b.begin, data[i]!, t));
          deps.wake();
        },
        (error: unknown) => {
          if (!deps.removed()) deps.webSeedHealth?.failed(ws.url, error);
          if (!deps.removed()) for (const b of blocks) deps.picker()?.requestCancelled(ws.id, b.piece, b.begin);
          deps.wake();
        },
      );
    }
  }

  private allowance(now: number): number {
    return Math.min(...this.deps.buckets.map((b) => b.available(now)));
  }
}

/** The allowed-fast pieces the peer has, as the picker takes them. */
function allowedFastPieces(allowed: ReadonlySet<number>, has: 'all' | Bitfield, pieceCount: number): Bitfield {
  return Bitfield.fromIndices(pieceCount, [...allowed].filter((i) => i < pieceCount && (has === 'all' || has.get(i))));
}
