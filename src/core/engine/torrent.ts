import type { FileStatus, PeerStatus, Priority, TorrentStatus, TrackerStatus, WebSeedStatus } from '../api/types.js';
import { webSeedStatus } from './web-seed-health.js';
import type { Metainfo } from '../metainfo/model.js';
import type { Transport } from '../ports/transport.js';
import { toHex } from '../util/hex.js';
import { fileStatuses, peerStatus, torrentStatus } from './torrent-views.js';
import type { TorrentContext } from './context.js';
import type { PeerSource } from './peer-book.js';
import type { PieceDeadlineListener } from './piece-priorities.js';
import { TorrentError } from './torrent-error.js';
import { openMetainfo } from './metainfo-open.js';
import { deadlineClaimsOf } from './deadline-claims.js';
import { readFileStream, verifiedFileRanges, type FileStreamOptions, type VerifiedRange } from './file-stream.js';
import { wireTorrent, type TorrentHoldings, type TorrentUnits } from './torrent-wiring.js';

export interface TorrentOptions {
  /** The 20-byte hash peers use on the wire (v1, or the v2 hash truncated). */
  readonly infoHash: Uint8Array;
  readonly infoHashV2: Uint8Array | null;
  readonly metainfo: Metainfo | null;
  /** A display name before the metadata is known (a magnet's `dn`). */
  readonly name: string | null;
  readonly trackers: readonly (readonly string[])[];
  readonly peers: readonly string[];
  readonly paused: boolean;
  readonly sequential: boolean;
  readonly filePriorities?: readonly Priority[];
  /** See AddTorrentOptions.filePrioritiesFor. */
  readonly filePrioritiesFor?: (metainfo: Metainfo) => readonly Priority[];
}

export { TorrentError } from './torrent-error.js';

/**
 * One torrent: the coordinator of the small units that torrent-wiring.ts builds (picker, pipelines,
 * choker, announce schedule, peer book, verifier, storage, lifecycle). It owns no socket, timer or
 * file: bytes arrive through PeerLinks, time through `tick(now)`, and everything else through the
 * TorrentContext ports.
 */
export class Torrent {
  readonly infoHash: Uint8Array;
  readonly infoHashHex: string;
  readonly infoHashV2: Uint8Array | null;
  private readonly displayName: string | null;
  private readonly held: TorrentHoldings;
  private readonly units: TorrentUnits;

  constructor(
    private readonly ctx: TorrentContext,
    options: TorrentOptions,
  ) {
    this.infoHash = options.infoHash;
    this.infoHashHex = toHex(options.infoHash);
    this.infoHashV2 = options.infoHashV2;
    this.displayName = options.name;
    this.held = {
      meta: options.metainfo,
      storage: null,
      picker: null,
      availability: null,
      have: null,
      verifier: null,
      metadata: null,
      verifiedBytes: 0,
      uploaded: 0,
    };
    this.units = wireTorrent(ctx, this, this.held, {
      metadataReceived: (meta) => void this.onMetadata(meta),
      finished: () => this.onFinished(),
      addPeers: (addresses, source) => this.addPeers(addresses, source),
      adopt: (transport, address) => void this.attach(transport, [], address),
    }, options);
  }

  get metainfo(): Metainfo | null {
    return this.held.meta;
  }

  get name(): string {
    return this.held.meta?.name ?? this.displayName ?? this.infoHashHex;
  }

  private get isPrivate(): boolean {
    return this.held.meta?.private ?? false;
  }

  now(): number {
    return this.ctx.clock.now();
  }

  // ---------------------------------------------------------------- lifecycle

  /** Opens storage and checks existing data (trusting valid resume data), then starts the swarm work. */
  async start(): Promise<void> {
    if (this.held.meta) await this.useMetainfo(this.held.meta);
    this.units.life.started();
  }

  private async useMetainfo(meta: Metainfo): Promise<void> {
    this.held.meta = meta;
    this.units.life.checking();
    const { ctx } = this;
    const opened = await openMetainfo(
      {
        infoHashHex: this.infoHashHex,
        resume: ctx.resume,
        storage: ctx.storage,
        hasher: ctx.hasher,
        http: ctx.http,
        clock: ctx.clock,
        random: () => ctx.random.float(),
        priorities: this.units.priorities,
        opened: (storage, verifier) => {
          this.held.storage = storage;
          this.held.verifier = verifier;
        },
        cancelled: () => this.removed,
        emit: (alert) => ctx.emit(alert),
      },
      meta,
    );
    if (opened === null || this.removed) return;
    if (!('picker' in opened)) return this.units.life.fail(opened);
    ({ have: this.held.have, picker: this.held.picker, availability: this.held.availability, verifiedBytes: this.held.verifiedBytes } = opened);
    this.units.fetcher.setWebSeeds(opened.webSeeds);
    for (const address of opened.resumePeers) this.units.book.add(address, 'resume', this.now());
    ctx.emit({ type: 'torrent-checked', infoHash: this.infoHashHex, havePieces: opened.have.count() });
    // Readers that waited while the data was checked get the pieces the check found.
    this.units.completion.checked();
    this.units.resumeSaver.markDirty();
    this.units.life.checked(opened.picker.isComplete());
    if (opened.picker.isComplete()) this.units.announcer.markCompleted(this.now());
    this.units.peerLinks.piecesKnown(meta);
  }

