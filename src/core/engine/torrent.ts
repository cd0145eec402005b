import type { FileStatus, PeerStatus, Priority, TorrentState, TorrentStatus, TrackerStatus } from '../api/types.js';
import type { SluiceError } from '../errors.js';
import { DEFAULT_LOCAL_EXTENSIONS } from '../extensions/names.js';
import type { Metainfo } from '../metainfo/model.js';
import type { PiecePicker } from '../picker/piece-picker.js';
import type { TorrentStorage } from '../ports/storage.js';
import type { Transport } from '../ports/transport.js';
import { RateMeter } from '../rate/rate-meter.js';
import type { Bitfield } from '../util/bitfield.js';
import { toHex } from '../util/hex.js';
import { bytesEqual } from '../util/bytes.js';
import { fileStatuses, peerStatus, torrentStatus } from './torrent-views.js';
import { TrackerAnnouncer } from './tracker-announcer.js';
import type { TorrentContext } from './context.js';
import { PeerDialer } from './peer-dialer.js';
import { PeerBook, type PeerSource } from './peer-book.js';
import type { PeerLink } from './peer-link.js';
import { PeerLinks } from './peer-links.js';
import { PieceBuffers } from './piece-buffers.js';
import type { AvailabilityLedger } from './availability-ledger.js';
import type { PieceVerifier } from './piece-verifier.js';
import { PiecePriorities, type PieceDeadlineListener } from './piece-priorities.js';
import { TokenBucket } from './token-bucket.js';
import { SmartBan } from './smart-ban.js';
import { UploadQueue } from './upload-queue.js';
import { MetadataFetch } from './metadata-fetch.js';
import { TorrentError } from './torrent-error.js';
import { openMetainfo } from './metainfo-open.js';
import { PieceCompletion } from './piece-completion.js';
import { BlockFetcher } from './block-fetcher.js';
import { ChokeRounds } from './choke-rounds.js';
import { PeerEventHandler } from './peer-events.js';
import { PeerInterest } from './peer-interest.js';
import { PexExchange } from './pex-exchange.js';
import { ResumeSaver } from './resume-saver.js';
import { readFileStream, type FileStreamOptions } from './file-stream.js';

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

/** Bytes of verified-but-unwritten and partially received pieces we hold before asking for more. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

/**
 * One torrent: the coordinator that wires the small units together (picker, pipelines, choker,
 * announce schedule, peer book, verifier, storage). It owns no socket, timer or file: bytes arrive
 * through PeerLinks, time through `tick(now)`, and everything else through the TorrentContext ports.
 */
export class Torrent {
  readonly infoHash: Uint8Array;
  readonly infoHashHex: string;
  readonly infoHashV2: Uint8Array | null;
  private meta: Metainfo | null;
  private displayName: string | null;
  private storage: TorrentStorage | null = null;
  private picker: PiecePicker | null = null;
  private availability: AvailabilityLedger<PeerLink> | null = null;
  private have: Bitfield | null = null;
  private verifier: PieceVerifier | null = null;
  private readonly links = new Map<string, PeerLink>();
  private readonly uploads: UploadQueue;
  private readonly pex: PexExchange;
  private readonly interest: PeerInterest;
  private readonly chokes: ChokeRounds;
  private readonly events: PeerEventHandler;
  private readonly book = new PeerBook();
  private readonly announcer: TrackerAnnouncer;
  private readonly buffers: PieceBuffers;
  private readonly fetcher: BlockFetcher;
  private readonly completion: PieceCompletion;
  private readonly resumeSaver: ResumeSaver;
  private readonly uploadMeter = new RateMeter();
  private readonly downloadBucket: TokenBucket;
  private readonly uploadBucket: TokenBucket;
  private metadata: MetadataFetch | null = null;
  private smartBan: SmartBan;
  private readonly priorities: PiecePriorities;
  private state: TorrentState;
  private paused: boolean;
  private error: SluiceError | null = null;
  private uploaded = 0;
  private verifiedBytes = 0;
  /** Discovery (never for private torrents) and dialling. */
  private readonly dialer: PeerDialer;
  private removed = false;
  private readonly peerLinks: PeerLinks;

