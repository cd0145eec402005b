import { ExtensionError } from '../errors.js';

/** The payload of an lt_donthave message (BEP 54): the piece index, 4 bytes big-endian. */
export function encodeDontHave(index: number): Uint8Array {
  if (index >>> 0 !== index) throw new ExtensionError('lt-donthave/bad-message', `piece index must be in 0..2^32-1, got ${index}`);
  return new Uint8Array([index >>> 24, (index >>> 16) & 0xff, (index >>> 8) & 0xff, index & 0xff]);
}

export function decodeDontHave(payload: Uint8Array): number {
  if (payload.length !== 4) {
    throw new ExtensionError('lt-donthave/bad-message', `lt_donthave payload has ${payload.length} bytes, expected 4`);
  }
  return ((payload[0]! << 24) | (payload[1]! << 16) | (payload[2]! << 8) | payload[3]!) >>> 0;
}
