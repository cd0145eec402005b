import { isSluiceError } from '../errors.js';
import { clientName } from '../peer-id.js';
import type { SluiceError } from '../errors.js';
import { LT_DONTHAVE, UT_METADATA, UT_PEX } from '../extensions/names.js';
import type { ExtensionName } from '../extensions/names.js';
import { decodeDontHave, encodeDontHave } from '../extensions/lt-donthave/codec.js';
import { decodeMetadataMessage, encodeMetadataHeader } from '../extensions/ut-metadata/codec.js';
import type { MetadataMessage } from '../extensions/ut-metadata/codec.js';
import { decodePexMessage, encodePexMessage } from '../extensions/ut-pex/codec.js';
import type { PexMessage } from '../extensions/ut-pex/codec.js';
import type { Bitfield } from '../util/bitfield.js';
import { bytesEqual } from '../util/bytes.js';
import { WireDecoder } from '../wire/decoder.js';
import { encodeHandshake, encodeMessage, encodePieceHeader } from '../wire/encode.js';
import { EXTENDED_HANDSHAKE_ID, encodeExtendedHandshake, parseExtendedHandshake } from '../wire/extended-handshake.js';
import type { ExtendedHandshake } from '../wire/extended-handshake.js';
import { MessageId, type HandshakeMessage, type WireMessage } from '../wire/messages.js';
import { Outbox } from '../wire/outbox.js';
import { createReserved, supportsDht, supportsExtended, supportsFast } from '../wire/reserved.js';
import { PeerError } from './errors.js';
import type { PeerEvent } from './events.js';
import {
  ANNOUNCED_REQUEST_QUEUE,
  DEFAULT_MAX_PEER_REQUESTS,
  DEFAULT_TIMEOUTS,
  MAX_REQUEST_LENGTH,
} from './options.js';
import type { PeerConnectionOptions, PeerTimeouts } from './options.js';
import { PeerAvailability } from './peer-availability.js';
import { PeerRequests } from './peer-requests.js';

const EXTENSION_NAMES: readonly ExtensionName[] = [UT_METADATA, UT_PEX, LT_DONTHAVE];

// Where we are in the "availability first" rule for what we send (BEP 3 bitfield, BEP 6 have all / have none).
const AVAILABILITY_OPEN = 0;
const AVAILABILITY_RECEIVED = 1;
const AVAILABILITY_CLOSED = 2;

/**
 * One peer wire connection, without I/O (in the style of h11 and quinn): feed it the peer's bytes with
 * receive(chunk, now) and the passing of time with poll(now); it returns events, queues what to send (take it
 * with takeOutgoing()) and tells when it next needs poll (nextDeadline()).
 *
 * Our handshake is queued at construction; both sides send theirs at once. Nothing else may be sent until the
 * peer's handshake has arrived (the `handshake` event): only then is it known what the peer understands. When
 * both sides speak BEP 10, our extended handshake is queued as the peer's handshake is processed, so whatever
 * the caller sends in answer to the `handshake` event (its bitfield first) follows it.
 *
 * A `protocol-error` event ends the connection: later calls to receive/poll return nothing and sends are
 * dropped. The rules that raise it are listed on PeerErrorCode and in docs/engine/peer.md.
 */
export class PeerConnection {
  readonly outgoing: boolean;
  private readonly infoHash: Uint8Array;
  private readonly localPeerId: Uint8Array;
  private readonly options: PeerConnectionOptions;
  private readonly timeouts: Required<PeerTimeouts>;
  private readonly maxPeerRequests: number;
  private readonly decoder: WireDecoder;
  private readonly availability: PeerAvailability;
  private readonly peerRequests = new PeerRequests();
  private readonly allowedFastGranted = new Set<number>();
  private pieceSize: ((index: number) => number) | undefined;
  private readonly outbox = new Outbox();
  private readonly started: number;
  private now: number;
  private lastReceived: number;
  private lastSent: number;
  private failure: SluiceError | null = null;
  private remote: HandshakeMessage | null = null;
  private remoteExtended: ExtendedHandshake | null = null;
  private sentAvailabilityStage = AVAILABILITY_OPEN;
  private metadataSize: number | undefined;

