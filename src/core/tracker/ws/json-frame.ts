// Reading one text frame as a JSON object, and the lenient readers for advisory fields.
import { sanitizeTrackerText } from '../errors.js';
import type { WsCodecLimits } from './bounds.js';
import { MAX_WS_TRACKER_ID_LENGTH } from './bounds.js';
import { typeName } from './binary-string.js';
import { WsTrackerError } from './errors.js';

export type JsonObject = { readonly [key: string]: unknown };

// ignoreBOM keeps a leading U+FEFF, which JSON.parse then refuses: bytes and text of a frame read alike.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8 = new TextEncoder();

/**
 * Parses a frame (text, or the raw bytes of a text frame) into a JSON object. The size bound is checked
 * before parsing, so a huge frame costs nothing; JSON.parse of a bounded string is bounded too.
 */
export function parseJsonObject(frame: string | Uint8Array, limits: WsCodecLimits): JsonObject {
  const size = typeof frame === 'string' ? frame.length : frame.byteLength;
  if (size > limits.maxMessageBytes) throw new WsTrackerError('ws-tracker/too-large', `message of ${size} bytes is larger than ${limits.maxMessageBytes}`);
  let text: string;
  if (typeof frame === 'string') text = frame;
  else {
    try {
      text = strictUtf8.decode(frame);
    } catch {
      throw new WsTrackerError('ws-tracker/not-json', 'message is not UTF-8 text');
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new WsTrackerError('ws-tracker/not-json', 'message is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WsTrackerError('ws-tracker/not-json', `message must be a JSON object, got ${typeName(value)}`);
  }
  return value as JsonObject;
}

/** An own property only: `__proto__` and friends in a JSON object are data, never the prototype. */
export function field(object: JsonObject, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

/** A finite non-negative number, floored; anything else (null, a string, Infinity) is absent. */
export function optionalCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.min(Math.floor(value), Number.MAX_SAFE_INTEGER) : undefined;
}

/** Human text from the other side, on one printable line; absent unless it is a string. */
export function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' ? sanitizeTrackerText(utf8.encode(value.slice(0, 1000))) : undefined;
}

/** A tracker id to echo back; absent when it is not a short string. */
export function optionalTrackerId(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_WS_TRACKER_ID_LENGTH ? value : undefined;
}

/** Reads `{type, sdp}`; throws `bad-field` or `sdp-too-long`. */
export function readSdp(value: unknown, expectedType: 'offer' | 'answer', where: string, limits: WsCodecLimits): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WsTrackerError('ws-tracker/bad-field', `${where} must be an object with type and sdp, got ${typeName(value)}`);
  }
  const description = value as JsonObject;
  const type = field(description, 'type');
  if (type !== expectedType) throw new WsTrackerError('ws-tracker/bad-field', `${where}.type must be "${expectedType}"`);
  return checkSdp(field(description, 'sdp'), where, limits);
}

export function checkSdp(sdp: unknown, where: string, limits: WsCodecLimits): string {
  if (typeof sdp !== 'string') throw new WsTrackerError('ws-tracker/bad-field', `${where}.sdp must be a string, got ${typeName(sdp)}`);
  if (sdp.length > limits.maxSdpLength) throw new WsTrackerError('ws-tracker/sdp-too-long', `${where}.sdp of ${sdp.length} characters is longer than ${limits.maxSdpLength}`);
  return sdp;
}

/** Text sent by a tracker: one line, as sanitised, and never empty in a failure. */
export function encodeText(text: string): string {
  return sanitizeTrackerText(utf8.encode(text.slice(0, 1000)));
}
