import type { Alert } from '../api/types.js';
import { answerMetadataRequest } from '../extensions/ut-metadata/responder.js';
import type { MetadataMessage } from '../extensions/ut-metadata/codec.js';
import type { PeerEvent } from '../peer/events.js';
import type { PiecePicker } from '../picker/piece-picker.js';
import type { Bitfield } from '../util/bitfield.js';
import { bytesEqual, compareBytes } from '../util/bytes.js';
import type { AvailabilityLedger } from './availability-ledger.js';
import type { BlockFetcher } from './block-fetcher.js';
import type { ChokeRounds } from './choke-rounds.js';
import type { MetadataFetch } from './metadata-fetch.js';
import type { PeerInterest } from './peer-interest.js';
import type { PeerLink } from './peer-link.js';
import type { PexExchange } from './pex-exchange.js';
import type { UploadQueue } from './upload-queue.js';

/** BEP 6 suggests sets of 10; a peer that grants more than this gets the first ones honoured. */
const MAX_ALLOWED_FAST = 32;

/** The units a peer's events are handed to, and what is read of the torrent to decide. */
export interface PeerEventDeps {
  readonly infoHashHex: string;
  readonly localPeerId: Uint8Array;
  now(): number;
  /** The connected peers, by address (a second connection to one peer is found here). */
  readonly links: ReadonlyMap<string, PeerLink>;
  /** Our verified pieces, or null before the data was checked: what a new peer hears we have. */
  have(): Bitfield | null;
  /** Null until the metadata is known and the data checked. */
  availability(): AvailabilityLedger<PeerLink> | null;
  picker(): Pick<PiecePicker, 'requestCancelled' | 'requestRejected'> | null;
  /** A magnet's metadata fetch, or null once the metadata is known. */
  metadataFetch(): Pick<MetadataFetch, 'addPeer' | 'receive'> | null;
  /** The info dictionary we serve to ut_metadata requests, or null before we have it. */
  infoBytes(): Uint8Array | null;
  readonly interest: Pick<PeerInterest, 'update' | 'set' | 'wants'>;
  readonly fetcher: Pick<BlockFetcher, 'fill' | 'onBlock'>;
  readonly uploads: Pick<UploadQueue, 'request' | 'cancel'>;
  readonly chokes: Pick<ChokeRounds, 'offerSlot'>;
  readonly pex: Pick<PexExchange, 'receive'>;
  /** Addresses to dial, learnt through PEX. */
  addPeers(addresses: readonly string[]): void;
  emit(alert: Alert): void;
}

/**
 * What a torrent does with each event of a peer's connection: who the peer is (a connection to
 * ourselves or a second one to the same peer is closed), what it has (availability and our interest,
 * with a late BITFIELD, HAVE ALL or HAVE NONE replacing what it said before), its choking and
 * requests (to the request pipeline and the upload queue), blocks (to the block fetcher), metadata
 * (BEP 9) and PEX (BEP 11).
 */
export class PeerEventHandler {
  /** A block arrived during the current `onPeerEvents`: refill that peer's requests once at its end. */
  private blocksArrived = false;

  constructor(private readonly deps: PeerEventDeps) {}

  /** A batch of events from one read of `link`. */
  onPeerEvents(link: PeerLink, events: readonly PeerEvent[]): void {
    // One refill for all the blocks of a read (a 256 KiB TCP read holds ~16), not one per block:
    // the picker, the buckets and the pipeline are asked once for 16 requests instead of 16 times
    // for one. Saved and restored, in case handling one peer's events runs another's.
    const outer = this.blocksArrived;
    this.blocksArrived = false;
    for (const event of events) {
      if (link.closed) break;
      this.onPeerEvent(link, event);
    }
    const arrived = this.blocksArrived;
    this.blocksArrived = outer;
    if (arrived) this.deps.fetcher.fill(link);
  }