  private isExtended = false;
  private isFast = false;
  private state = { amChoking: true, amInterested: false, peerChoking: true, peerInterested: false };

  constructor(options: PeerConnectionOptions) {
    this.options = options;
    this.outgoing = options.outgoing;
    this.infoHash = options.infoHash.slice();
    this.localPeerId = options.localPeerId.slice();
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.maxPeerRequests = options.maxPeerRequests ?? DEFAULT_MAX_PEER_REQUESTS;
    this.decoder = new WireDecoder(options.maxMessageLength === undefined ? {} : { maxMessageLength: options.maxMessageLength });
    this.availability = new PeerAvailability(options.pieceCount);
    this.pieceSize = options.pieceSize;
    this.metadataSize = options.metadataSize;
    this.started = options.now;
    this.now = options.now;
    this.lastReceived = options.now;
    this.lastSent = options.now;
    this.push(encodeHandshake({
      reserved: createReserved({ extended: true, fast: options.fast, dht: options.dht ?? false }),
      infoHash: this.infoHash,
      peerId: this.localPeerId,
    }));
  }

  // ---- state ----

  get amChoking(): boolean {
    return this.state.amChoking;
  }

  get amInterested(): boolean {
    return this.state.amInterested;
  }

  get peerChoking(): boolean {
    return this.state.peerChoking;
  }

  get peerInterested(): boolean {
    return this.state.peerInterested;
  }

  /** The peer's handshake has arrived (sending is allowed). */
  get ready(): boolean {
    return this.remote !== null;
  }

  /** Why the connection ended, or null while it is alive. */
  get error(): SluiceError | null {
    return this.failure;
  }

  get peerId(): Uint8Array | null {
    return this.remote?.peerId ?? null;
  }

  /** BEP 6 negotiated: both sides set the bit. */
  get fastNegotiated(): boolean {
    return this.isFast;
  }

  /** BEP 10 negotiated: both sides set the bit. */
  get extendedNegotiated(): boolean {
    return this.isExtended;
  }

  /** The peer's latest extended handshake, or null. */
  get peerExtendedHandshake(): ExtendedHandshake | null {
    return this.remoteExtended;
  }

  /** The id the peer wants for `name`, or 0 when it does not support it. */
  peerExtensionId(name: string): number {
    return this.remoteExtended?.extensions.get(name) ?? 0;
  }

  /** The peer's pieces, or null while the piece count is unknown. Read only. */
  get peerBitfield(): Bitfield | null {
    return this.availability.bitfield;
  }

  peerHas(index: number): boolean {
    return this.availability.has(index);
  }

  /** Requests from the peer that are still ours to serve or reject. */
  get pendingPeerRequests(): number {
    return this.peerRequests.size;
  }

  // ---- input ----

  /**
   * Feeds bytes from the peer. The caller may reuse `chunk`'s memory once this returns: nothing here keeps
   * a view into it. A `piece` event's block is a view (into `chunk` or the decoder's reused buffer), valid
   * only until the next receive(); every other event owns its bytes.
   */
  receive(chunk: Uint8Array, now: number): PeerEvent[] {
    const events: PeerEvent[] = [];
    if (this.failure !== null) return events;
    this.tick(now);
    if (chunk.length > 0) this.lastReceived = this.now;
    const messages: WireMessage[] = [];
    try {
      this.decoder.push(chunk, messages);
    } catch (error) {
      this.handle(messages, events);
      if (this.failure === null) this.fail(asSluiceError(error), events);
      return events;
    }
    this.handle(messages, events);
    return events;
  }

