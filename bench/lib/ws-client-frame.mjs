// A client's WebSocket text frame (RFC 6455: FIN, opcode 1, masked), for the tracker load generators.
import { randomBytes } from 'node:crypto';

/** `payload` (UTF-8 bytes, under 64 KiB) as one masked text frame. */
export function maskedTextFrame(payload) {
  const mask = randomBytes(4);
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x81, 0x80 | len]) : Buffer.from([0x81, 0x80 | 126, len >> 8, len & 0xff]);
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = payload[i] ^ mask[i & 3];
  return Buffer.concat([head, mask, body]);
}
