// WebTorrent trackers carry 20-byte ids as "binary strings": one UTF-16 code unit (0-255) per byte.
import { binaryString } from '../../bencode/decode.js';
import { WsTrackerError } from './errors.js';

/** Bytes as a binary string: byte b becomes the character U+00bb. */
export function bytesToBinaryString(bytes: Uint8Array): string {
  // Ids are 20 bytes: `apply` with the typed array as the argument list is several times faster than
  // binaryString's spread (an iterator) at this size. Long input keeps binaryString's chunking.
  return bytes.length <= 1024 ? String.fromCharCode.apply(null, bytes as unknown as number[]) : binaryString(bytes);
}

/** The bytes of a binary string; null when a code unit is above 255 (it cannot be a byte). */
export function binaryStringToBytes(text: string): Uint8Array | null {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit > 255) return null;
    out[i] = unit;
  }
  return out;
}

/** Reads a 20-byte id from a JSON value; throws `ws-tracker/bad-id` for anything else. */
export function readId(value: unknown, field: string): Uint8Array {
  if (typeof value !== 'string') throw new WsTrackerError('ws-tracker/bad-id', `${field} must be a string of 20 characters, got ${typeName(value)}`);
  if (value.length !== 20) throw new WsTrackerError('ws-tracker/bad-id', `${field} must be 20 characters, got ${value.length}`);
  const bytes = binaryStringToBytes(value);
  if (bytes === null) throw new WsTrackerError('ws-tracker/bad-id', `${field} has a character above U+00FF (not one byte per character)`);
  return bytes;
}

/**
 * The same checks as `readId`, with the same errors, but the id stays a binary string (what a tracker
 * keys its maps with and echoes back), so no bytes are made.
 */
export function readIdString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new WsTrackerError('ws-tracker/bad-id', `${field} must be a string of 20 characters, got ${typeName(value)}`);
  if (value.length !== 20) throw new WsTrackerError('ws-tracker/bad-id', `${field} must be 20 characters, got ${value.length}`);
  for (let i = 0; i < 20; i++) {
    if (value.charCodeAt(i) > 255) throw new WsTrackerError('ws-tracker/bad-id', `${field} has a character above U+00FF (not one byte per character)`);
  }
  return value;
}

/** Writes a 20-byte id; throws `ws-tracker/bad-id` for any other length. */
export function writeId(bytes: Uint8Array, field: string): string {
  if (bytes.length !== 20) throw new WsTrackerError('ws-tracker/bad-id', `${field} must be 20 bytes, got ${bytes.length}`);
  return bytesToBinaryString(bytes);
}

export function typeName(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
