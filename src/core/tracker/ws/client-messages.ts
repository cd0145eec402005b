// Client → tracker messages of the WebSocket (WebTorrent) tracker protocol: announce with offers, answer,
// scrape. Wire format as bittorrent-tracker 11 and libtorrent 2.1 speak it (docs/tracker-server.md).
import { DEFAULT_WS_LIMITS, type WsCodecLimits } from './bounds.js';
import { readId, readIdString, typeName, writeId } from './binary-string.js';
import { WsTrackerError } from './errors.js';
import { checkSdp, field, optionalCount, optionalTrackerId, parseJsonObject, readSdp, type JsonObject } from './json-frame.js';
import { scanJson } from './json-scan.js';

/** `paused` is libtorrent's; `update` (and an absent event) is the periodic re-announce. */
export type WsAnnounceEvent = 'started' | 'completed' | 'stopped' | 'paused' | 'update';

/**
 * Ids are bytes (`Uint8Array`, 20 of them) by default; `parseClientMessageIds` gives them as binary
 * strings (20 characters, U+0000-U+00FF), checked the same way.
 */
export interface WsOffer<Id = Uint8Array> {
  /** 20 bytes; the answer comes back with the same id. */
  readonly offerId: Id;
  /** The full (non-trickle) SDP of an RTCPeerConnection offer. */
  readonly sdp: string;
}

export interface WsAnnounce<Id = Uint8Array> {
  readonly type: 'announce';
  readonly infoHash: Id;
  readonly peerId: Id;
  readonly event?: WsAnnounceEvent;
  readonly numWant?: number;
  readonly uploaded?: number;
  readonly downloaded?: number;
  /** Absent when unknown (webtorrent sends null before it has the metadata). */
  readonly left?: number;
  /** Empty for `stopped` and `completed`, and when the client wants no peers. */
  readonly offers: readonly WsOffer<Id>[];
  readonly trackerId?: string;
}

/** An answer to a relayed offer: sent as an `announce` carrying `answer` and `to_peer_id`. */
export interface WsAnswer<Id = Uint8Array> {
  readonly type: 'answer';
  readonly infoHash: Id;
  /** The answering peer. */
  readonly peerId: Id;
  /** The peer that made the offer. */
  readonly toPeerId: Id;
  readonly offerId: Id;
  readonly sdp: string;
  readonly trackerId?: string;
}

export interface WsScrapeRequest<Id = Uint8Array> {
  readonly type: 'scrape';
  /** 'all' when the request names no info hash (the tracker then reports every torrent). */
  readonly infoHashes: readonly Id[] | 'all';
}

export type WsClientMessage<Id = Uint8Array> = WsAnnounce<Id> | WsAnswer<Id> | WsScrapeRequest<Id>;

type IdReader<Id> = (value: unknown, field: string) => Id;

const EVENTS: ReadonlySet<string> = new Set(['started', 'completed', 'stopped', 'paused', 'update']);

/**
 * Parses one client frame. Throws only `WsTrackerError`: ids must be 20 characters of code points
 * 0-255, offers and SDPs are bounded, unknown actions and events are refused. Advisory numbers of the
 * wrong type (`left: null`...) read as absent, as bittorrent-tracker treats them.
 */
export function parseClientMessage(frame: string | Uint8Array, limits: WsCodecLimits = DEFAULT_WS_LIMITS): WsClientMessage {
  return readClientMessage(parseJsonObject(frame, limits), limits, readId);
}

/**
 * The same as `parseClientMessage`, with the same checks and the same errors, but ids are left as the
 * binary strings they are on the wire (what a tracker keys its maps with and echoes back). The bytes of
 * a frame are read with `scanJson` when it handles them (no UTF-8 decode, no JSON.parse) and parsed as
 * `parseClientMessage` does otherwise; both give the same object.
 */
