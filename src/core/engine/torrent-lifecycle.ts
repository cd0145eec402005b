import type { Alert, TorrentState } from '../api/types.js';
import type { SluiceError } from '../errors.js';

/** What the lifecycle drives; the torrent owns the units behind these. */
export interface TorrentLifecycleDeps {
  readonly infoHashHex: string;
  /** Whether every wanted piece is verified; null while there is no picker (no metadata, or checking). */
  complete(): boolean | null;
  closeLinks(): void;
  /** Tells the trackers `stopped`. */
  stopAnnounces(): void;
  /** Announces afresh (`started`) after a pause. */
  restartAnnounces(): void;
  saveResume(): Promise<void>;
  /** Lets go of storage, buffers and waiters on close; deletes the data and resume data when asked. */
  release(deleteData: boolean): Promise<void>;
  /** Resolves once no announce is in flight any more. */
  settleAnnounces(): Promise<void>;
  emit(alert: Alert): void;
  wake(): void;
}

/**
 * A torrent's state machine: metadata → checking → downloading ⇄ seeding, with paused, error and
 * removed beside it. It decides the transitions and their order (peers closed before `stopped` is
 * announced, resume data saved before storage closes) and emits `state-changed` and `torrent-error`.
 */
export class TorrentLifecycle {
  private current: TorrentState;
  private isPaused: boolean;
  private failure: SluiceError | null = null;
  private isRemoved = false;

  constructor(
    private readonly deps: TorrentLifecycleDeps,
    start: { readonly hasMetadata: boolean; readonly paused: boolean },
  ) {
    this.current = start.hasMetadata ? 'checking' : 'metadata';
    this.isPaused = start.paused;
  }

  get state(): TorrentState {
    return this.current;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  get error(): SluiceError | null {
    return this.failure;
  }

  get removed(): boolean {
    return this.isRemoved;
  }

  /** Whether swarm work (ticks, dialling, requests) may run. */
  get active(): boolean {
    return !this.isRemoved && !this.isPaused && this.current !== 'error' && this.current !== 'checking';
  }

  /** After `start()` opened what it could: ask for a tick unless there is nothing to do. */
  started(): void {
    if (this.isRemoved) return;
    if (!this.isPaused && this.current !== 'error') this.deps.wake();
  }

  checking(): void {
    this.setState('checking');
  }

  /** The data check is done: where the torrent stands now. */
  checked(complete: boolean): void {
    this.setState(this.isPaused ? 'paused' : complete ? 'seeding' : 'downloading');
  }

  /** Every wanted piece is verified. */
  finished(): void {
    this.setState('seeding');
  }

  /** A file's priority changed; returns true when that made the torrent finished (the caller announces it). */
  selectionChanged(): boolean {
    const complete = this.deps.complete();
    if (complete === false && this.current === 'seeding') this.setState('downloading');
    return complete === true && this.current === 'downloading';
  }

  pause(): void {
    if (this.isPaused || this.isRemoved) return;
    this.isPaused = true;
    this.deps.closeLinks();
    this.deps.stopAnnounces();
    if (this.current !== 'error' && this.current !== 'checking' && this.current !== 'metadata') this.setState('paused');
    void this.deps.saveResume().catch(() => {});
  }

  resume(): void {
    // A full disk is the one error a resume clears, paused or not: the person made room and tries again
    // (the message says "then resume", and the page offers Resume for it).
    const fullDisk = this.current === 'error' && this.failure?.code === 'storage/disk-full';
    if ((!this.isPaused && !fullDisk) || this.isRemoved) return;
    this.isPaused = false;
    this.deps.restartAnnounces();
    const complete = this.deps.complete();
    if (this.current === 'paused') this.setState(complete ? 'seeding' : complete === false ? 'downloading' : 'metadata');
    if (fullDisk) {
      this.failure = null;
      this.setState(complete ? 'seeding' : 'downloading');
    }
    this.deps.wake();
  }

  /** Stops everything; resolves once the trackers heard `stopped` (the caller bounds the wait) and storage is released. */
  async close(options: { deleteData?: boolean } = {}): Promise<void> {
    if (this.isRemoved) return;
    if (!options.deleteData) await this.deps.saveResume().catch(() => {});
    this.isRemoved = true;
    this.deps.closeLinks();
    this.deps.stopAnnounces();
    await this.deps.release(options.deleteData ?? false);
    // A `completed` may chain a `stopped` after it: wait until nothing is left in flight.
    await this.deps.settleAnnounces();
  }

  fail(error: SluiceError): void {
    // Writes in flight fail together when the disk fills: the first failure stopped the torrent and says why, once.
    if (this.current === 'error') return;
    this.failure = error;
    this.setState('error');
    this.deps.emit({ type: 'torrent-error', infoHash: this.deps.infoHashHex, code: error.code, message: error.message });
    this.deps.closeLinks();
  }

  private setState(state: TorrentState): void {
    if (this.current === state) return;
    this.current = state;
    this.deps.emit({ type: 'state-changed', infoHash: this.deps.infoHashHex, state });
  }
}
