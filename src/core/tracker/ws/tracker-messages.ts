// Tracker → client messages of the WebSocket (WebTorrent) tracker protocol: the announce reply, relayed
// offers and answers, the scrape reply, and failures.
import type { ScrapeStats } from '../../ports/tracker.js';
import { DEFAULT_WS_LIMITS, MAX_SCRAPE_REPLY_FILES, type WsCodecLimits } from './bounds.js';
import { binaryStringToBytes, readId, typeName, writeId } from './binary-string.js';
import { WsTrackerError } from './errors.js';
import { checkSdp, encodeText, field, optionalCount, optionalText, optionalTrackerId, parseJsonObject, readSdp, type JsonObject } from './json-frame.js';

export interface WsAnnounceReply {
  readonly type: 'announce-reply';
  readonly infoHash: Uint8Array;
  /** Seconds until the next announce. */
  readonly interval?: number;
  readonly minInterval?: number;
  /** Seeders. */
  readonly complete?: number;
  /** Leechers. */
  readonly incomplete?: number;
  readonly trackerId?: string;
  readonly warning?: string;
}

/** An offer from another peer of the swarm, relayed by the tracker. */
export interface WsRelayedOffer {
  readonly type: 'offer';
  readonly infoHash: Uint8Array;
  /** The peer that made the offer: answer with `toPeerId` set to this. */
  readonly peerId: Uint8Array;
  readonly offerId: Uint8Array;
  readonly sdp: string;
}

/** The answer to one of our offers, routed back by the tracker. */
export interface WsRelayedAnswer {
  readonly type: 'answer';
  readonly infoHash: Uint8Array;
  /** The peer that answered. */
  readonly peerId: Uint8Array;
  readonly offerId: Uint8Array;
  readonly sdp: string;
}

export interface WsScrapeReply {
  readonly type: 'scrape-reply';
  readonly files: readonly ScrapeStats[];
  /** `flags.min_request_interval`, seconds. */
  readonly minRequestInterval?: number;
}

export interface WsFailure {
  readonly type: 'failure';
  /** One printable line. */
  readonly reason: string;
  /** Absent when the tracker could not read the request at all. */
  readonly action?: 'announce' | 'scrape';
  readonly infoHash?: Uint8Array;
}

export type WsTrackerMessage = WsAnnounceReply | WsRelayedOffer | WsRelayedAnswer | WsScrapeReply | WsFailure;

/**
 * Parses one tracker frame. Throws only `WsTrackerError`. A `failure reason` wins over everything else;
 * an announce carrying `offer` is a relayed offer, one carrying `answer` a relayed answer, any other
 * announce is the reply to ours. libtorrent's `min_interval` is read as well as `min interval`.
 */
export function parseTrackerMessage(frame: string | Uint8Array, limits: WsCodecLimits = DEFAULT_WS_LIMITS): WsTrackerMessage {
  const message = parseJsonObject(frame, limits);
  const action = field(message, 'action');
  const failure = field(message, 'failure reason');
  if (failure !== undefined) {
    const infoHash = typeof field(message, 'info_hash') === 'string' ? safeId(field(message, 'info_hash')) : undefined;
    return {
      type: 'failure',
      reason: optionalText(failure) || '(no reason given)',
      ...(action === 'announce' || action === 'scrape' ? { action } : {}),
      ...(infoHash === undefined ? {} : { infoHash }),
    };
  }
  if (action === 'announce') {
    if (field(message, 'offer') !== undefined) return parseRelayed(message, 'offer', limits);
    if (field(message, 'answer') !== undefined) return parseRelayed(message, 'answer', limits);
    return parseAnnounceReply(message);
  }
  if (action === 'scrape') return parseScrapeReply(message);
  throw new WsTrackerError('ws-tracker/bad-action', action === undefined ? 'message has no action' : `unknown action ${typeof action === 'string' ? JSON.stringify(action.slice(0, 20)) : typeName(action)}`);
}

function safeId(value: unknown): Uint8Array | undefined {
  try {
    return readId(value, 'info_hash');
  } catch {
    return undefined;
  }
}

function parseRelayed(message: JsonObject, kind: 'offer' | 'answer', limits: WsCodecLimits): WsRelayedOffer | WsRelayedAnswer {
  return {
    type: kind,
    infoHash: readId(field(message, 'info_hash'), 'info_hash'),
    peerId: readId(field(message, 'peer_id'), 'peer_id'),
    offerId: readId(field(message, 'offer_id'), 'offer_id'),
    sdp: readSdp(field(message, kind), kind, kind, limits),
  };
}