  pause(): void {
    this.units.life.pause();
  }

  resume(): void {
    this.units.life.resume();
  }

  /** Stops everything; resolves once the trackers heard `stopped` (the caller bounds the wait) and storage is closed. */
  close(options: { deleteData?: boolean } = {}): Promise<void> {
    return this.units.life.close(options);
  }

  private get removed(): boolean {
    return this.units.life.removed;
  }

  private get active(): boolean {
    return this.units.life.active;
  }

  // ---------------------------------------------------------------- time

  /** Periodic work; returns when it next needs to run (ms, same clock), or null. */
  tick(now: number): number | null {
    if (!this.active) return null;
    let next = now + 1000;
    for (const link of [...this.units.links.values()]) {
      const events = link.conn.poll(now);
      if (events.length > 0) this.units.events.onPeerEvents(link, events);
      if (link.closed) continue;
      const { timedOut } = link.pipeline.poll(now);
      for (const r of timedOut) {
        this.held.picker?.requestCancelled(link.address, r.piece, r.begin);
        link.conn.cancel(r.piece, r.begin, r.length);
      }
      this.held.metadata?.request(link);
      this.units.pex.send(link, now);
      this.units.fetcher.fill(link);
      this.units.uploads.pump(link);
      link.flush();
      const d = link.conn.nextDeadline();
      if (d !== null) next = Math.min(next, d);
    }
    const webSeedAt = this.units.fetcher.pollWebSeeds(now);
    if (webSeedAt !== null) next = Math.min(next, webSeedAt);
    next = Math.min(next, this.units.chokes.tick(now));
    const announceAt = this.units.announcer.tick(now);
    if (announceAt !== null) next = Math.min(next, announceAt);
    if (!this.isPrivate) this.units.dialer.discover(now);
    this.units.dialer.dialMore(now);
    const bookAt = this.units.book.nextDeadline();
    if (bookAt !== null) next = Math.min(next, Math.max(bookAt, now + 50));
    const saveAt = this.units.resumeSaver.tick(now);
    if (saveAt !== null) next = Math.min(next, saveAt);
    return Math.max(next, now + 10);
  }

  // ---------------------------------------------------------------- peers

  /** Adds addresses to dial (from --peer, a tracker, the DHT, PEX). */
  addPeers(addresses: readonly string[], source: PeerSource): void {
    const now = this.now();
    let added = false;
    for (const a of addresses) added = this.units.book.add(a, source, now) || added;
    if (added) this.ctx.wake();
  }

  /**
   * Takes over a connection: dialled by us, or accepted with its first bytes already read (`replay`).
   * `wireInfoHash` is the hash the peer's handshake named (a hybrid's truncated v2 hash, say); we answer with it.
   */
  attach(transport: Transport, replay: readonly Uint8Array[], key = transport.remoteAddress, wireInfoHash: Uint8Array = this.infoHash): boolean {
    return this.units.peerLinks.attach(transport, replay, key, wireInfoHash);
  }

  // ---------------------------------------------------------------- downloading

  private onFinished(): void {
    this.units.life.finished();
    this.units.announcer.markCompleted(this.now());
    this.ctx.emit({ type: 'torrent-finished', infoHash: this.infoHashHex });
    for (const link of this.units.links.values()) {
      this.units.interest.set(link, false);
      // Two seeds have nothing to say to each other.
      if (link.seed && this.held.have?.hasAll()) link.close();
      else link.flush();
    }
    void this.saveResumeData().catch(() => {});
  }

  // ---------------------------------------------------------------- metadata (BEP 9) and PEX (BEP 11)

  private async onMetadata(meta: Metainfo): Promise<void> {
    this.held.metadata = null;
    this.held.meta = meta;
    this.units.peerLinks.metadataKnown(meta);
    this.ctx.emit({ type: 'metadata-received', infoHash: this.infoHashHex });
    await this.useMetainfo(meta);
    this.ctx.wake();
  }

  // ---------------------------------------------------------------- trackers

  /** A signalling tracker's offer failed to connect: announce there again in a few seconds with fresh offers. */
  announceSoon(url: string): void {
    if (this.active && this.units.announcer.hurry(url, this.now())) this.ctx.wake();
  }

  /** Adds trackers (from --tracker or a magnet) as a tier of their own. */
  addTrackers(urls: readonly string[]): void {
    this.units.announcer.addTier(urls);
    this.ctx.wake();
  }

  // ---------------------------------------------------------------- priorities and streaming

