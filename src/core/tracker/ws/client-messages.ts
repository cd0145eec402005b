// Client → tracker messages of the WebSocket (WebTorrent) tracker protocol: announce with offers, answer,
// scrape. Wire format as bittorrent-tracker 11 and libtorrent 2.1 speak it (docs/tracker-server.md).
import { DEFAULT_WS_LIMITS, type WsCodecLimits } from './bounds.js';
import { readId, typeName, writeId } from './binary-string.js';
import { WsTrackerError } from './errors.js';
import { checkSdp, field, optionalCount, optionalTrackerId, parseJsonObject, readSdp, type JsonObject } from './json-frame.js';

/** `paused` is libtorrent's; `update` (and an absent event) is the periodic re-announce. */
export type WsAnnounceEvent = 'started' | 'completed' | 'stopped' | 'paused' | 'update';

export interface WsOffer {
  /** 20 bytes; the answer comes back with the same id. */
  readonly offerId: Uint8Array;
  /** The full (non-trickle) SDP of an RTCPeerConnection offer. */
  readonly sdp: string;
}

export interface WsAnnounce {
  readonly type: 'announce';
  readonly infoHash: Uint8Array;
  readonly peerId: Uint8Array;
  readonly event?: WsAnnounceEvent;
  readonly numWant?: number;
  readonly uploaded?: number;
  readonly downloaded?: number;
  /** Absent when unknown (webtorrent sends null before it has the metadata). */
  readonly left?: number;
  /** Empty for `stopped` and `completed`, and when the client wants no peers. */
  readonly offers: readonly WsOffer[];
  readonly trackerId?: string;
}

/** An answer to a relayed offer: sent as an `announce` carrying `answer` and `to_peer_id`. */
export interface WsAnswer {
  readonly type: 'answer';
  readonly infoHash: Uint8Array;
  /** The answering peer. */
  readonly peerId: Uint8Array;
  /** The peer that made the offer. */
  readonly toPeerId: Uint8Array;
  readonly offerId: Uint8Array;
  readonly sdp: string;
  readonly trackerId?: string;
}

export interface WsScrapeRequest {
  readonly type: 'scrape';
  /** 'all' when the request names no info hash (the tracker then reports every torrent). */
  readonly infoHashes: readonly Uint8Array[] | 'all';
}

export type WsClientMessage = WsAnnounce | WsAnswer | WsScrapeRequest;

const EVENTS: ReadonlySet<string> = new Set(['started', 'completed', 'stopped', 'paused', 'update']);

/**
 * Parses one client frame. Throws only `WsTrackerError`: ids must be 20 characters of code points
 * 0-255, offers and SDPs are bounded, unknown actions and events are refused. Advisory numbers of the
 * wrong type (`left: null`...) read as absent, as bittorrent-tracker treats them.
 */
export function parseClientMessage(frame: string | Uint8Array, limits: WsCodecLimits = DEFAULT_WS_LIMITS): WsClientMessage {
  const message = parseJsonObject(frame, limits);
  const action = field(message, 'action');
  if (action === 'announce') return field(message, 'answer') !== undefined ? parseAnswer(message, limits) : parseAnnounce(message, limits);
  if (action === 'scrape') return parseScrape(message, limits);
  throw new WsTrackerError('ws-tracker/bad-action', action === undefined ? 'message has no action' : `unknown action ${typeof action === 'string' ? JSON.stringify(action.slice(0, 20)) : typeName(action)}`);
}

function parseAnnounce(message: JsonObject, limits: WsCodecLimits): WsAnnounce {
  const infoHash = readId(field(message, 'info_hash'), 'info_hash');
  const peerId = readId(field(message, 'peer_id'), 'peer_id');
  const rawEvent = field(message, 'event');
  let event: WsAnnounceEvent | undefined;
  if (typeof rawEvent === 'string' && EVENTS.has(rawEvent)) event = rawEvent as WsAnnounceEvent;
  else if (rawEvent !== undefined && rawEvent !== null && rawEvent !== '' && rawEvent !== 'empty') {
    throw new WsTrackerError('ws-tracker/bad-field', `unknown announce event ${typeof rawEvent === 'string' ? JSON.stringify(rawEvent.slice(0, 20)) : typeName(rawEvent)}`);
  }
  const offers = parseOffers(field(message, 'offers'), limits);
  const numWant = optionalCount(field(message, 'numwant'));
  const uploaded = optionalCount(field(message, 'uploaded'));
  const downloaded = optionalCount(field(message, 'downloaded'));
  const left = optionalCount(field(message, 'left'));
  const trackerId = optionalTrackerId(field(message, 'trackerid'));
  return {
    type: 'announce',
    infoHash,
    peerId,
    ...(event === undefined ? {} : { event }),
    ...(numWant === undefined ? {} : { numWant }),
    ...(uploaded === undefined ? {} : { uploaded }),
    ...(downloaded === undefined ? {} : { downloaded }),
    ...(left === undefined ? {} : { left }),
    offers,
    ...(trackerId === undefined ? {} : { trackerId }),
  };
}

function parseOffers(value: unknown, limits: WsCodecLimits): WsOffer[] {
  if (value === undefined || value === null) return [];
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

function parseAnswer(message: JsonObject, limits: WsCodecLimits): WsAnswer {
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

function parseScrape(message: JsonObject, limits: WsCodecLimits): WsScrapeRequest {
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