function parseAnnounceReply(message: JsonObject): WsAnnounceReply {
  const interval = optionalCount(field(message, 'interval'));
  const minInterval = optionalCount(field(message, 'min interval')) ?? optionalCount(field(message, 'min_interval'));
  const complete = optionalCount(field(message, 'complete'));
  const incomplete = optionalCount(field(message, 'incomplete'));
  const trackerId = optionalTrackerId(field(message, 'tracker id'));
  const warning = optionalText(field(message, 'warning message'));
  return {
    type: 'announce-reply',
    infoHash: readId(field(message, 'info_hash'), 'info_hash'),
    ...(interval === undefined ? {} : { interval }),
    ...(minInterval === undefined ? {} : { minInterval }),
    ...(complete === undefined ? {} : { complete }),
    ...(incomplete === undefined ? {} : { incomplete }),
    ...(trackerId === undefined ? {} : { trackerId }),
    ...(warning === undefined || warning === '' ? {} : { warning }),
  };
}

function parseScrapeReply(message: JsonObject): WsScrapeReply {
  const files = field(message, 'files');
  if (typeof files !== 'object' || files === null || Array.isArray(files)) {
    throw new WsTrackerError('ws-tracker/bad-field', `scrape reply files must be an object, got ${typeName(files)}`);
  }
  const stats: ScrapeStats[] = [];
  for (const key of Object.keys(files)) {
    if (stats.length >= MAX_SCRAPE_REPLY_FILES) break;
    const infoHash = key.length === 20 ? binaryStringToBytes(key) : null;
    const entry = (files as JsonObject)[key];
    if (infoHash === null || typeof entry !== 'object' || entry === null) continue;
    const counts = entry as JsonObject;
    stats.push({
      infoHash,
      complete: optionalCount(field(counts, 'complete')) ?? 0,
      downloaded: optionalCount(field(counts, 'downloaded')) ?? 0,
      incomplete: optionalCount(field(counts, 'incomplete')) ?? 0,
    });
  }
  const flags = field(message, 'flags');
  const minRequestInterval = typeof flags === 'object' && flags !== null ? optionalCount(field(flags as JsonObject, 'min_request_interval')) : undefined;
  return { type: 'scrape-reply', files: stats, ...(minRequestInterval === undefined ? {} : { minRequestInterval }) };
}

/** The frame for a tracker message. Throws `WsTrackerError` for ids that are not 20 bytes or SDPs over the bound. */
export function encodeTrackerMessage(message: WsTrackerMessage, limits: WsCodecLimits = DEFAULT_WS_LIMITS): string {
  switch (message.type) {
    case 'announce-reply':
      return JSON.stringify({
        action: 'announce',
        interval: message.interval,
        'min interval': message.minInterval,
        info_hash: writeId(message.infoHash, 'info_hash'),
        complete: message.complete,
        incomplete: message.incomplete,
        'tracker id': message.trackerId,
        'warning message': message.warning === undefined ? undefined : encodeText(message.warning),
      });
    case 'offer':
    case 'answer':
      return JSON.stringify({
        action: 'announce',
        [message.type]: { type: message.type, sdp: checkSdp(message.sdp, message.type, limits) },
        offer_id: writeId(message.offerId, 'offer_id'),
        peer_id: writeId(message.peerId, 'peer_id'),
        info_hash: writeId(message.infoHash, 'info_hash'),
      });
    case 'scrape-reply': {
      const files: Record<string, { complete: number; incomplete: number; downloaded: number }> = {};
      message.files.forEach((file, i) => {
        files[writeId(file.infoHash, `files[${i}]`)] = { complete: file.complete, incomplete: file.incomplete, downloaded: file.downloaded };
      });
      return JSON.stringify({
        action: 'scrape',
        files,
        flags: message.minRequestInterval === undefined ? undefined : { min_request_interval: message.minRequestInterval },
      });
    }
    case 'failure':
      return JSON.stringify({
        action: message.action,
        'failure reason': encodeText(message.reason) || '(no reason given)',
        info_hash: message.infoHash === undefined ? undefined : writeId(message.infoHash, 'info_hash'),
      });
  }
}
