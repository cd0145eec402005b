import type { Alert } from '../api/types.js';
import { DEFAULT_LOCAL_EXTENSIONS } from '../extensions/names.js';
import type { Metainfo } from '../metainfo/model.js';
import type { PiecePicker } from '../picker/piece-picker.js';
import type { TorrentStorage } from '../ports/storage.js';
import type { Transport } from '../ports/transport.js';
import { RateMeter, SHOWN_RATE_IDLE_MS } from '../rate/rate-meter.js';
import type { Bitfield } from '../util/bitfield.js';
import { bytesEqual } from '../util/bytes.js';
import type { AvailabilityLedger } from './availability-ledger.js';
import { BlockFetcher } from './block-fetcher.js';
import { ChokeRounds } from './choke-rounds.js';
import type { TorrentContext } from './context.js';
import { MetadataFetch } from './metadata-fetch.js';
import { PeerBook, type PeerSource } from './peer-book.js';
import { PeerDialer } from './peer-dialer.js';
import { PeerEventHandler } from './peer-events.js';
import { PeerInterest } from './peer-interest.js';
import type { PeerLink } from './peer-link.js';
import { PeerLinks } from './peer-links.js';
import { PexExchange } from './pex-exchange.js';
import { PieceBuffers } from './piece-buffers.js';
import { PieceCompletion } from './piece-completion.js';
import { PiecePriorities, type PiecePrioritiesOptions } from './piece-priorities.js';
import type { PieceVerifier } from './piece-verifier.js';
import { ResumeSaver } from './resume-saver.js';
import { TokenBucket } from './token-bucket.js';
import { WebSeedHealth } from './web-seed-health.js';
import { TorrentLifecycle } from './torrent-lifecycle.js';
import { TrackerAnnouncer } from './tracker-announcer.js';
import { SmartBan } from './smart-ban.js';
import { UploadQueue } from './upload-queue.js';

/** Bytes of verified-but-unwritten and partially received pieces we hold before asking for more. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

/** What a torrent learns over its life (metadata, then storage and the check's results); the units read it through getters. */
export interface TorrentHoldings {
  meta: Metainfo | null;
  storage: TorrentStorage | null;
  picker: PiecePicker | null;
  availability: AvailabilityLedger<PeerLink> | null;
  have: Bitfield | null;
  verifier: PieceVerifier | null;
  /** Fetching the metadata from peers (BEP 9); null once known. */
  metadata: MetadataFetch | null;
  verifiedBytes: number;
  uploaded: number;
}

export interface TorrentIdentity {
  /** The 20-byte hash peers use on the wire (v1, or the v2 hash truncated). */
  readonly infoHash: Uint8Array;
  readonly infoHashHex: string;
  readonly infoHashV2: Uint8Array | null;
}

/** What only the torrent itself does, on behalf of the units. */
export interface TorrentHooks {
  metadataReceived(meta: Metainfo): void;
  finished(): void;
  addPeers(addresses: readonly string[], source: PeerSource): void;
  /** Takes over a connection we dialled (through the torrent's own `attach`, which callers may observe). */
  adopt(transport: Transport, address: string): void;
}

export interface TorrentWiringOptions extends PiecePrioritiesOptions {
  readonly trackers: readonly (readonly string[])[];
  readonly peers: readonly string[];
  readonly paused: boolean;
}

export type TorrentUnits = ReturnType<typeof wireTorrent>;

/**
 * Builds a torrent's ~15 units and connects them, each given only the narrow deps it uses: getters into
 * the shared holdings, the context's ports, and callbacks into its sibling units. Nothing here runs on
 * its own; the torrent drives the units through `tick` and its API.
 */