  /** Lets time pass: queues a keep-alive when we have been quiet, or ends the connection on a timeout. */
  poll(now: number): PeerEvent[] {
    const events: PeerEvent[] = [];
    if (this.failure !== null) return events;
    this.tick(now);
    if (this.remote === null && this.now - this.started >= this.timeouts.handshakeTimeout) {
      this.fail(new PeerError('peer/handshake-timeout', `no handshake from the peer within ${this.timeouts.handshakeTimeout} ms`), events);
      return events;
    }
    if (this.now - this.lastReceived >= this.timeouts.inactivityTimeout) {
      this.fail(new PeerError('peer/timeout', `nothing received from the peer for ${this.timeouts.inactivityTimeout} ms`), events);
      return events;
    }
    if (this.remote !== null && this.now - this.lastSent >= this.timeouts.keepAliveInterval) this.push(new Uint8Array(4));
    return events;
  }

  /** When poll() must next be called, or null once the connection has ended. */
  nextDeadline(): number | null {
    if (this.failure !== null) return null;
    let deadline = this.lastReceived + this.timeouts.inactivityTimeout;
    if (this.remote === null) deadline = Math.min(deadline, this.started + this.timeouts.handshakeTimeout);
    else deadline = Math.min(deadline, this.lastSent + this.timeouts.keepAliveInterval);
    return deadline;
  }

  /**
   * The metadata of a magnet arrived: what the peer announced so far is checked against it. May return a
   * `bitfield` event, or a `protocol-error` when the peer's earlier bitfield or haves do not fit.
   */
  setPieceCount(pieceCount: number, pieceSize?: (index: number) => number): PeerEvent[] {
    const events: PeerEvent[] = [];
    if (this.failure !== null) return events;
    if (pieceSize !== undefined) this.pieceSize = pieceSize;
    try {
      const bitfield = this.availability.setPieceCount(pieceCount);
      if (bitfield !== null) events.push({ type: 'bitfield', bitfield });
    } catch (error) {
      this.fail(asSluiceError(error), events);
    }
    return events;
  }

  /**
   * A magnet's metadata arrived: from now on `metadata_size` is announced, and a peer that already has our
   * extended handshake gets it again (BEP 10 allows a later one), so it learns it can fetch the metadata from us.
   */
  setMetadataSize(size: number): void {
    if (size <= 0 || size === this.metadataSize) return;
    this.metadataSize = size;
    if (this.failure === null && this.remote !== null && this.isExtended) this.sendExtendedHandshake();
  }

  // ---- output ----

  /** Everything queued to send, in order; the queue is emptied. */
  takeOutgoing(): Uint8Array[] {
    return this.outbox.take();
  }

  /** Our BITFIELD. Must be the first message after the handshakes. */
  sendBitfield(bitfield: Bitfield): void {
    if (!this.beginAvailability()) return;
    this.push(encodeMessage({ type: 'bitfield', bits: bitfield.toWire() }));
  }

  /** HAVE ALL; without the fast extension, the equivalent full BITFIELD (the piece count must be known). */
  haveAll(): void {
    if (!this.beginAvailability()) return;
    if (this.isFast) {
      this.push(encodeMessage({ type: 'have-all' }));
      return;
    }
    const count = this.availability.pieceCount;
    if (count === null) throw invalidCall('have all without the fast extension needs the piece count');
    const bits = new Uint8Array(Math.ceil(count / 8)).fill(0xff);
    if (count % 8 !== 0) bits[bits.length - 1] = (0xff << (8 - (count % 8))) & 0xff;
    this.push(encodeMessage({ type: 'bitfield', bits }));
  }

  /** HAVE NONE; without the fast extension nothing is sent (BEP 3 lets a peer with no pieces skip the bitfield). */
  haveNone(): void {
    if (!this.beginAvailability()) return;
    if (this.isFast) this.push(encodeMessage({ type: 'have-none' }));
  }

  have(index: number): void {
    if (!this.beginMessage()) return;
    this.outbox.indexMessage(MessageId.have, index);
    this.lastSent = this.now;
  }

