import type { Alert } from '../api/types.js';
import { SluiceError } from '../errors.js';
import type { PiecePicker } from '../picker/piece-picker.js';
import type { TorrentStorage } from '../ports/storage.js';
import type { Bitfield } from '../util/bitfield.js';
import type { PeerBook } from './peer-book.js';
import type { PeerLink } from './peer-link.js';
import type { PieceBuffers } from './piece-buffers.js';
import type { PieceVerifier } from './piece-verifier.js';
import type { SmartBan } from './smart-ban.js';
import { asSluiceError, TorrentError } from './torrent-error.js';

type CompletionPicker = Pick<PiecePicker, 'pieceFailed' | 'pieceVerified' | 'isComplete'>;

/** What a piece's completion reads and changes of its torrent. */
export interface PieceCompletionDeps {
  readonly infoHashHex: string;
  /** All four are null until the metadata is known and the data checked. */
  picker(): CompletionPicker | null;
  verifier(): Pick<PieceVerifier, 'verify'> | null;
  storage(): Pick<TorrentStorage, 'writePiece'> | null;
  /** The verified pieces; a stored piece is set here. */
  have(): Bitfield | null;
  /** The torrent was removed: nothing more is judged, stored or announced. */
  removed(): boolean;
  /** The connected peers, by address: they hear HAVE, cancels, and strikes. */
  readonly links: ReadonlyMap<string, PeerLink>;
  readonly buffers: Pick<PieceBuffers, 'take' | 'release' | 'dropSpare'>;
  readonly smartBan: Pick<SmartBan, 'pieceFailed' | 'piecePassed'>;
  readonly book: Pick<PeerBook, 'isBanned' | 'ban'>;
  /** A web seed by its id, which counts corrupt pieces itself. */
  webSeed(id: string): { reportCorrupt(): void } | undefined;
  emit(alert: Alert): void;
  /** Writing failed for good (disk full, I/O): the torrent stops with this error. */
  storageFailed(error: SluiceError): void;
  /** Piece `index` (`bytes` long) is verified, stored and set in `have`; peers and readers are told next. */
  stored(index: number, bytes: number): void;
  /** Everyone was told about piece `index`. */
  verified(index: number): void;
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * What happens to a piece once its last block is buffered: it is hashed; a failed piece is judged
 * (strikes, smart ban) and its blocks asked for again; a passed one names the liars of earlier failures,
 * is written to storage, and only then announced with HAVE to the peers that lack it and handed to the
 * readers waiting for it. Nothing unverified leaves.
 */
export class PieceCompletion {
  private readonly waiters = new Map<number, Waiter[]>();

  constructor(private readonly deps: PieceCompletionDeps) {}

  /** Takes piece `index` out of the buffers and verifies, judges and stores it. */
  async finish(index: number): Promise<void> {
    const { buffers } = this.deps;
    const data = buffers.take(index);
    if (!data) return;
    try {
      await this.verifyAndStore(index, data);
    } finally {
      // Counted against the buffer cap until here, then reused for another piece; once the download
      // is complete, no piece will need the spares.
      buffers.release(data);
      if (this.deps.picker()?.isComplete()) buffers.dropSpare();
    }
  }

  /** Resolves once `piece` is verified and stored. */
  waitFor(piece: number): Promise<void> {
    if (this.deps.have()?.get(piece)) return Promise.resolve();
    if (this.deps.removed()) return Promise.reject(new TorrentError('torrent/removed', 'the torrent was removed'));
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(piece) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(piece, list);
    });
  }

  /**
   * The check of the data on disk is done: readers that began waiting while it ran (a stream
   * opened just after the torrent was added) get the pieces it found. Nothing else resolves them.
   */
  checked(): void {
    const have = this.deps.have();
    if (!have) return;
    for (const [piece, waiters] of this.waiters) {
      if (!have.get(piece)) continue;
      this.waiters.delete(piece);
      for (const w of waiters) w.resolve();
    }
  }

  /** The torrent is gone: every reader still waiting hears so. */
  rejectWaiters(): void {
    for (const [, waiters] of this.waiters) for (const w of waiters) w.reject(new TorrentError('torrent/removed', 'the torrent was removed'));
    this.waiters.clear();
  }

  private async verifyAndStore(index: number, data: Uint8Array): Promise<void> {
    const { deps } = this;
    const picker = deps.picker()!;
    const verifier = deps.verifier();
    const storage = deps.storage();
    if (!verifier || !storage) return;
    const ok = await verifier.verify(index, data);
    if (deps.removed()) return;
    if (!ok) {
      const { contributors, cancels } = picker.pieceFailed(index);
      for (const c of cancels) deps.links.get(c.peerId)?.conn.cancel(c.piece, c.begin, c.length);
      deps.emit({ type: 'piece-failed', infoHash: deps.infoHashHex, piece: index, peers: contributors });
      // One sender: it is the liar. Several: smart ban finds the liar once the piece passes. Punish
      // before awaiting, so verdicts keep the order in which pieces failed.
      this.punish(contributors);
      await deps.smartBan.pieceFailed(index, data);
      return;
    }
    for (const liar of await deps.smartBan.piecePassed(index, data)) this.ban(liar, 'sent a block that differs from the verified piece');
    if (deps.removed()) return;
    try {
      await storage.writePiece(index, data);
    } catch (err) {
      picker.pieceFailed(index);
      const error = asSluiceError(err);
      if (error.code === 'storage/disk-full' || error.code === 'storage/io') deps.storageFailed(error);
      return;
    }
    if (deps.removed()) return;
    for (const c of picker.pieceVerified(index)) {
      const other = deps.links.get(c.peerId);
      if (!other) continue;
      other.conn.cancel(c.piece, c.begin, c.length);
      other.pipeline.onCancelled(c.piece, c.begin);
    }
    deps.have()!.set(index);
    deps.stored(index, data.length);
    for (const link of deps.links.values()) {
      if (!link.conn.ready) continue;
      // Not to a peer that has the piece (it may have stopped being a seed with a late bitfield).
      if (!link.conn.peerHas(index)) link.conn.have(index);
      link.flush();
    }
    const waiting = this.waiters.get(index);
    if (waiting) {
      this.waiters.delete(index);
      for (const w of waiting) w.resolve();
    }
    deps.emit({ type: 'piece-verified', infoHash: deps.infoHashHex, piece: index });
    deps.verified(index);
  }

  /**
   * A piece failed. A sole sender is the liar: two strikes each, banned at the second failure. When
   * several peers shared the piece, smart ban names the liar once the piece passes; until then each
   * sender gets one strike, and only a peer in many such failures is banned on suspicion. A failure a
   * banned peer took part in is already explained. Web seeds count corrupt pieces themselves.
   */
  private punish(contributors: readonly string[]): void {
    if (contributors.some((id) => this.deps.book.isBanned(id))) return;
    const sole = contributors.length === 1;
    for (const id of contributors) {
      const ws = this.deps.webSeed(id);
      if (ws) {
        if (sole) ws.reportCorrupt();
        continue;
      }
      const link = this.deps.links.get(id);
      if (!link) continue;
      link.strikes += sole ? 2 : 1;
      if (link.strikes >= (sole ? 3 : 6)) {
        this.ban(id, 'sent data that failed the hash check');
        return;
      }
    }
  }

  private ban(address: string, reason: string): void {
    const { book } = this.deps;
    if (book.isBanned(address)) return;
    book.ban(address);
    this.deps.emit({ type: 'peer-banned', infoHash: this.deps.infoHashHex, address, reason });
    this.deps.links.get(address)?.close(new SluiceError('peer/banned', reason));
  }
}
