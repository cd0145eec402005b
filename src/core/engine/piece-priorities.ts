import type { Priority } from '../api/types.js';
import type { Metainfo } from '../metainfo/model.js';
import type { PiecePicker } from '../picker/piece-picker.js';
import type { TorrentStorage } from '../ports/storage.js';
import type { Bitfield } from '../util/bitfield.js';
import { filePiecePriorities } from './file-priorities.js';
import type { PeerInterest } from './peer-interest.js';
import type { PeerLink } from './peer-link.js';
import { asSluiceError, TorrentError } from './torrent-error.js';

const DEFAULT_PRIORITY: Priority = 4;

/** A piece deadline was set (a reader waits for the piece) or dropped. */
export type PieceDeadlineChange =
  | { readonly type: 'set'; readonly piece: number; readonly deadline: number }
  | { readonly type: 'cleared'; readonly piece: number };

export type PieceDeadlineListener = (change: PieceDeadlineChange) => void;

/** What priorities read and touch of the torrent. */
export interface PiecePrioritiesDeps {
  picker(): PiecePicker | null;
  have(): Bitfield | null;
  meta(): Metainfo | null;
  storage(): Pick<TorrentStorage, 'setFileWanted'> | null;
  readonly links: ReadonlyMap<string, PeerLink>;
  readonly interest: Pick<PeerInterest, 'set' | 'update'>;
  fill(link: PeerLink): void;
  /** Something resume data records changed. */
  changed(): void;
}

export interface PiecePrioritiesOptions {
  readonly filePriorities?: readonly Priority[];
  /** See AddTorrentOptions.filePrioritiesFor: asked once, when the metadata is known. */
  readonly filePrioritiesFor?: (metainfo: Metainfo) => readonly Priority[];
  readonly sequential: boolean;
}

/**
 * What the person wants first: file priorities (mapped onto the picker's piece priorities), sequential
 * order, and piece deadlines for streaming readers, which others (the bridge) can observe.
 */
export class PiecePriorities {
  private files: Priority[];
  private prioritiesFor: ((metainfo: Metainfo) => readonly Priority[]) | null;
  private sequentialOn: boolean;
  private readonly listeners = new Set<PieceDeadlineListener>();
  /**
   * Deadlines set while there is no picker (the metadata or the data check pending), applied to the
   * picker when it comes. A stream opened then (the app opens its video as soon as the metadata is
   * known) sets its playhead's deadline once and waits: dropped, that piece came only as an ordinary
   * one (32 s to the first frame in a bench run, after 2 394 other blocks).
   */
  private readonly waiting = new Map<number, number>();

  constructor(
    private readonly deps: PiecePrioritiesDeps,
    options: PiecePrioritiesOptions,
  ) {
    this.files = options.filePriorities ? [...options.filePriorities] : [];
    this.prioritiesFor = options.filePrioritiesFor ?? null;
    this.sequentialOn = options.sequential;
  }

  get filePriorities(): readonly Priority[] {
    return this.files;
  }

  get sequential(): boolean {
    return this.sequentialOn;
  }

  /**
   * The metadata is known: one priority per file, from `filePrioritiesFor` (asked once; a SluiceError it
   * throws is rethrown for the torrent to fail with), the given ones, or the default.
   */
  choose(meta: Metainfo): void {
    const ask = this.prioritiesFor;
    this.prioritiesFor = null;
    if (ask) {
      try {
        this.files = [...ask(meta)];
      } catch (err) {
        throw asSluiceError(err);
      }
    }
    if (this.files.length !== meta.files.length) this.files = meta.files.map((_, i) => this.files[i] ?? DEFAULT_PRIORITY);
  }

  /** Saved priorities and sequential order apply unless the person chose priorities of their own. */
  adoptResume(meta: Metainfo, saved: { readonly filePriorities: readonly number[]; readonly sequential: boolean }): void {
    if (saved.filePriorities.length !== meta.files.length || !this.files.every((p) => p === DEFAULT_PRIORITY)) return;
    this.files = saved.filePriorities.map((p) => Math.max(0, Math.min(7, p)) as Priority);
    this.sequentialOn = this.sequentialOn || saved.sequential;
  }