  /**
   * CHOKE. With the fast extension every pending request from the peer, except those for pieces we allowed
   * fast, is rejected; without it they are forgotten (a choke implicitly discards them, BEP 3).
   */
  choke(): void {
    if (!this.beginMessage() || this.state.amChoking) return;
    this.state.amChoking = true;
    this.push(encodeMessage({ type: 'choke' }));
    const dropped = this.peerRequests.removeWhere((r) => !this.allowedFastGranted.has(r.index));
    if (this.isFast) for (const r of dropped) this.sendBlockMessage(MessageId.reject, r.index, r.begin, r.length);
  }

  unchoke(): void {
    if (!this.beginMessage() || !this.state.amChoking) return;
    this.state.amChoking = false;
    this.push(encodeMessage({ type: 'unchoke' }));
  }

  /** INTERESTED, always sent explicitly (WebTorrent peers are known not to infer it; libtorrent has to fake it). */
  interested(): void {
    if (!this.beginMessage() || this.state.amInterested) return;
    this.state.amInterested = true;
    this.push(encodeMessage({ type: 'interested' }));
  }

  notInterested(): void {
    if (!this.beginMessage() || !this.state.amInterested) return;
    this.state.amInterested = false;
    this.push(encodeMessage({ type: 'not-interested' }));
  }

  /** REQUEST. Our outstanding requests are the pipeline's to track, not the connection's. */
  request(index: number, begin: number, length: number): void {
    if (!this.beginMessage()) return;
    this.sendBlockMessage(MessageId.request, index, begin, length);
  }

  cancel(index: number, begin: number, length: number): void {
    if (!this.beginMessage()) return;
    this.sendBlockMessage(MessageId.cancel, index, begin, length);
  }

  /**
   * Refuses a pending request of the peer's. Returns false when it was not pending (already served, cancelled
   * or rejected). Without the fast extension the request is only forgotten: BEP 3 has no way to say no.
   */
  reject(index: number, begin: number, length: number): boolean {
    if (!this.beginMessage() || !this.peerRequests.remove(index, begin, length)) return false;
    if (this.isFast) this.sendBlockMessage(MessageId.reject, index, begin, length);
    return true;
  }

  /** ALLOWED FAST (fast extension only; otherwise nothing is sent): the peer may request `index` while choked. */
  allowedFast(index: number): void {
    if (!this.beginMessage() || !this.isFast) return;
    this.allowedFastGranted.add(index);
    this.push(encodeMessage({ type: 'allowed-fast', index }));
  }

  /** SUGGEST PIECE (fast extension only; otherwise nothing is sent). */
  suggest(index: number): void {
    if (!this.beginMessage() || !this.isFast) return;
    this.push(encodeMessage({ type: 'suggest', index }));
  }

  /**
   * Serves a pending request: a 13-byte header chunk, then `block` itself as its own chunk (never copied; do not
   * modify it until it is written). Returns false, sending nothing, when the request is no longer pending
   * (cancelled, rejected by a choke, or never made), so data the peer withdrew is not sent.
   */
  piece(index: number, begin: number, block: Uint8Array): boolean {
    if (!this.beginMessage() || !this.peerRequests.remove(index, begin, block.length)) return false;
    this.push(encodePieceHeader(index, begin, block.length));
    this.push(block);
    return true;
  }

  /** PORT (BEP 5): our DHT port. */
  port(port: number): void {
    // Like extension messages, PORT may precede the bitfield, so it leaves the availability stage alone.
    if (!this.canSend()) return;
    this.push(encodeMessage({ type: 'port', port }));
  }

  /** An extension message, on the id the peer assigned to `name`. Returns false when the peer does not support it. */
  extended(name: string, payload: Uint8Array): boolean {
    if (!this.beginExtended()) return false;
    const id = this.peerExtensionId(name);
    if (id === 0) return false;
    this.push(encodeMessage({ type: 'extended', id, payload }));
    return true;
  }