  constructor(
    private readonly ctx: TorrentContext,
    options: TorrentOptions,
  ) {
    this.infoHash = options.infoHash;
    this.infoHashHex = toHex(options.infoHash);
    this.infoHashV2 = options.infoHashV2;
    this.meta = options.metainfo;
    this.displayName = options.name;
    this.paused = options.paused;
    this.state = this.meta ? 'checking' : 'metadata';
    const now = ctx.clock.now();
    const k = ctx.random.bytes(4);
    this.announcer = new TrackerAnnouncer(this.meta?.announce ?? [], {
      infoHash: this.infoHash,
      infoHashHex: this.infoHashHex,
      peerId: ctx.peerId,
      key: ((k[0]! << 24) | (k[1]! << 16) | (k[2]! << 8) | k[3]!) >>> 0,
      now: () => this.now(),
      listenPort: () => ctx.settings().listenPort,
      tracker: (url) => ctx.tracker(url),
      figures: () => this.announceFigures(),
      peersFound: (addresses) => this.addPeers(addresses, 'tracker'),
      emit: (alert) => ctx.emit(alert),
      wake: () => ctx.wake(),
    });
    for (const tier of options.trackers) this.announcer.addTier(tier);
    for (const address of options.peers) this.book.add(address, 'manual', now);
    this.downloadBucket = new TokenBucket(0, now);
    this.uploadBucket = new TokenBucket(0, now);
    if (!this.meta) {
      const expected = { v1: this.v1Known ? this.infoHash : null, v2: this.infoHashV2 };
      this.metadata = new MetadataFetch(ctx.hasher, expected, () => this.now(), (meta) => void this.onMetadata(meta));
    }
    this.smartBan = new SmartBan(ctx.hasher);
    this.dialer = new PeerDialer({
      infoHash: this.infoHash,
      book: this.book,
      ctx,
      active: () => this.active,
      now: () => this.now(),
      connections: () => this.links.size,
      isConnected: (address) => this.links.has(address),
      adopt: (transport, address) => this.attach(transport, [], address),
    });
    this.buffers = new PieceBuffers(MAX_BUFFERED_BYTES, ctx.pieceBuffer ?? undefined);
    this.completion = new PieceCompletion({
      infoHashHex: this.infoHashHex,
      picker: () => this.picker,
      verifier: () => this.verifier,
      storage: () => this.storage,
      have: () => this.have,
      removed: () => this.removed,
      links: this.links,
      buffers: this.buffers,
      smartBan: this.smartBan,
      book: this.book,
      webSeed: (id) => this.fetcher.webSeed(id),
      emit: (alert) => ctx.emit(alert),
      storageFailed: (error) => this.fail(error),
      stored: (_index, bytes) => {
        this.verifiedBytes += bytes;
        this.resumeSaver.markDirty();
      },
      verified: () => {
        if (this.picker?.isComplete()) this.onFinished();
        for (const link of this.links.values()) this.fetcher.fill(link);
      },
    });
    this.fetcher = new BlockFetcher({
      now: () => this.now(),
      active: () => this.active,
      removed: () => this.removed,
      picker: () => this.picker,
      peerPieces: (link) => this.availability?.pieces(link) ?? null,
      links: this.links,
      buffers: this.buffers,
      maxBufferedBytes: MAX_BUFFERED_BYTES,
      buckets: [ctx.downloadBucket, this.downloadBucket],
      smartBan: this.smartBan,
      pieceComplete: (index) => void this.completion.finish(index),
      wake: () => ctx.wake(),
    });
    this.uploads = new UploadQueue({
      now: () => this.now(),
      storage: () => this.storage,
      has: (index) => this.have?.get(index) ?? false,
      buckets: [ctx.uploadBucket, this.uploadBucket],
      sent: (link, bytes, now) => {
        link.uploadMeter.add(bytes, now);
        this.uploadMeter.add(bytes, now);
        this.uploaded += bytes;
      },
    });
    this.resumeSaver = new ResumeSaver({
      infoHashHex: this.infoHashHex,
      store: ctx.resume,
      now: () => this.now(),
      source: () => {
        const { meta, storage, have } = this;
        if (!meta || !storage || !have || this.removed) return null;
        return {
          pieceCount: meta.pieceCount,
          storage,
          have,
          peers: () => this.book.addresses(),
          filePriorities: () => this.priorities.filePriorities,
          sequential: () => this.priorities.sequential,
        };
      },
      emit: (alert) => ctx.emit(alert),
      wake: () => ctx.wake(),
    });
    this.pex = new PexExchange(this.links, () => this.isPrivate);
    this.interest = new PeerInterest({ picker: () => this.picker, have: () => this.have, fill: (link) => this.fetcher.fill(link) });
    this.priorities = new PiecePriorities(
      {
        picker: () => this.picker,
        have: () => this.have,
        meta: () => this.meta,
        storage: () => this.storage,
        links: this.links,
        interest: this.interest,
        fill: (link) => this.fetcher.fill(link),
        changed: () => this.resumeSaver.markDirty(),
      },
      options,
    );
    this.chokes = new ChokeRounds({
      slots: ctx.settings().unchokeSlots,
      random: () => ctx.random.float(),
      links: this.links,
      seeding: () => this.picker?.isComplete() ?? false,
      uploads: this.uploads,
    });
    this.peerLinks = new PeerLinks({
      links: this.links,
      infoHash: this.infoHash,
      infoHashHex: this.infoHashHex,
      localPeerId: ctx.peerId,
      extensions: this.isPrivate ? { ut_metadata: DEFAULT_LOCAL_EXTENSIONS.ut_metadata!, lt_donthave: DEFAULT_LOCAL_EXTENSIONS.lt_donthave! } : DEFAULT_LOCAL_EXTENSIONS,
      now: () => this.now(),
      settings: () => ctx.settings(),
      accepting: () => this.active,
      meta: () => this.meta,
      book: this.book,
      members: [this.uploads, this.pex],
      picker: () => this.picker,
      availability: () => this.availability,
      metadataFetch: () => this.metadata,
      events: (link, events) => this.events.onPeerEvents(link, events),
      drained: (link) => {
        this.uploads.pump(link);
        link.flush();
      },
      fill: (link) => this.fetcher.fill(link),
      updateInterest: (link) => this.interest.update(link),
      emit: (alert) => ctx.emit(alert),
      wake: () => ctx.wake(),
    });
    this.events = new PeerEventHandler({
      infoHashHex: this.infoHashHex,
      localPeerId: ctx.peerId,
      now: () => this.now(),
      links: this.links,
      have: () => this.have,
      availability: () => this.availability,
      picker: () => this.picker,
      metadataFetch: () => this.metadata,
      infoBytes: () => this.meta?.infoBytes ?? null,
      interest: this.interest,
      fetcher: this.fetcher,
      uploads: this.uploads,
      chokes: this.chokes,
      pex: this.pex,
      addPeers: (addresses) => this.addPeers(addresses, 'pex'),
      emit: (alert) => ctx.emit(alert),
    });
  }