export function parseClientMessageIds(frame: string | Uint8Array, limits: WsCodecLimits = DEFAULT_WS_LIMITS): WsClientMessage<string> {
  if (typeof frame !== 'string' && frame.byteLength <= limits.maxMessageBytes) {
    const scanned = scanJson(frame);
    if (typeof scanned === 'object' && scanned !== null && !Array.isArray(scanned)) return readClientMessage(scanned as JsonObject, limits, readIdString);
  }
  return readClientMessage(parseJsonObject(frame, limits), limits, readIdString);
}

function readClientMessage<Id>(message: JsonObject, limits: WsCodecLimits, readId: IdReader<Id>): WsClientMessage<Id> {
  const action = field(message, 'action');
  if (action === 'announce') return field(message, 'answer') !== undefined ? parseAnswer(message, limits, readId) : parseAnnounce(message, limits, readId);
  if (action === 'scrape') return parseScrape(message, limits, readId);
  throw new WsTrackerError('ws-tracker/bad-action', action === undefined ? 'message has no action' : `unknown action ${typeof action === 'string' ? JSON.stringify(action.slice(0, 20)) : typeName(action)}`);
}

function parseAnnounce<Id>(message: JsonObject, limits: WsCodecLimits, readId: IdReader<Id>): WsAnnounce<Id> {
  const infoHash = readId(field(message, 'info_hash'), 'info_hash');
  const peerId = readId(field(message, 'peer_id'), 'peer_id');
  const rawEvent = field(message, 'event');
  let event: WsAnnounceEvent | undefined;
  if (typeof rawEvent === 'string' && EVENTS.has(rawEvent)) event = rawEvent as WsAnnounceEvent;
  else if (rawEvent !== undefined && rawEvent !== null && rawEvent !== '' && rawEvent !== 'empty') {
    throw new WsTrackerError('ws-tracker/bad-field', `unknown announce event ${typeof rawEvent === 'string' ? JSON.stringify(rawEvent.slice(0, 20)) : typeName(rawEvent)}`);
  }
  const offers = parseOffers(field(message, 'offers'), limits, readId);
  const numWant = optionalCount(field(message, 'numwant'));
  const uploaded = optionalCount(field(message, 'uploaded'));
  const downloaded = optionalCount(field(message, 'downloaded'));
  const left = optionalCount(field(message, 'left'));
  const trackerId = optionalTrackerId(field(message, 'trackerid'));
  // Absent fields stay absent (not present as undefined): assigned one by one, no spread objects.
  const out: { -readonly [K in keyof WsAnnounce<Id>]: WsAnnounce<Id>[K] } = { type: 'announce', infoHash, peerId, offers };
  if (event !== undefined) out.event = event;
  if (numWant !== undefined) out.numWant = numWant;
  if (uploaded !== undefined) out.uploaded = uploaded;
  if (downloaded !== undefined) out.downloaded = downloaded;
  if (left !== undefined) out.left = left;
  if (trackerId !== undefined) out.trackerId = trackerId;
  return out;
}

const NO_OFFERS: readonly never[] = Object.freeze([]);

function parseOffers<Id>(value: unknown, limits: WsCodecLimits, readId: IdReader<Id>): readonly WsOffer<Id>[] {
  if (value === undefined || value === null) return NO_OFFERS;
  if (!Array.isArray(value)) throw new WsTrackerError('ws-tracker/bad-field', `offers must be an array, got ${typeName(value)}`);
  if (value.length > limits.maxOffers) throw new WsTrackerError('ws-tracker/too-many-offers', `announce carries ${value.length} offers, more than ${limits.maxOffers}`);
  return value.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new WsTrackerError('ws-tracker/bad-field', `offers[${i}] must be an object, got ${typeName(item)}`);
    }
    const offer = item as JsonObject;
    return { offerId: readId(field(offer, 'offer_id'), `offers[${i}].offer_id`), sdp: readSdp(field(offer, 'offer'), 'offer', `offers[${i}].offer`, limits) };
  });
}