export function wireTorrent(ctx: TorrentContext, id: TorrentIdentity, held: TorrentHoldings, hooks: TorrentHooks, options: TorrentWiringOptions) {
  const { infoHash, infoHashHex } = id;
  const now = (): number => ctx.clock.now();
  const emit = (alert: Alert): void => ctx.emit(alert);
  const wake = (): void => ctx.wake();
  const isPrivate = (): boolean => held.meta?.private ?? false;
  const fill = (link: PeerLink): void => fetcher.fill(link);
  const at = now();

  const life: TorrentLifecycle = new TorrentLifecycle(
    {
      infoHashHex,
      complete: () => held.picker?.isComplete() ?? null,
      closeLinks: () => peerLinks.closeAll(),
      stopAnnounces: () => announcer.stop(),
      restartAnnounces: () => announcer.restart(now()),
      saveResume: () => resumeSaver.save(),
      release: async (deleteData) => {
        completion.rejectWaiters();
        buffers.clear();
        const storage = held.storage;
        held.storage = null;
        if (storage) {
          if (deleteData) await storage.deleteData().catch(() => {});
          else await storage.close().catch(() => {});
        }
        if (deleteData) await ctx.resume?.remove(infoHashHex).catch(() => {});
      },
      settleAnnounces: () => announcer.settle(),
      emit,
      wake,
    },
    { hasMetadata: held.meta !== null, paused: options.paused },
  );
  const active = (): boolean => life.active;

  const book = new PeerBook();
  const k = ctx.random.bytes(4);
  const announcer: TrackerAnnouncer = new TrackerAnnouncer(held.meta?.announce ?? [], {
    infoHash,
    infoHashHex,
    peerId: ctx.peerId,
    key: ((k[0]! << 24) | (k[1]! << 16) | (k[2]! << 8) | k[3]!) >>> 0,
    now,
    listenPort: () => ctx.settings().listenPort,
    tracker: (url) => ctx.tracker(url),
    // For a magnet without metadata, `left` is a placeholder that says "not a seed".
    figures: () => {
      const meta = held.meta;
      const left = meta && held.have ? Math.max(0, meta.length - held.verifiedBytes) : meta ? meta.length : 16 * 1024 * 1024;
      const offerBudget = Math.max(0, Math.min(held.picker?.isComplete() ? 3 : 10, dialer.room(), ctx.connectionBudget()));
      return { uploaded: held.uploaded, downloaded: fetcher.downloaded, left, offerBudget };
    },
    peersFound: (addresses) => hooks.addPeers(addresses, 'tracker'),
    emit,
    wake,
  });
  for (const tier of options.trackers) announcer.addTier(tier);
  for (const address of options.peers) book.add(address, 'manual', at);

  const downloadBucket = new TokenBucket(0, at);
  const uploadBucket = new TokenBucket(0, at);
  if (!held.meta) {
    // For a v2-only magnet the 20-byte wire hash is a truncated SHA-256, not a SHA-1.
    const v1Known = id.infoHashV2 === null || !bytesEqual(infoHash, id.infoHashV2.subarray(0, 20));
    const expected = { v1: v1Known ? infoHash : null, v2: id.infoHashV2 };
    held.metadata = new MetadataFetch(ctx.hasher, expected, now, (meta) => hooks.metadataReceived(meta));
  }
  const smartBan = new SmartBan(ctx.hasher);
  const links = new Map<string, PeerLink>();
  const dialer: PeerDialer = new PeerDialer({
    infoHash,
    book,
    ctx,
    active,
    now,
    connections: () => links.size,
    isConnected: (address) => links.has(address),
    adopt: (transport, address) => hooks.adopt(transport, address),
  });
  const buffers = new PieceBuffers(MAX_BUFFERED_BYTES, ctx.pieceBuffer ?? undefined);
  const completion: PieceCompletion = new PieceCompletion({
    infoHashHex,
    picker: () => held.picker,
    verifier: () => held.verifier,
    storage: () => held.storage,
    have: () => held.have,
    removed: () => life.removed,
    links,
    buffers,
    smartBan,
    book,
    webSeed: (seed) => fetcher.webSeed(seed),
    emit,
    storageFailed: (error) => life.fail(error),
    stored: (_index, bytes) => {
      held.verifiedBytes += bytes;
      resumeSaver.markDirty();
    },
    verified: () => {
      if (held.picker?.isComplete()) hooks.finished();
      for (const link of links.values()) fetcher.fill(link);
    },
  });
  const fetcher: BlockFetcher = new BlockFetcher({
    now,
    active,
    removed: () => life.removed,
    picker: () => held.picker,
    peerPieces: (link) => held.availability?.pieces(link) ?? null,
    links,
    buffers,
    maxBufferedBytes: MAX_BUFFERED_BYTES,
    buckets: [ctx.downloadBucket, downloadBucket],
    smartBan,
    pieceComplete: (index) => void completion.finish(index),
    wake,
    held: () => ctx.requestsHeld?.() ?? false,
    webSeedHealth: new WebSeedHealth(infoHashHex, emit),
  });
  const uploadMeter = new RateMeter({ idleMs: SHOWN_RATE_IDLE_MS });
  const uploads: UploadQueue = new UploadQueue({
    now,
    storage: () => held.storage,
    has: (index) => held.have?.get(index) ?? false,
    buckets: [ctx.uploadBucket, uploadBucket],
    sent: (link, bytes, when) => {
      link.uploadMeter.add(bytes, when);
      uploadMeter.add(bytes, when);
      held.uploaded += bytes;
    },
  });
  const resumeSaver: ResumeSaver = new ResumeSaver({
    infoHashHex,
    store: ctx.resume,
    now,
    source: () => {
      const { meta, storage, have } = held;
      if (!meta || !storage || !have || life.removed) return null;
      return {
        pieceCount: meta.pieceCount,
        storage,
        have,
        peers: () => book.addresses(),
        filePriorities: () => priorities.filePriorities,
        sequential: () => priorities.sequential,
      };
    },
    emit,
    wake,
  });
  const pex = new PexExchange(links, isPrivate);
  const interest = new PeerInterest({ picker: () => held.picker, have: () => held.have, fill });
  const priorities: PiecePriorities = new PiecePriorities(
    {
      picker: () => held.picker,
      have: () => held.have,
      meta: () => held.meta,
      storage: () => held.storage,
      links,
      interest,
      fill,
      changed: () => resumeSaver.markDirty(),
    },
    options,
  );
  const chokes = new ChokeRounds({
    slots: ctx.settings().unchokeSlots,
    random: () => ctx.random.float(),
    links,
    seeding: () => held.picker?.isComplete() ?? false,
    uploads,
  });
  const { ut_metadata, lt_donthave } = DEFAULT_LOCAL_EXTENSIONS;
  const peerLinks: PeerLinks = new PeerLinks({
    links,
    infoHash,
    infoHashHex,
    localPeerId: ctx.peerId,
    // A private torrent speaks no PEX (BEP 27).
    extensions: isPrivate() ? { ut_metadata: ut_metadata!, lt_donthave: lt_donthave! } : DEFAULT_LOCAL_EXTENSIONS,
    now,
    settings: () => ctx.settings(),
    accepting: active,
    meta: () => held.meta,
    book,
    members: [uploads, pex],
    picker: () => held.picker,
    availability: () => held.availability,
    metadataFetch: () => held.metadata,
    events: (link, peerEvents) => events.onPeerEvents(link, peerEvents),
    drained: (link) => {
      uploads.pump(link);
      link.flush();
    },
    fill,
    updateInterest: (link) => interest.update(link),
    emit,
    wake,
  });
  const events: PeerEventHandler = new PeerEventHandler({
    infoHashHex,
    localPeerId: ctx.peerId,
    now,
    links,
    have: () => held.have,
    availability: () => held.availability,
    picker: () => held.picker,
    metadataFetch: () => held.metadata,
    infoBytes: () => held.meta?.infoBytes ?? null,
    interest,
    fetcher,
    uploads,
    chokes,
    pex,
    addPeers: (addresses) => hooks.addPeers(addresses, 'pex'),
    emit,
  });
  return {
    life, links, book, announcer, dialer, downloadBucket, uploadBucket, buffers, completion, fetcher,
    uploads, uploadMeter, resumeSaver, pex, interest, priorities, chokes, peerLinks, events,
  };
}