  /** One event (also used for the availability a connection reports once the metadata arrives). */
  onPeerEvent(link: PeerLink, e: PeerEvent): void {
    const { deps } = this;
    const now = deps.now();
    switch (e.type) {
      case 'handshake': {
        link.clientName = e.clientName;
        if (bytesEqual(e.peerId, deps.localPeerId)) {
          link.close();
          return;
        }
        const twin = this.linkWithPeerId(link, e.peerId);
        if (twin) {
          // Two connections to one peer (we both dialled). Both sides keep the one opened by the lower
          // peer id, so they agree without talking about it.
          const keepThis = compareBytes(link.transport.outgoing ? deps.localPeerId : e.peerId, twin.transport.outgoing ? deps.localPeerId : e.peerId) < 0;
          (keepThis ? twin : link).close();
          if (!keepThis) return;
        }
        this.sendAvailability(link);
        deps.emit({ type: 'peer-connected', infoHash: deps.infoHashHex, address: link.address, client: e.clientName });
        return;
      }
      case 'extended-handshake': {
        const h = e.handshake;
        if (h.port !== undefined) link.listenPort = h.port;
        if (h.requestQueue !== undefined) link.pipeline.setPeerQueueLimit(h.requestQueue);
        const metadata = deps.metadataFetch();
        if (metadata && h.metadataSize !== undefined && link.conn.peerExtensionId('ut_metadata') !== 0) {
          metadata.addPeer(link, h.metadataSize);
        }
        return;
      }
      // A bitfield, have all or have none replaces what the peer said before (first or late, as
      // libtorrent takes them): the ledger swaps its counts and interest is decided again.
      case 'bitfield':
      case 'have-none': {
        const wasSeed = link.seed;
        link.seed = e.type === 'bitfield' && e.bitfield.hasAll();
        if (e.type === 'bitfield') deps.availability()?.bitfield(link, e.bitfield);
        else deps.availability()?.haveNone(link);
        deps.interest.update(link);
        // A seed that was interested but never eligible for a slot (no longer a seed) gets one now, not at the next rechoke.
        if (wasSeed && !link.seed && link.conn.peerInterested) deps.chokes.offerSlot(now);
        return;
      }
      case 'have-all':
        link.seed = true;
        deps.availability()?.haveAll(link);
        deps.interest.update(link);
        return;
      case 'have':
        const availability = deps.availability();
        if (availability) {
          availability.have(link, e.index);
          if (link.conn.peerBitfield?.hasAll()) link.seed = true;
          if (!link.conn.amInterested && deps.interest.wants(e.index)) deps.interest.set(link, true);
        }
        return;
      case 'donthave':
        deps.availability()?.dontHave(link, e.index);
        return;
      case 'choke':
        for (const r of link.pipeline.onChoked(now, link.conn.fastNegotiated)) deps.picker()?.requestCancelled(link.address, r.piece, r.begin);
        if (link.allowedFast.size > 0) this.deps.fetcher.fill(link);
        return;
      case 'unchoke':
        link.pipeline.onUnchoked(now);
        this.deps.fetcher.fill(link);
        return;
      case 'interested':
        deps.chokes.offerSlot(now);
        return;
      case 'not-interested':
        return;
      case 'request':
        deps.uploads.request(link, e);
        return;
      case 'cancel':
        deps.uploads.cancel(link, e);
        return;
      case 'piece':
        deps.fetcher.onBlock(link, e.index, e.begin, e.block, now);
        this.blocksArrived = true;
        return;
      case 'reject':
        // Only a request of ours still outstanding goes back to the picker: a REJECT answering our CANCEL
        // must not free the block again if it was asked for again since (it would be fetched twice).
        if (link.pipeline.onRejected(e.index, e.begin, now)) deps.picker()?.requestRejected(link.address, e.index, e.begin);
        this.deps.fetcher.fill(link);
        return;
      case 'metadata':
        this.onMetadataMessage(link, e.message);
        return;
      case 'pex':
        deps.addPeers(deps.pex.receive(link, e.message, now));
        return;
      case 'protocol-error':
        link.close(e.error);
        return;
      case 'allowed-fast':
        if (link.allowedFast.size < MAX_ALLOWED_FAST) link.allowedFast.add(e.index);
        if (link.conn.peerChoking) this.deps.fetcher.fill(link);
        return;
      case 'suggest':
      case 'port':
      case 'extended':
      case 'keep-alive':
        return;
    }
  }

  private linkWithPeerId(link: PeerLink, peerId: Uint8Array): PeerLink | null {
    for (const other of this.deps.links.values()) {
      if (other !== link && other.conn.peerId && bytesEqual(other.conn.peerId, peerId)) return other;
    }
    return null;
  }

  private sendAvailability(link: PeerLink): void {
    const have = this.deps.have();
    if (!have || have.hasNone()) link.conn.haveNone();
    else if (have.hasAll()) link.conn.haveAll();
    else link.conn.sendBitfield(have);
  }

  private onMetadataMessage(link: PeerLink, m: MetadataMessage): void {
    if (m.type === 'request') {
      link.conn.sendMetadata(answerMetadataRequest(this.deps.infoBytes(), m.piece));
      link.flush();
      return;
    }
    this.deps.metadataFetch()?.receive(link, m);
  }
}