  /** A ut_metadata message; a data message's piece goes out as its own chunk, not copied. */
  sendMetadata(message: MetadataMessage): boolean {
    if (!this.beginExtended()) return false;
    const id = this.peerExtensionId(UT_METADATA);
    if (id === 0) return false;
    const header = encodeMetadataHeader(message);
    const data = message.type === 'data' ? message.data : null;
    const body = 2 + header.length + (data?.length ?? 0);
    const frame = new Uint8Array(6 + header.length);
    frame[0] = body >>> 24;
    frame[1] = (body >>> 16) & 0xff;
    frame[2] = (body >>> 8) & 0xff;
    frame[3] = body & 0xff;
    frame[4] = 20;
    frame[5] = id;
    frame.set(header, 6);
    this.push(frame);
    if (data !== null) this.push(data);
    return true;
  }

  sendPex(message: PexMessage): boolean {
    if (!this.beginExtended() || this.peerExtensionId(UT_PEX) === 0) return false;
    return this.extended(UT_PEX, encodePexMessage(message));
  }

  sendDontHave(index: number): boolean {
    if (!this.beginExtended() || this.peerExtensionId(LT_DONTHAVE) === 0) return false;
    return this.extended(LT_DONTHAVE, encodeDontHave(index));
  }

  // ---- internals ----

  private tick(now: number): void {
    // Time never runs backwards here, whatever the caller's clock does.
    if (now > this.now) this.now = now;
  }

  private push(chunk: Uint8Array): void {
    this.outbox.push(chunk);
    this.lastSent = this.now;
  }

  private sendBlockMessage(id: number, index: number, begin: number, length: number): void {
    this.outbox.blockMessage(id, index, begin, length);
    this.lastSent = this.now;
  }

  /** Common gate of every send: false after the end, a thrown invalid-call before the handshake. */
  private canSend(): boolean {
    if (this.failure !== null) return false;
    if (this.remote === null) throw invalidCall('cannot send before the peer\'s handshake has arrived');
    return true;
  }

  private beginMessage(): boolean {
    if (!this.canSend()) return false;
    this.sentAvailabilityStage = AVAILABILITY_CLOSED;
    return true;
  }

  private beginAvailability(): boolean {
    if (!this.canSend()) return false;
    if (this.sentAvailabilityStage !== AVAILABILITY_OPEN) {
      throw invalidCall('bitfield, have all and have none must be the first message after the handshakes, and only once');
    }
    this.sentAvailabilityStage = AVAILABILITY_RECEIVED;
    return true;
  }

  /** Extension messages may precede the bitfield, so they leave the availability stage alone. */
  private beginExtended(): boolean {
    return this.canSend() && this.isExtended;
  }

  private fail(error: SluiceError, events: PeerEvent[]): void {
    this.failure = error;
    this.outbox.clear();
    events.push({ type: 'protocol-error', error });
  }

  private handle(messages: WireMessage[], events: PeerEvent[]): void {
    for (const message of messages) {
      if (this.failure !== null) return;
      try {
        this.handleOne(message, events);
      } catch (error) {
        this.fail(asSluiceError(error), events);
        return;
      }
    }
  }