  get metainfo(): Metainfo | null {
    return this.meta;
  }

  get name(): string {
    return this.meta?.name ?? this.displayName ?? this.infoHashHex;
  }

  private get isPrivate(): boolean {
    return this.meta?.private ?? false;
  }

  now(): number {
    return this.ctx.clock.now();
  }

  // ---------------------------------------------------------------- lifecycle

  /** Opens storage and checks existing data (trusting valid resume data), then starts the swarm work. */
  async start(): Promise<void> {
    if (this.meta) await this.useMetainfo(this.meta);
    if (this.removed) return;
    if (!this.paused && this.state !== 'error') this.ctx.wake();
  }

  private async useMetainfo(meta: Metainfo): Promise<void> {
    this.meta = meta;
    this.setState('checking');
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
        priorities: this.priorities,
        opened: (storage, verifier) => {
          this.storage = storage;
          this.verifier = verifier;
        },
        cancelled: () => this.removed,
        emit: (alert) => ctx.emit(alert),
      },
      meta,
    );
    if (opened === null || this.removed) return;
    if (!('picker' in opened)) return this.fail(opened);
    ({ have: this.have, picker: this.picker, availability: this.availability, verifiedBytes: this.verifiedBytes } = opened);
    this.fetcher.setWebSeeds(opened.webSeeds);
    for (const address of opened.resumePeers) this.book.add(address, 'resume', this.now());
    ctx.emit({ type: 'torrent-checked', infoHash: this.infoHashHex, havePieces: opened.have.count() });
    this.resumeSaver.markDirty();
    this.setState(this.paused ? 'paused' : opened.picker.isComplete() ? 'seeding' : 'downloading');
    if (opened.picker.isComplete()) this.announcer.markCompleted(this.now());
    this.peerLinks.piecesKnown(meta);
  }

  pause(): void {
    if (this.paused || this.removed) return;
    this.paused = true;
    this.peerLinks.closeAll();
    this.sendStopped();
    if (this.state !== 'error' && this.state !== 'checking' && this.state !== 'metadata') this.setState('paused');
    void this.saveResumeData().catch(() => {});
  }

  resume(): void {
    if (!this.paused || this.removed) return;
    this.paused = false;
    this.announcer.restart(this.now());
    if (this.state === 'paused') this.setState(this.picker?.isComplete() ? 'seeding' : this.picker ? 'downloading' : 'metadata');
    if (this.state === 'error' && this.error?.code === 'storage/disk-full') {
      this.error = null;
      this.setState(this.picker?.isComplete() ? 'seeding' : 'downloading');
    }
    this.ctx.wake();
  }

  /** Stops everything; resolves once the trackers heard `stopped` (the caller bounds the wait) and storage is closed. */
  async close(options: { deleteData?: boolean } = {}): Promise<void> {
    if (this.removed) return;
    if (!options.deleteData) await this.saveResumeData().catch(() => {});
    this.removed = true;
    this.peerLinks.closeAll();
    this.sendStopped();
    this.completion.rejectWaiters();
    this.buffers.clear();
    const storage = this.storage;
    this.storage = null;
    if (storage) {
      if (options.deleteData) await storage.deleteData().catch(() => {});
      else await storage.close().catch(() => {});
    }
    if (options.deleteData) await this.ctx.resume?.remove(this.infoHashHex).catch(() => {});
    // A `completed` may chain a `stopped` after it: wait until nothing is left in flight.
    await this.announcer.settle();
  }

  private sendStopped(): void {
    this.announcer.stop();
  }


  private setState(state: TorrentState): void {
    if (this.state === state) return;
    this.state = state;
    this.ctx.emit({ type: 'state-changed', infoHash: this.infoHashHex, state });
  }

  private fail(error: SluiceError): void {
    this.error = error;
    this.setState('error');
    this.ctx.emit({ type: 'torrent-error', infoHash: this.infoHashHex, code: error.code, message: error.message });
    this.peerLinks.closeAll();
  }

  private get active(): boolean {
    return !this.removed && !this.paused && this.state !== 'error' && this.state !== 'checking';
  }

  // ---------------------------------------------------------------- time

  /** Periodic work; returns when it next needs to run (ms, same clock), or null. */
  tick(now: number): number | null {
    if (!this.active) return null;
    let next = now + 1000;
    for (const link of [...this.links.values()]) {
      const events = link.conn.poll(now);
      if (events.length > 0) this.events.onPeerEvents(link, events);
      if (link.closed) continue;
      const { timedOut } = link.pipeline.poll(now);
      for (const r of timedOut) {
        this.picker?.requestCancelled(link.address, r.piece, r.begin);
        link.conn.cancel(r.piece, r.begin, r.length);
      }
      this.metadata?.request(link);
      this.pex.send(link, now);
      this.fetcher.fill(link);
      this.uploads.pump(link);
      link.flush();
      const d = link.conn.nextDeadline();
      if (d !== null) next = Math.min(next, d);
    }
    const webSeedAt = this.fetcher.pollWebSeeds(now);
    if (webSeedAt !== null) next = Math.min(next, webSeedAt);
    next = Math.min(next, this.chokes.tick(now));
    const announceAt = this.announcer.tick(now);
    if (announceAt !== null) next = Math.min(next, announceAt);
    if (!this.isPrivate) this.dialer.discover(now);
    this.dialer.dialMore(now);
    const bookAt = this.book.nextDeadline();
    if (bookAt !== null) next = Math.min(next, Math.max(bookAt, now + 50));
    const saveAt = this.resumeSaver.tick(now);
    if (saveAt !== null) next = Math.min(next, saveAt);
    return Math.max(next, now + 10);
  }

  // ---------------------------------------------------------------- peers

  /** Adds addresses to dial (from --peer, a tracker, the DHT, PEX). */
  addPeers(addresses: readonly string[], source: PeerSource): void {
    const now = this.now();
    let added = false;
    for (const a of addresses) added = this.book.add(a, source, now) || added;
    if (added) this.ctx.wake();
  }

  /**
   * Takes over a connection: dialled by us, or accepted with its first bytes already read (`replay`).
   * `wireInfoHash` is the hash the peer's handshake named (a hybrid's truncated v2 hash, say); we answer with it.
   */
  attach(transport: Transport, replay: readonly Uint8Array[], key = transport.remoteAddress, wireInfoHash: Uint8Array = this.infoHash): boolean {
    return this.peerLinks.attach(transport, replay, key, wireInfoHash);
  }

  // ---------------------------------------------------------------- downloading

  private onFinished(): void {
    this.setState('seeding');
    this.announcer.markCompleted(this.now());
    this.ctx.emit({ type: 'torrent-finished', infoHash: this.infoHashHex });
    for (const link of this.links.values()) {
      this.interest.set(link, false);
      // Two seeds have nothing to say to each other.
      if (link.seed && this.have?.hasAll()) link.close();
      else link.flush();
    }
    void this.saveResumeData().catch(() => {});
  }

  // ---------------------------------------------------------------- metadata (BEP 9) and PEX (BEP 11)

  private async onMetadata(meta: Metainfo): Promise<void> {
    this.metadata = null;
    this.meta = meta;
    this.peerLinks.metadataKnown(meta);
    this.ctx.emit({ type: 'metadata-received', infoHash: this.infoHashHex });
    await this.useMetainfo(meta);
    this.ctx.wake();
  }

  /** For a v2-only magnet the 20-byte wire hash is a truncated SHA-256, not a SHA-1. */
  private get v1Known(): boolean {
    return this.infoHashV2 === null || !bytesEqual(this.infoHash, this.infoHashV2.subarray(0, 20));
  }

  // ---------------------------------------------------------------- trackers

  private offerBudget(): number {
    return Math.max(0, Math.min(this.picker?.isComplete() ? 3 : 10, this.dialer.room(), this.ctx.connectionBudget()));
  }

  /** What announces report: for a magnet without metadata, `left` is a placeholder that says "not a seed". */
  private announceFigures() {
    const meta = this.meta;
    const left = meta && this.have ? Math.max(0, meta.length - this.verifiedBytes) : meta ? meta.length : 16 * 1024 * 1024;
    return { uploaded: this.uploaded, downloaded: this.fetcher.downloaded, left, offerBudget: this.offerBudget() };
  }

  /** A signalling tracker's offer failed to connect: announce there again in a few seconds with fresh offers. */
  announceSoon(url: string): void {
    if (this.active && this.announcer.hurry(url, this.now())) this.ctx.wake();
  }

  /** Adds trackers (from --tracker or a magnet) as a tier of their own. */
  addTrackers(urls: readonly string[]): void {
    this.announcer.addTier(urls);
    this.ctx.wake();
  }

  // ---------------------------------------------------------------- priorities and streaming

  setFilePriority(fileIndex: number, priority: Priority): void {
    this.priorities.setFilePriority(fileIndex, priority);
    if (this.picker && !this.picker.isComplete() && this.state === 'seeding') this.setState('downloading');
    if (this.picker?.isComplete() && this.state === 'downloading') this.onFinished();
    this.ctx.wake();
  }

  setSequential(on: boolean): void {
    this.priorities.setSequential(on);
  }

  /** Asks for `piece` by `deadline` (ms, session clock): streaming readers call this for what they wait on. */
  setPieceDeadline(piece: number, deadline: number): void {
    this.priorities.setPieceDeadline(piece, deadline);
  }

  clearPieceDeadline(piece: number): void {
    this.priorities.clearPieceDeadline(piece);
  }

  /** Hears every piece deadline set and cleared on this torrent (the bridge forwards them); returns the unsubscribe. */
  onPieceDeadline(listener: PieceDeadlineListener): () => void {
    return this.priorities.onPieceDeadline(listener);
  }

  hasPiece(piece: number): boolean {
    return this.have?.get(piece) ?? false;
  }

  /** Resolves once `piece` is verified and stored. */
  waitForPiece(piece: number): Promise<void> {
    return this.completion.waitFor(piece);
  }

  /** Verified bytes of a piece (the caller must have waited for it). */
  readVerified(piece: number, begin: number, length: number): Promise<Uint8Array> {
    if (!this.storage || !this.have?.get(piece)) return Promise.reject(new TorrentError('torrent/bad-range', `piece ${piece} is not verified`));
    return this.storage.read(piece, begin, length);
  }

  /** The verified bytes of file `fileIndex` from `start` to `end` (exclusive), fetched with priority as they are read. */
  readStream(fileIndex: number, options: FileStreamOptions = {}): AsyncGenerator<Uint8Array> {
    return readFileStream(this, fileIndex, options);
  }

  async forceRecheck(): Promise<void> {
    const meta = this.meta;
    if (!meta || !this.storage) throw new TorrentError('torrent/no-metadata', 'the torrent has no metadata yet');
    this.peerLinks.closeAll();
    await this.ctx.resume?.remove(this.infoHashHex).catch(() => {});
    this.picker = null;
    this.availability = null;
    this.have = null;
    this.buffers.clear();
    await this.useMetainfo(meta);
    this.ctx.wake();
  }

  /** Saves one at a time, in call order, so an older snapshot never lands after a newer one. */
  saveResumeData(): Promise<void> {
    return this.resumeSaver.save();
  }

  // ---------------------------------------------------------------- status

  status(): TorrentStatus {
    const now = this.now();
    return torrentStatus({
      infoHashHex: this.infoHashHex,
      infoHashV2: this.infoHashV2,
      name: this.name,
      meta: this.meta,
      have: this.have,
      filePriorities: this.priorities.filePriorities,
      state: this.state,
      sequential: this.priorities.sequential,
      error: this.error,
      verifiedBytes: this.verifiedBytes,
      downloaded: this.fetcher.downloaded,
      uploaded: this.uploaded,
      downloadRate: this.fetcher.meter.rate(now),
      uploadRate: this.uploadMeter.rate(now),
      links: this.links.values(),
    });
  }

  files(): FileStatus[] {
    return this.meta ? fileStatuses(this.meta, this.have, this.priorities.filePriorities) : [];
  }

  peers(): PeerStatus[] {
    const now = this.now();
    const count = this.meta?.pieceCount ?? 0;
    return [...this.links.values()].filter((l) => l.conn.ready).map((l) => peerStatus(l, count, now));
  }

  trackers(): TrackerStatus[] {
    return this.announcer.status();
  }

  setRateLimits(download: number, upload: number): void {
    const now = this.now();
    this.downloadBucket.setRate(download, now);
    this.uploadBucket.setRate(upload, now);
  }
}
