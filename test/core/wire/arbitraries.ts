import fc from 'fast-check';
import { isKnownMessageId } from '../../../src/core/wire/messages.js';
import type { HandshakeMessage, WireMessage } from '../../../src/core/wire/messages.js';

const uint32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (maxLength: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength });

export const arbHandshake: fc.Arbitrary<HandshakeMessage> = fc.record({
  type: fc.constant('handshake' as const),
  reserved: fc.uint8Array({ minLength: 8, maxLength: 8 }),
  infoHash: fc.uint8Array({ minLength: 20, maxLength: 20 }),
  peerId: fc.uint8Array({ minLength: 20, maxLength: 20 }),
});

/** Every message that may follow the handshake. */
export const arbMessage: fc.Arbitrary<WireMessage> = fc.oneof(
  fc.constantFrom<WireMessage>(
    { type: 'keep-alive' },
    { type: 'choke' },
    { type: 'unchoke' },
    { type: 'interested' },
    { type: 'not-interested' },
    { type: 'have-all' },
    { type: 'have-none' },
  ),
  fc.record({ type: fc.constantFrom('have' as const, 'suggest' as const, 'allowed-fast' as const), index: uint32 }),
  fc.record({ type: fc.constant('bitfield' as const), bits: bytes(300) }),
  fc.record({
    type: fc.constantFrom('request' as const, 'cancel' as const, 'reject' as const),
    index: uint32,
    begin: uint32,
    length: uint32,
  }),
  fc.record({ type: fc.constant('piece' as const), index: uint32, begin: uint32, block: bytes(2000) }),
  fc.record({ type: fc.constant('port' as const), port: fc.integer({ min: 0, max: 0xffff }) }),
  fc.record({ type: fc.constant('extended' as const), id: fc.integer({ min: 0, max: 255 }), payload: bytes(300) }),
  fc.record({
    type: fc.constant('unknown' as const),
    id: fc.integer({ min: 0, max: 255 }).filter((id) => !isKnownMessageId(id)),
    payload: bytes(100),
  }),
);

/** Splits `bytes` at the given cut points (any numbers; taken modulo the length, sorted, deduplicated). */
export function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1))))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const p of points) {
    parts.push(bytes.subarray(at, p));
    at = p;
  }
  parts.push(bytes.subarray(at));
  return parts;
}