  private handleOne(message: WireMessage, events: PeerEvent[]): void {
    if (message.type === 'handshake') {
      this.onHandshake(message, events);
      return;
    }
    switch (message.type) {
      case 'keep-alive':
        events.push({ type: 'keep-alive' });
        return;
      case 'extended':
        this.onExtended(message.id, message.payload, events);
        return;
      case 'port':
        if (message.port !== 0) events.push({ type: 'port', port: message.port });
        return;
      // BEP 3 wants the bitfield first and once, but real clients send it (or have all / have none) after
      // other messages: after have none, after allowed fast, or again to correct themselves. Like
      // libtorrent, each one is the peer's whole availability from now on. Have all / have none without
      // the fast extension mean the same unambiguous thing, so they are taken too.
      case 'bitfield': {
        const bitfield = this.availability.onBitfield(message.bits);
        if (bitfield !== null) events.push({ type: 'bitfield', bitfield });
        return;
      }
      case 'have-all':
        this.availability.onHaveAll();
        events.push({ type: 'have-all' });
        return;
      case 'have-none':
        this.availability.onHaveNone();
        events.push({ type: 'have-none' });
        return;
      case 'choke':
        this.state.peerChoking = true;
        events.push({ type: 'choke' });
        return;
      case 'unchoke':
        this.state.peerChoking = false;
        events.push({ type: 'unchoke' });
        return;
      case 'interested':
        this.state.peerInterested = true;
        events.push({ type: 'interested' });
        return;
      case 'not-interested':
        this.state.peerInterested = false;
        events.push({ type: 'not-interested' });
        return;
      case 'have':
        if (this.availability.onHave(message.index)) events.push({ type: 'have', index: message.index });
        return;
      case 'request':
        this.onRequest(message.index, message.begin, message.length, events);
        return;
      case 'cancel':
        if (this.peerRequests.remove(message.index, message.begin, message.length)) {
          // BEP 6: with the fast extension every request ends in a piece or a reject, cancelled ones included.
          if (this.isFast) this.sendBlockMessage(MessageId.reject, message.index, message.begin, message.length);
          events.push({ type: 'cancel', index: message.index, begin: message.begin, length: message.length });
        }
        return;
      case 'piece':
        // Before the metadata we asked for nothing and can check nothing: the block is dropped unread.
        if (this.availability.pieceCount === null) return;
        this.checkPiece(message.index, message.begin, message.block.length);
        // The decoder's message has the event's exact shape: passed on, not copied, once per block.
        events.push(message);
        return;
      case 'reject':
        // Unambiguous even without the fast extension: the request is not going to be served.
        events.push({ type: 'reject', index: message.index, begin: message.begin, length: message.length });
        return;
      case 'allowed-fast':
        // Advisory: without the fast extension a choked peer would drop what we asked, so it is ignored.
        if (this.isFast && this.inRange(message.index)) events.push({ type: 'allowed-fast', index: message.index });
        return;
      case 'suggest':
        if (this.isFast && this.inRange(message.index)) events.push({ type: 'suggest', index: message.index });
        return;
      case 'unknown':
        // Messages we do not speak (e.g. BEP 52 hash requests) are skipped, as BEP 3 intends.
        return;
    }
  }

  private onHandshake(message: HandshakeMessage, events: PeerEvent[]): void {
    if (!bytesEqual(message.infoHash, this.infoHash)) {
      throw new PeerError('peer/info-hash-mismatch', 'peer handshake names a different info hash');
    }
    if (bytesEqual(message.peerId, this.localPeerId)) {
      throw new PeerError('peer/self-connection', 'peer handshake carries our own peer id');
    }
    this.remote = message;
    this.isExtended = supportsExtended(message.reserved);
    this.isFast = this.options.fast && supportsFast(message.reserved);
    if (this.isExtended) this.sendExtendedHandshake();
    events.push({
      type: 'handshake',
      peerId: message.peerId,
      reserved: message.reserved,
      clientName: clientName(message.peerId),
      extended: this.isExtended,
      fast: this.isFast,
      dht: supportsDht(message.reserved),
    });
  }

  private sendExtendedHandshake(): void {
    const extensions = new Map<string, number>();
    for (const name of EXTENSION_NAMES) {
      const id = this.options.localExtensions[name];
      if (id !== undefined && id !== 0) extensions.set(name, id);
    }
    const { listenPort, yourIp, clientName } = this.options;
    const metadataSize = this.metadataSize;
    const handshake: ExtendedHandshake = {
      extensions,
      client: clientName,
      requestQueue: ANNOUNCED_REQUEST_QUEUE,
      ...(metadataSize !== undefined && metadataSize > 0 ? { metadataSize } : {}),
      ...(listenPort !== undefined ? { port: listenPort } : {}),
      ...(yourIp !== undefined ? { yourIp } : {}),
    };
    this.push(encodeMessage({ type: 'extended', id: EXTENDED_HANDSHAKE_ID, payload: encodeExtendedHandshake(handshake) }));
  }