function parseAnswer<Id>(message: JsonObject, limits: WsCodecLimits, readId: IdReader<Id>): WsAnswer<Id> {
  const trackerId = optionalTrackerId(field(message, 'trackerid'));
  return {
    type: 'answer',
    infoHash: readId(field(message, 'info_hash'), 'info_hash'),
    peerId: readId(field(message, 'peer_id'), 'peer_id'),
    toPeerId: readId(field(message, 'to_peer_id'), 'to_peer_id'),
    offerId: readId(field(message, 'offer_id'), 'offer_id'),
    sdp: readSdp(field(message, 'answer'), 'answer', 'answer', limits),
    ...(trackerId === undefined ? {} : { trackerId }),
  };
}

function parseScrape<Id>(message: JsonObject, limits: WsCodecLimits, readId: IdReader<Id>): WsScrapeRequest<Id> {
  const value = field(message, 'info_hash');
  if (value === undefined || value === null) return { type: 'scrape', infoHashes: 'all' };
  if (typeof value === 'string') return { type: 'scrape', infoHashes: [readId(value, 'info_hash')] };
  if (!Array.isArray(value)) throw new WsTrackerError('ws-tracker/bad-field', `scrape info_hash must be a string or an array, got ${typeName(value)}`);
  if (value.length > limits.maxScrapeHashes) throw new WsTrackerError('ws-tracker/bad-field', `scrape names ${value.length} info hashes, more than ${limits.maxScrapeHashes}`);
  return { type: 'scrape', infoHashes: value.map((hash: unknown, i) => readId(hash, `info_hash[${i}]`)) };
}

/**
 * The frame for a client message. Validates what the tracker would refuse (id lengths, offer count, SDP
 * length) and throws `WsTrackerError` instead of sending it.
 */
export function encodeClientMessage(message: WsClientMessage, limits: WsCodecLimits = DEFAULT_WS_LIMITS): string {
  switch (message.type) {
    case 'announce': {
      if (message.offers.length > limits.maxOffers) {
        throw new WsTrackerError('ws-tracker/too-many-offers', `announce carries ${message.offers.length} offers, more than ${limits.maxOffers}`);
      }
      const stopping = message.event === 'stopped' || message.event === 'completed';
      return JSON.stringify({
        action: 'announce',
        info_hash: writeId(message.infoHash, 'info_hash'),
        peer_id: writeId(message.peerId, 'peer_id'),
        numwant: message.numWant ?? message.offers.length,
        uploaded: message.uploaded ?? 0,
        downloaded: message.downloaded ?? 0,
        left: message.left ?? null,
        event: message.event,
        // bittorrent-tracker reads the peer count it relays to from offers.length: none when stopping.
        offers: stopping
          ? undefined
          : message.offers.map((offer, i) => ({
              offer_id: writeId(offer.offerId, `offers[${i}].offer_id`),
              offer: { type: 'offer', sdp: checkSdp(offer.sdp, `offers[${i}].offer`, limits) },
            })),
        trackerid: message.trackerId,
      });
    }
    case 'answer':
      return JSON.stringify({
        action: 'announce',
        info_hash: writeId(message.infoHash, 'info_hash'),
        peer_id: writeId(message.peerId, 'peer_id'),
        to_peer_id: writeId(message.toPeerId, 'to_peer_id'),
        answer: { type: 'answer', sdp: checkSdp(message.sdp, 'answer', limits) },
        offer_id: writeId(message.offerId, 'offer_id'),
        trackerid: message.trackerId,
      });
    case 'scrape':
      if (message.infoHashes === 'all') return JSON.stringify({ action: 'scrape' });
      if (message.infoHashes.length > limits.maxScrapeHashes) {
        throw new WsTrackerError('ws-tracker/bad-field', `scrape names ${message.infoHashes.length} info hashes, more than ${limits.maxScrapeHashes}`);
      }
      return JSON.stringify({ action: 'scrape', info_hash: message.infoHashes.map((hash, i) => writeId(hash, `info_hash[${i}]`)) });
  }
}

