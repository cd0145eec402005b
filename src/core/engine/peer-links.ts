import type { Alert, SessionSettings } from '../api/types.js';
import type { SluiceError } from '../errors.js';
import type { LocalExtensionIds } from '../extensions/names.js';
import { pieceSize } from '../metainfo/layout.js';
import type { Metainfo } from '../metainfo/model.js';
import type { PeerEvent } from '../peer/events.js';
import { PeerConnection } from '../peer/peer-connection.js';
import type { PiecePicker } from '../picker/piece-picker.js';
import { RequestPipeline } from '../pipeline/request-pipeline.js';
import type { Transport } from '../ports/transport.js';
import { SLUICE_VERSION } from '../version.js';
import { splitHostPort } from './address.js';
import type { AvailabilityLedger } from './availability-ledger.js';
import type { MetadataFetch } from './metadata-fetch.js';
import type { PeerBook } from './peer-book.js';
import type { PeerLink, PeerLinkHost } from './peer-link.js';
import { PeerLink as Link } from './peer-link.js';

/** A unit that keeps per-link state (the upload queue, PEX) and must hear links come and go. */
export interface LinkMember {
  add(link: PeerLink): void;
  remove(link: PeerLink): void;
}

/** What the set of links reads and tells of the torrent. */
export interface PeerLinksDeps {
  /** The torrent's links by address; this unit is the only one that adds and removes. */
  readonly links: Map<string, PeerLink>;
  readonly infoHash: Uint8Array;
  readonly infoHashHex: string;
  readonly localPeerId: Uint8Array;
  readonly extensions: LocalExtensionIds;
  now(): number;
  settings(): Pick<SessionSettings, 'listenPort' | 'maxConnectionsPerTorrent'>;
  /** The torrent takes connections now (not paused, checking, failed or removed). */
  accepting(): boolean;
  meta(): Metainfo | null;
  readonly book: Pick<PeerBook, 'isBanned' | 'onConnected' | 'onDisconnected'>;
  readonly members: readonly LinkMember[];
  picker(): Pick<PiecePicker, 'peerGone'> | null;
  availability(): Pick<AvailabilityLedger<PeerLink>, 'gone' | 'haveAllIfUncounted'> | null;
  metadataFetch(): Pick<MetadataFetch, 'removePeer'> | null;
  /** Events of a connection, for the peer-event handler. */
  events(link: PeerLink, events: PeerEvent[]): void;
  /** The transport drained: more can be written. */
  drained(link: PeerLink): void;
  /** Asks `link` for blocks (after another left, its blocks are free). */
  fill(link: PeerLink): void;
  /** Decides again whether we are interested in `link`. */
  updateInterest(link: PeerLink): void;
  emit(alert: Alert): void;
  wake(): void;
}

/**
 * The torrent's connections: attaching a transport as a PeerLink (within the per-torrent limit, never a
 * banned or duplicate address), dropping it everywhere when it closes, and telling links what the
 * torrent learned later (its metadata, then its pieces). It is the PeerLinks' host.
 */
export class PeerLinks implements PeerLinkHost {
  constructor(private readonly deps: PeerLinksDeps) {}

  now(): number {
    return this.deps.now();
  }

  /**
   * Takes over a connection: dialled by us, or accepted with its first bytes already read (`replay`).
   * `wireInfoHash` is the hash the peer's handshake named (a hybrid's truncated v2 hash, say); we answer with it.
   */
  attach(transport: Transport, replay: readonly Uint8Array[], key = transport.remoteAddress, wireInfoHash: Uint8Array = this.deps.infoHash): boolean {
    const { deps } = this;
    const settings = deps.settings();
    if (!deps.accepting() || deps.book.isBanned(key) || deps.links.size >= settings.maxConnectionsPerTorrent || deps.links.has(key)) {
      transport.close();
      return false;
    }
    const now = deps.now();
    const meta = deps.meta();
    const conn = new PeerConnection({
      infoHash: wireInfoHash,
      localPeerId: deps.localPeerId,
      outgoing: transport.outgoing,
      localExtensions: deps.extensions,
      fast: true,
      pieceCount: meta?.pieceCount ?? null,
      ...(meta ? { pieceSize: (i: number) => pieceSize(meta, i), metadataSize: meta.infoBytes.length } : {}),
      ...(settings.listenPort > 0 ? { listenPort: settings.listenPort } : {}),
      clientName: `Sluice ${SLUICE_VERSION}`,
      now,
    });
    const link = new Link(transport, conn, new RequestPipeline(), this, now, key);
    deps.links.set(key, link);
    for (const member of deps.members) member.add(link);
    // Only dialable addresses go in the book; a WebRTC peer is reached again through its tracker.
    if (transport.outgoing && splitHostPort(key)) deps.book.onConnected(key, now);
    link.start(replay);
    return true;
  }

  onPeerEvents(link: PeerLink, events: PeerEvent[]): void {
    this.deps.events(link, events);
  }

  onPeerDrain(link: PeerLink): void {
    this.deps.drained(link);
  }

  onPeerClosed(link: PeerLink, error: SluiceError | undefined): void {
    const { deps } = this;
    if (deps.links.get(link.address) !== link) return;
    deps.links.delete(link.address);
    for (const member of deps.members) member.remove(link);
    deps.picker()?.peerGone(link.address);
    deps.availability()?.gone(link);
    deps.metadataFetch()?.removePeer(link);
    if (link.transport.outgoing) deps.book.onDisconnected(link.address, !link.conn.ready, deps.now());
    if (link.conn.ready) deps.emit({ type: 'peer-disconnected', infoHash: deps.infoHashHex, address: link.address, reason: error?.message ?? null });
    // Blocks it held go to the others.
    for (const other of deps.links.values()) deps.fill(other);
    deps.wake();
  }

  /** A magnet's metadata arrived: peers that connected before it hear `metadata_size` now, so they can fetch it from us. */
  metadataKnown(meta: Metainfo): void {
    for (const link of this.deps.links.values()) {
      link.conn.setMetadataSize(meta.infoBytes.length);
      link.flush();
    }
  }

  /** The check is done: peers that connected while we fetched metadata or checked learn the piece count, and what we want of them. */
  piecesKnown(meta: Metainfo): void {
    const { deps } = this;
    for (const link of deps.links.values()) {
      const events = link.conn.setPieceCount(meta.pieceCount, (i) => pieceSize(meta, i));
      if (events.length > 0) deps.events(link, events);
      // A HAVE ALL that came before the metadata is counted now.
      if (link.seed) deps.availability()?.haveAllIfUncounted(link);
      deps.updateInterest(link);
      link.flush();
    }
  }

  closeAll(): void {
    for (const link of [...this.deps.links.values()]) link.close();
  }
}