  private onExtended(id: number, payload: Uint8Array, events: PeerEvent[]): void {
    // Without BEP 10 on both sides the peer knows none of our ids: the message means nothing here, and is
    // skipped like any unknown message.
    if (!this.isExtended) return;
    if (id === EXTENDED_HANDSHAKE_ID) {
      const handshake = parseOrNull(payload);
      // libtorrent ignores an extended handshake it cannot read; the peer keeps what it said before.
      if (handshake === null) return;
      this.remoteExtended = handshake;
      events.push({ type: 'extended-handshake', handshake });
      return;
    }
    const local = this.options.localExtensions;
    if (id === local.ut_metadata) {
      const message = decodeMetadataMessage(payload);
      if (message !== null) events.push({ type: 'metadata', message });
    } else if (id === local.ut_pex) {
      events.push({ type: 'pex', message: decodePexMessage(payload) });
    } else if (id === local.lt_donthave) {
      const index = decodeDontHave(payload);
      if (this.availability.onDontHave(index)) events.push({ type: 'donthave', index });
    } else {
      events.push({ type: 'extended', id, payload });
    }
  }

  private inRange(index: number): boolean {
    const count = this.availability.pieceCount;
    return count === null || index < count;
  }

  private blockFits(index: number, begin: number, length: number): boolean {
    const count = this.availability.pieceCount;
    if (count === null || index >= count) return false;
    if (this.pieceSize === undefined) return true;
    return begin + length <= this.pieceSize(index);
  }

  private onRequest(index: number, begin: number, length: number, events: PeerEvent[]): void {
    if (length === 0 || length > MAX_REQUEST_LENGTH) {
      throw new PeerError('peer/bad-request-length', `peer requested ${length} bytes, expected 1..${MAX_REQUEST_LENGTH}`);
    }
    // Before the metadata nothing can be checked, and we have nothing to give: refused, not a reason to drop.
    const unknown = this.availability.pieceCount === null;
    if (!unknown && !this.blockFits(index, begin, length)) {
      throw new PeerError('peer/request-out-of-range', `peer requested ${length} bytes at ${begin} of piece ${index}, outside the torrent`);
    }
    const refused =
      unknown ||
      (this.state.amChoking && !this.allowedFastGranted.has(index)) ||
      this.peerRequests.size >= this.maxPeerRequests;
    if (refused) {
      // BEP 6: a request we will not serve gets a reject; without fast it is silently dropped (BEP 3).
      if (this.isFast) this.sendBlockMessage(MessageId.reject, index, begin, length);
      return;
    }
    if (this.peerRequests.add(index, begin, length)) events.push({ type: 'request', index, begin, length });
  }

  private checkPiece(index: number, begin: number, length: number): void {
    if (length === 0 || !this.blockFits(index, begin, length)) {
      throw new PeerError('peer/piece-out-of-range', `peer sent ${length} bytes at ${begin} of piece ${index}, outside the torrent`);
    }
  }
}

function invalidCall(message: string): PeerError {
  return new PeerError('peer/invalid-call', message);
}

function parseOrNull(payload: Uint8Array): ExtendedHandshake | null {
  try {
    return parseExtendedHandshake(payload);
  } catch (error) {
    if (isSluiceError(error) && error.code === 'wire/bad-extended-handshake') return null;
    throw error;
  }
}

function asSluiceError(error: unknown): SluiceError {
  if (isSluiceError(error)) return error;
  // Anything else is a bug in this package; surface it rather than dress it up as the peer's fault.
  throw error;
}
