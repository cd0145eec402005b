import type { FileStatus, PeerStatus, Priority, TorrentState, TorrentStatus, TrackerStatus } from '../api/types.js';
import type { SluiceError } from '../errors.js';
import { DEFAULT_LOCAL_EXTENSIONS, type LocalExtensionIds } from '../extensions/names.js';
import { pieceSize } from '../metainfo/layout.js';
import type { Metainfo } from '../metainfo/model.js';
import type { PeerEvent } from '../peer/events.js';
import { PeerConnection } from '../peer/peer-connection.js';
import { PiecePicker } from '../picker/piece-picker.js';
import { RequestPipeline } from '../pipeline/request-pipeline.js';
import type { TorrentStorage } from '../ports/storage.js';
import type { Transport } from '../ports/transport.js';
import { RateMeter } from '../rate/rate-meter.js';
import { checkTorrentData, loadResumeData } from './data-check.js';
import type { Bitfield } from '../util/bitfield.js';
import { toHex } from '../util/hex.js';
import { bytesEqual } from '../util/bytes.js';
import { fileStatuses, peerStatus, verifiedWantedBytes, wantedBytes } from './torrent-views.js';
import { SLUICE_VERSION } from '../version.js';
import { TrackerAnnouncer } from './tracker-announcer.js';
import type { TorrentContext } from './context.js';
import { PeerDialer } from './peer-dialer.js';
import { PeerBook, type PeerSource } from './peer-book.js';
import { PeerLink, type PeerLinkHost } from './peer-link.js';
import { PieceBuffers } from './piece-buffers.js';
import { AvailabilityLedger } from './availability-ledger.js';
import { PieceVerifier } from './piece-verifier.js';
import { splitHostPort } from './address.js';
import { filePiecePriorities } from './file-priorities.js';
import { TokenBucket } from './token-bucket.js';
import { SmartBan } from './smart-ban.js';
import { UploadQueue } from './upload-queue.js';
import { MetadataFetch } from './metadata-fetch.js';
import { isWebSeedUrl, WebSeedPeer } from '../webseed/index.js';
import { asSluiceError, TorrentError } from './torrent-error.js';
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
export class Torrent implements PeerLinkHost {
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
  private filePriorities: Priority[] = [];
  private prioritiesFor: ((metainfo: Metainfo) => readonly Priority[]) | null;
  private sequential: boolean;
  private state: TorrentState;
  private paused: boolean;
  private error: SluiceError | null = null;
  private uploaded = 0;
  private verifiedBytes = 0;
  /** Discovery (never for private torrents) and dialling. */
  private readonly dialer: PeerDialer;
  private removed = false;
  private readonly extensions: LocalExtensionIds;

