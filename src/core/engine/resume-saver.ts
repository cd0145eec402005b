import type { Alert } from '../api/types.js';
import type { TorrentStorage } from '../ports/storage.js';
import { encodeResume, RESUME_VERSION, type ResumeData } from '../resume/index.js';
import type { Bitfield } from '../util/bitfield.js';
import type { ResumeStore } from './context.js';

/**
 * Changed resume data is saved at most once a second, and never more often than keeps saving under
 * a tenth of the time (a huge torrent's save, a stat of every file, takes a while). See docs/engine/storage.md.
 */
const RESUME_SAVE_MIN_INTERVAL_MS = 1_000;
const RESUME_SAVE_COST_FACTOR = 10;

/** What a save records, read when it runs; null while there is nothing to save (no metadata, checking, removed). */
export interface ResumeSource {
  readonly pieceCount: number;
  readonly storage: Pick<TorrentStorage, 'fileStates' | 'flush' | 'location'>;
  readonly have: Bitfield;
  peers(): readonly string[];
  filePriorities(): readonly number[];
  sequential(): boolean;
}

export interface ResumeSaverDeps {
  readonly infoHashHex: string;
  readonly store: ResumeStore | null;
  now(): number;
  source(): ResumeSource | null;
  emit(alert: Alert): void;
  /** Changed during a save: a tick must come by the next save time, even if no peer wakes the torrent. */
  wake(): void;
}

/**
 * When and how a torrent's resume data is saved: after a change, at most as often as above (`due` in
 * each tick), and on demand (completion, pause, shutdown). Saves run one at a time, in call order, so an
 * older snapshot never lands after a newer one.
 */
export class ResumeSaver {
  private dirty = false;
  /** When changed resume data may be saved next (session clock). */
  private nextSaveAt = 0;
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ResumeSaverDeps) {}

  /** Something resume data records changed. */
  markDirty(): void {
    this.dirty = true;
  }

  /** Starts a save if one is due; returns when one will be (ms), or null when nothing changed. */
  tick(now: number): number | null {
    if (!this.dirty) return null;
    if (now < this.nextSaveAt) return this.nextSaveAt;
    void this.save().catch(() => {});
    return null;
  }

  save(): Promise<void> {
    const run = this.saving.then(() => this.write());
    this.saving = run.catch(() => {});
    return run;
  }

  private async write(): Promise<void> {
    const { deps } = this;
    const source = deps.source();
    if (!deps.store || !source) return;
    const { storage, have } = source;
    this.dirty = false;
    const started = deps.now();
    // No periodic save queues up behind this one; the next may start a while after it ends.
    this.nextSaveAt = Infinity;
    try {
      // File states first: a piece written after them changes its file's mtime, so the next start hashes
      // it whether or not it is claimed. Claims next, then the flush, so every claimed piece is durable.
      const files = await storage.fileStates();
      const claimed = have.toWire();
      await storage.flush();
      const data: ResumeData = {
        version: RESUME_VERSION,
        infoHash: deps.infoHashHex,
        pieceCount: source.pieceCount,
        location: storage.location,
        have: claimed,
        files,
        peers: source.peers().slice(0, 200),
        filePriorities: [...source.filePriorities()],
        sequential: source.sequential(),
        savedAt: Math.floor(deps.now()),
      };
      await deps.store.save(deps.infoHashHex, encodeResume(data));
    } finally {
      const finished = deps.now();
      this.nextSaveAt = finished + Math.max(RESUME_SAVE_MIN_INTERVAL_MS, RESUME_SAVE_COST_FACTOR * (finished - started));
      if (this.dirty) deps.wake();
    }
    deps.emit({ type: 'resume-data-saved', infoHash: deps.infoHashHex });
  }
}