  setFilePriority(fileIndex: number, priority: Priority): void {
    this.units.priorities.setFilePriority(fileIndex, priority);
    if (this.units.life.selectionChanged()) this.onFinished();
    this.ctx.wake();
  }

  setSequential(on: boolean): void {
    this.units.priorities.setSequential(on);
  }

  /** Asks for `piece` by `deadline` (ms, session clock): streaming readers call this for what they wait on. */
  setPieceDeadline(piece: number, deadline: number): void {
    this.units.priorities.setPieceDeadline(piece, deadline);
  }

  clearPieceDeadline(piece: number): void {
    this.units.priorities.clearPieceDeadline(piece);
  }

  /** `holder` wants `piece` by `deadline`, alongside this torrent's readers (deadline-claims.ts): a reader letting go keeps it. */
  holdPieceDeadline(piece: number, holder: object, deadline: number): void {
    deadlineClaimsOf(this).hold(piece, holder, deadline);
  }

  /** `holder` no longer waits for `piece` (the others holding it keep it due). */
  releasePieceDeadline(piece: number, holder: object): void {
    deadlineClaimsOf(this).release(piece, holder);
  }

  /** `holder` no longer waits for any piece. */
  releasePieceDeadlines(holder: object): void {
    deadlineClaimsOf(this).releaseAll(holder);
  }

  /** Hears every piece deadline set and cleared on this torrent (the bridge forwards them); returns the unsubscribe. */
  onPieceDeadline(listener: PieceDeadlineListener): () => void {
    return this.units.priorities.onPieceDeadline(listener);
  }

  hasPiece(piece: number): boolean {
    return this.held.have?.get(piece) ?? false;
  }

  /** Resolves once `piece` is verified and stored. */
  waitForPiece(piece: number): Promise<void> {
    return this.units.completion.waitFor(piece);
  }

  /** Verified bytes of a piece (the caller must have waited for it). */
  readVerified(piece: number, begin: number, length: number): Promise<Uint8Array> {
    if (!this.held.storage || !this.held.have?.get(piece)) return Promise.reject(new TorrentError('torrent/bad-range', `piece ${piece} is not verified`));
    return this.held.storage.read(piece, begin, length);
  }

  /** The verified bytes of file `fileIndex` from `start` to `end` (exclusive), fetched with priority as they are read. */
  readStream(fileIndex: number, options: FileStreamOptions = {}): AsyncGenerator<Uint8Array> {
    return readFileStream(this, fileIndex, options);
  }

  /** Where the stretches of that range are, as they are verified (`readStream` without reading them). */
  streamRanges(fileIndex: number, options: FileStreamOptions = {}): AsyncGenerator<VerifiedRange> {
    return verifiedFileRanges(this, fileIndex, options);
  }

  async forceRecheck(): Promise<void> {
    const meta = this.held.meta;
    if (!meta || !this.held.storage) throw new TorrentError('torrent/no-metadata', 'the torrent has no metadata yet');
    this.units.peerLinks.closeAll();
    await this.ctx.resume?.remove(this.infoHashHex).catch(() => {});
    this.held.picker = null;
    this.held.availability = null;
    this.held.have = null;
    this.units.buffers.clear();
    await this.useMetainfo(meta);
    this.ctx.wake();
  }

  /** Saves one at a time, in call order, so an older snapshot never lands after a newer one. */
  saveResumeData(): Promise<void> {
    return this.units.resumeSaver.save();
  }

  // ---------------------------------------------------------------- status

  status(): TorrentStatus {
    const now = this.now();
    return torrentStatus({
      infoHashHex: this.infoHashHex,
      infoHashV2: this.infoHashV2,
      name: this.name,
      meta: this.held.meta,
      have: this.held.have,
      filePriorities: this.units.priorities.filePriorities,
      state: this.units.life.state,
      sequential: this.units.priorities.sequential,
      error: this.units.life.error,
      verifiedBytes: this.held.verifiedBytes,
      downloaded: this.units.fetcher.downloaded,
      uploaded: this.held.uploaded,
      downloadRate: this.units.fetcher.meter.rate(now),
      uploadRate: this.units.uploadMeter.rate(now),
      links: this.units.links.values(),
    });
  }

  files(): FileStatus[] {
    return this.held.meta ? fileStatuses(this.held.meta, this.held.have, this.units.priorities.filePriorities) : [];
  }

  peers(): PeerStatus[] {
    const now = this.now();
    const count = this.held.meta?.pieceCount ?? 0;
    return [...this.units.links.values()].filter((l) => l.conn.ready).map((l) => peerStatus(l, count, now));
  }

  trackers(): TrackerStatus[] {
    return this.units.announcer.status();
  }

  webSeeds(): WebSeedStatus[] {
    return this.units.fetcher.webSeeds.map(webSeedStatus);
  }

  setRateLimits(download: number, upload: number): void {
    const now = this.now();
    this.units.downloadBucket.setRate(download, now);
    this.units.uploadBucket.setRate(upload, now);
  }
}