  constructor(
    private readonly ctx: TorrentContext,
    options: TorrentOptions,
  ) {
    this.infoHash = options.infoHash;
    this.infoHashHex = toHex(options.infoHash);
    this.infoHashV2 = options.infoHashV2;
    this.meta = options.metainfo;
    this.displayName = options.name;
    this.sequential = options.sequential;
    this.paused = options.paused;
    this.state = this.meta ? 'checking' : 'metadata';
    this.filePriorities = options.filePriorities ? [...options.filePriorities] : [];
    this.prioritiesFor = options.filePrioritiesFor ?? null;
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
    this.extensions = this.isPrivate ? { ut_metadata: DEFAULT_LOCAL_EXTENSIONS.ut_metadata!, lt_donthave: DEFAULT_LOCAL_EXTENSIONS.lt_donthave! } : DEFAULT_LOCAL_EXTENSIONS;
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
          filePriorities: () => this.filePriorities,
          sequential: () => this.sequential,
        };
      },
      emit: (alert) => ctx.emit(alert),
      wake: () => ctx.wake(),
    });
    this.pex = new PexExchange(this.links, () => this.isPrivate);
    this.interest = new PeerInterest({ picker: () => this.picker, have: () => this.have, fill: (link) => this.fetcher.fill(link) });
    this.chokes = new ChokeRounds({
      slots: ctx.settings().unchokeSlots,
      random: () => ctx.random.float(),
      links: this.links,
      seeding: () => this.picker?.isComplete() ?? false,
      uploads: this.uploads,
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
    const files = meta.files;
    if (this.prioritiesFor) {
      try {
        this.filePriorities = this.prioritiesFor(meta).map((p) => p);
      } catch (err) {
        this.fail(asSluiceError(err));
        return;
      } finally {
        this.prioritiesFor = null;
      }
    }
    if (this.filePriorities.length !== files.length) this.filePriorities = files.map((_, i) => this.filePriorities[i] ?? 4);
    const resume = await loadResumeData(this.ctx.resume, this.infoHashHex);
    if (resume && resume.filePriorities.length === files.length && this.filePriorities.every((p) => p === 4)) {
      this.filePriorities = resume.filePriorities.map((p) => Math.max(0, Math.min(7, p)) as Priority);
      this.sequential = this.sequential || resume.sequential;
    }
    const wanted = files.map((f, i) => !f.padding && this.filePriorities[i]! > 0);
    try {
      this.storage = await this.ctx.storage.open(meta, { id: this.infoHashHex, wanted });
    } catch (err) {
      this.fail(asSluiceError(err));
      return;
    }
    this.verifier = new PieceVerifier(meta, this.ctx.hasher);
    const have = await checkTorrentData({
      meta,
      storage: this.storage,
      verifier: this.verifier,
      resume,
      infoHashHex: this.infoHashHex,
      cancelled: () => this.removed,
      progress: (done, total) => this.reportCheck(done, total),
    });
    this.lastCheckPercent = -1;
    if (this.removed || !have) return;
    this.have = have;
    this.verifiedBytes = 0;
    for (let i = have.nextSet(0); i !== -1; i = have.nextSet(i + 1)) this.verifiedBytes += pieceSize(meta, i);
    this.picker = new PiecePicker({
      pieceCount: meta.pieceCount,
      pieceLength: (i) => pieceSize(meta, i),
      random: () => this.ctx.random.float(),
      have,
    });
    this.availability = new AvailabilityLedger(this.picker);
    this.applyPiecePriorities();
    this.picker.setSequential(this.sequential);
    const http = this.ctx.http;
    this.fetcher.setWebSeeds(http ? [...new Set(meta.urlList)].filter(isWebSeedUrl).map((url) => new WebSeedPeer(url, meta, http, { clock: this.ctx.clock })) : []);
    for (const address of resume?.peers ?? []) this.book.add(address, 'resume', this.now());
    this.ctx.emit({ type: 'torrent-checked', infoHash: this.infoHashHex, havePieces: have.count() });
    this.completion.checked();
    this.resumeSaver.markDirty();
    this.setState(this.paused ? 'paused' : this.picker.isComplete() ? 'seeding' : 'downloading');
    if (this.picker.isComplete()) this.announcer.markCompleted(this.now());
    // Peers that connected while we fetched metadata or checked learn what we have now.
    for (const link of this.links.values()) {
      for (const event of link.conn.setPieceCount(meta.pieceCount, (i) => pieceSize(meta, i))) this.events.onPeerEvent(link, event);
      // A HAVE ALL that came before the metadata is counted now.
      if (link.seed) this.availability!.haveAllIfUncounted(link);
      this.interest.update(link);
      link.flush();
    }
  }

  pause(): void {
    if (this.paused || this.removed) return;
    this.paused = true;
    for (const link of [...this.links.values()]) link.close();
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
    for (const link of [...this.links.values()]) link.close();
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


  private lastCheckPercent = -1;

  /** Checking a large torrent takes a while: say how far it is, at most once per percent. */
  private reportCheck(doneBytes: number, totalBytes: number): void {
    const percent = Math.floor((doneBytes * 100) / totalBytes);
    if (percent === this.lastCheckPercent) return;
    this.lastCheckPercent = percent;
    this.ctx.emit({ type: 'check-progress', infoHash: this.infoHashHex, checkedBytes: doneBytes, totalBytes });
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
    for (const link of [...this.links.values()]) link.close();
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
      if (events.length > 0) this.onPeerEvents(link, events);
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

  onPeerEvents(link: PeerLink, events: PeerEvent[]): void {
    this.events.onPeerEvents(link, events);
  }

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
    const settings = this.ctx.settings();
    if (!this.active || this.book.isBanned(key) || this.links.size >= settings.maxConnectionsPerTorrent || this.links.has(key)) {
      transport.close();
      return false;
    }
    const now = this.now();
    const meta = this.meta;
    const conn = new PeerConnection({
      infoHash: wireInfoHash,
      localPeerId: this.ctx.peerId,
      outgoing: transport.outgoing,
      localExtensions: this.extensions,
      fast: true,
      pieceCount: meta?.pieceCount ?? null,
      ...(meta ? { pieceSize: (i: number) => pieceSize(meta, i), metadataSize: meta.infoBytes.length } : {}),
      ...(settings.listenPort > 0 ? { listenPort: settings.listenPort } : {}),
      clientName: `Sluice ${SLUICE_VERSION}`,
      now,
    });
    const link = new PeerLink(transport, conn, new RequestPipeline(), this, now, key);
    this.links.set(key, link);
    this.uploads.add(link);
    this.pex.add(link);
    // Only dialable addresses go in the book; a WebRTC peer is reached again through its tracker.
    if (transport.outgoing && splitHostPort(key)) this.book.onConnected(key, now);
    link.start(replay);
    return true;
  }

  onPeerDrain(link: PeerLink): void {
    this.uploads.pump(link);
    link.flush();
  }

  onPeerClosed(link: PeerLink, error: SluiceError | undefined): void {
    if (this.links.get(link.address) !== link) return;
    this.links.delete(link.address);
    this.uploads.remove(link);
    this.pex.remove(link);
    const now = this.now();
    this.picker?.peerGone(link.address);
    this.availability?.gone(link);
    this.metadata?.removePeer(link);
    if (link.transport.outgoing) this.book.onDisconnected(link.address, !link.conn.ready, now);
    if (link.conn.ready) this.ctx.emit({ type: 'peer-disconnected', infoHash: this.infoHashHex, address: link.address, reason: error?.message ?? null });
    // Blocks it held go to the others.
    for (const other of this.links.values()) this.fetcher.fill(other);
    this.ctx.wake();
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
    const meta = this.meta;
    if (!meta) throw new TorrentError('torrent/no-metadata', 'the torrent has no metadata yet');
    if (!(fileIndex in meta.files)) throw new TorrentError('torrent/bad-file', `no file ${fileIndex} (the torrent has ${meta.files.length})`);
    this.filePriorities[fileIndex] = priority;
    void this.storage?.setFileWanted(fileIndex, priority > 0).catch(() => {});
    this.applyPiecePriorities();
    this.resumeSaver.markDirty();
    if (this.picker && !this.picker.isComplete() && this.state === 'seeding') this.setState('downloading');
    if (this.picker?.isComplete() && this.state === 'downloading') this.onFinished();
    for (const link of this.links.values()) {
      this.interest.update(link);
      link.flush();
    }
    this.ctx.wake();
  }

  private applyPiecePriorities(): void {
    const meta = this.meta;
    const picker = this.picker;
    if (!meta || !picker) return;
    const priorities = filePiecePriorities(meta, this.filePriorities);
    for (let i = 0; i < priorities.length; i++) if (picker.priority(i) !== priorities[i]) picker.setPriority(i, priorities[i]!);
  }

  setSequential(on: boolean): void {
    this.sequential = on;
    this.picker?.setSequential(on);
    this.resumeSaver.markDirty();
  }

  /** Asks for `piece` by `deadline` (ms, session clock): streaming readers call this for what they wait on. */
  setPieceDeadline(piece: number, deadline: number): void {
    if (!this.picker || this.have?.get(piece)) return;
    if (this.picker.priority(piece) === 0) this.picker.setPriority(piece, 1);
    this.picker.setDeadline(piece, deadline);
    for (const link of this.links.values()) {
      if (!link.conn.amInterested && link.conn.peerHas(piece)) this.interest.set(link, true);
      this.fetcher.fill(link);
    }
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

  clearPieceDeadline(piece: number): void {
    this.picker?.clearDeadline(piece);
  }

  /** The verified bytes of file `fileIndex` from `start` to `end` (exclusive), fetched with priority as they are read. */
  readStream(fileIndex: number, options: FileStreamOptions = {}): AsyncGenerator<Uint8Array> {
    return readFileStream(this, fileIndex, options);
  }

  async forceRecheck(): Promise<void> {
    const meta = this.meta;
    if (!meta || !this.storage) throw new TorrentError('torrent/no-metadata', 'the torrent has no metadata yet');
    for (const link of [...this.links.values()]) link.close();
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
    const meta = this.meta;
    const total = meta?.length ?? 0;
    const wanted = meta ? wantedBytes(meta, this.filePriorities) : 0;
    const verifiedWanted = meta && this.have ? verifiedWantedBytes(meta, this.have, this.filePriorities) : 0;
    const downloadRate = this.fetcher.meter.rate(now);
    let peers = 0;
    let seeds = 0;
    for (const l of this.links.values()) {
      if (!l.conn.ready) continue;
      peers++;
      if (l.seed) seeds++;
    }
    const remaining = Math.max(0, wanted - verifiedWanted);
    return {
      // Known by a v2 hash only until the metadata arrived: then the v1 hash, as other tools show it.
      infoHash: meta?.infoHash ? toHex(meta.infoHash) : this.infoHashHex,
      infoHashV2: meta?.infoHashV2 ? toHex(meta.infoHashV2) : this.infoHashV2 ? toHex(this.infoHashV2) : null,
      name: this.name,
      state: this.state,
      progress: wanted > 0 ? Math.min(1, verifiedWanted / wanted) : meta ? 1 : 0,
      verifiedBytes: Math.min(this.verifiedBytes, meta?.pieceSpaceLength ?? 0),
      wantedBytes: wanted,
      totalBytes: total,
      downloadRate,
      uploadRate: this.uploadMeter.rate(now),
      downloaded: this.fetcher.downloaded,
      uploaded: this.uploaded,
      peers,
      seeds,
      eta: !meta ? null : remaining === 0 ? 0 : downloadRate > 0 ? remaining / downloadRate : null,
      ratio: this.fetcher.downloaded > 0 ? this.uploaded / this.fetcher.downloaded : 0,
      sequential: this.sequential,
      error: this.error ? { code: this.error.code, message: this.error.message } : null,
    };
  }

  files(): FileStatus[] {
    return this.meta ? fileStatuses(this.meta, this.have, this.filePriorities) : [];
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