  /** Whether each file is wanted (padding never is). */
  wanted(meta: Metainfo): boolean[] {
    return meta.files.map((f, i) => !f.padding && this.files[i]! > 0);
  }

  /** A new picker (after a check) takes the priorities and order. */
  applyTo(picker: PiecePicker): void {
    this.applyPieces(picker);
    picker.setSequential(this.sequentialOn);
    const waiting = [...this.waiting];
    this.waiting.clear();
    for (const [piece, deadline] of waiting) if (piece < picker.pieceCount && !picker.hasPiece(piece)) this.setOn(picker, piece, deadline);
  }

  setFilePriority(fileIndex: number, priority: Priority): void {
    const meta = this.deps.meta();
    if (!meta) throw new TorrentError('torrent/no-metadata', 'the torrent has no metadata yet');
    if (!(fileIndex in meta.files)) throw new TorrentError('torrent/bad-file', `no file ${fileIndex} (the torrent has ${meta.files.length})`);
    this.files[fileIndex] = priority;
    void this.deps.storage()?.setFileWanted(fileIndex, priority > 0).catch(() => {});
    this.applyPieces(this.deps.picker());
    this.deps.changed();
    for (const link of this.deps.links.values()) {
      this.deps.interest.update(link);
      link.flush();
    }
  }

  setSequential(on: boolean): void {
    this.sequentialOn = on;
    this.deps.picker()?.setSequential(on);
    this.deps.changed();
  }

  /**
   * Asks for `piece` by `deadline` (ms, session clock); a piece already verified is left alone. Before
   * there is a picker the deadline waits for it (listeners hear of it when it is applied).
   */
  setPieceDeadline(piece: number, deadline: number): void {
    const picker = this.deps.picker();
    if (!picker) {
      this.waiting.set(piece, deadline);
      return;
    }
    if (this.deps.have()?.get(piece)) return;
    this.setOn(picker, piece, deadline);
  }

  clearPieceDeadline(piece: number): void {
    this.waiting.delete(piece);
    const picker = this.deps.picker();
    if (!picker) return;
    picker.clearDeadline(piece);
    this.tell({ type: 'cleared', piece });
  }

  private setOn(picker: PiecePicker, piece: number, deadline: number): void {
    if (picker.priority(piece) === 0) picker.setPriority(piece, 1);
    picker.setDeadline(piece, deadline);
    for (const link of this.deps.links.values()) {
      if (!link.conn.amInterested && link.conn.peerHas(piece)) this.deps.interest.set(link, true);
    }
    this.fillSoon();
    this.tell({ type: 'set', piece, deadline });
  }

  private fillPending = false;

  /**
   * Fills every peer's pipeline once, after the deadlines set in this task: a stream opening sets
   * dozens at once (its read-ahead, a video's index), and a fill per deadline cost a fill of every peer
   * each time (30-100 ms in the browser's worker, in front of the stream's reply). Filling after all of
   * them also asks in deadline order whatever order they were set in.
   */
  private fillSoon(): void {
    if (this.fillPending) return;
    this.fillPending = true;
    void Promise.resolve().then(() => {
      this.fillPending = false;
      for (const link of this.deps.links.values()) this.deps.fill(link);
    });
  }

  /** Hears every deadline set and cleared from now on; returns the way to stop listening. */
  onPieceDeadline(listener: PieceDeadlineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private tell(change: PieceDeadlineChange): void {
    for (const listener of [...this.listeners]) listener(change);
  }

  private applyPieces(picker: PiecePicker | null): void {
    const meta = this.deps.meta();
    if (!meta || !picker) return;
    const priorities = filePiecePriorities(meta, this.files);
    for (let i = 0; i < priorities.length; i++) if (picker.priority(i) !== priorities[i]) picker.setPriority(i, priorities[i]!);
  }
}
