import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBencode } from '../../../src/core/bencode/encode.js';
import { WireDecoder } from '../../../src/core/wire/decoder.js';
import { encodeHandshake, encodeMessage, encodePieceHeader } from '../../../src/core/wire/encode.js';
import { WireError } from '../../../src/core/wire/errors.js';
import { DEFAULT_MAX_MESSAGE_LENGTH } from '../../../src/core/wire/limits.js';
import type { HandshakeMessage, WireMessage } from '../../../src/core/wire/messages.js';
import { createReserved } from '../../../src/core/wire/reserved.js';
import { arbHandshake, arbMessage, split } from './arbitraries.js';

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** What a caller bound by the lifetime rule keeps of a message: a piece block is copied, the rest is kept as is. */
function kept(message: WireMessage): WireMessage {
  return message.type === 'piece' ? { ...message, block: message.block.slice() } : message;
}

/**
 * Decodes as the lifetime rule allows a caller to: each chunk is overwritten as soon as push returns
 * (as a transport reusing its read buffer does), and only piece blocks are copied, before the next push.
 * A payload that still viewed a chunk, or a block overwritten too early, shows up as wrong bytes.
 */
function decodeAll(chunks: readonly Uint8Array[], options?: ConstructorParameters<typeof WireDecoder>[0]): WireMessage[] {
  const decoder = new WireDecoder(options);
  const out: WireMessage[] = [];
  for (const chunk of chunks) {
    const reused = chunk.slice();
    for (const m of decoder.push(reused)) out.push(kept(m));
    reused.fill(0xee);
  }
  expect(decoder.buffered).toBe(0);
  return out;
}

/** Messages with byte fields as hex strings: cheap to compare, so big blocks keep the properties fast. */
function hexed(messages: readonly WireMessage[]): unknown[] {
  return messages.map((m) =>
    Object.fromEntries(
      Object.entries(m).map(([k, v]) => [k, v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.length).toString('hex') : v]),
    ),
  );
}

function errorOf(fn: () => unknown): WireError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WireError);
    return error as WireError;
  }
  throw new Error('expected a WireError');
}

const handshake: HandshakeMessage = {
  type: 'handshake',
  reserved: createReserved({ extended: true, fast: true, dht: true }),
  infoHash: Uint8Array.from({ length: 20 }, (_, i) => i),
  peerId: new TextEncoder().encode('-SL0001-abcdefghijkl'),
};

/** A session's first seconds as one peer would send them. */
const recorded: WireMessage[] = [
  handshake,
  {
    type: 'extended',
    id: 0,
    payload: encodeBencode({ m: { ut_metadata: 2, ut_pex: 1 }, metadata_size: 31235, p: 6881, reqq: 500, v: 'Test 1.0' }),
  },
  { type: 'bitfield', bits: Uint8Array.from({ length: 125 }, (_, i) => (i * 37) & 0xff) },
  { type: 'have', index: 1000 },
  { type: 'have', index: 999 },
  { type: 'port', port: 6881 },
  { type: 'allowed-fast', index: 17 },
  { type: 'unchoke' },
  { type: 'interested' },
  { type: 'request', index: 3, begin: 0, length: 16384 },
  { type: 'request', index: 3, begin: 16384, length: 16384 },
  { type: 'piece', index: 3, begin: 0, block: Uint8Array.from({ length: 16384 }, (_, i) => i & 0xff) },
  { type: 'keep-alive' },
  { type: 'piece', index: 3, begin: 16384, block: Uint8Array.from({ length: 16384 }, (_, i) => (i * 7) & 0xff) },
  { type: 'extended', id: 2, payload: concat([encodeBencode({ msg_type: 1, piece: 0, total_size: 31235 }), new Uint8Array(16384).fill(5)]) },
  { type: 'reject', index: 4, begin: 0, length: 16384 },
  { type: 'suggest', index: 8 },
  { type: 'unknown', id: 21, payload: new Uint8Array([1, 2, 3]) },
  { type: 'cancel', index: 3, begin: 16384, length: 16384 },
  { type: 'have-none' },
  { type: 'not-interested' },
  { type: 'choke' },
];
const recordedBytes = concat(recorded.map(encodeMessage));

describe('WireDecoder round trips', () => {
  it('decodes what the encoder wrote, for every message type', () => {
    fc.assert(
      fc.property(arbMessage, (message) => {
        expect(decodeAll([encodeMessage(message)], { expectHandshake: false })).toEqual([message]);
      }),
      { numRuns: 500 },
    );
  });

  it('decodes a handshake followed by messages', () => {
    fc.assert(
      fc.property(arbHandshake, fc.array(arbMessage, { maxLength: 10 }), (hs, messages) => {
        const all = [hs, ...messages];
        expect(decodeAll([concat(all.map(encodeMessage))])).toEqual(all);
      }),
    );
  });

  it('yields the same messages from any split of the recorded stream', () => {
    const whole = decodeAll([recordedBytes]);
    expect(whole).toEqual(recorded);
    const expected = hexed(whole);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 40 }), (cuts) => {
        expect(hexed(decodeAll(split(recordedBytes, cuts)))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('yields the same messages when fed one byte at a time', () => {
    const bytes = Array.from(recordedBytes, (b) => new Uint8Array([b]));
    expect(hexed(decodeAll(bytes))).toEqual(hexed(recorded));
  });

  it('yields the same messages from any split of any message sequence', () => {
    fc.assert(
      fc.property(fc.array(arbMessage, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (messages, cuts) => {
        const bytes = concat(messages.map(encodeMessage));
        expect(decodeAll(split(bytes, cuts), { expectHandshake: false })).toEqual(messages);
      }),
      { numRuns: 300 },
    );
  });

  it('appends to the array it is given and returns it', () => {
    const decoder = new WireDecoder({ expectHandshake: false });
    const out: WireMessage[] = [{ type: 'choke' }];
    expect(decoder.push(encodeMessage({ type: 'have', index: 5 }), out)).toBe(out);
    expect(out).toEqual([{ type: 'choke' }, { type: 'have', index: 5 }]);
    expect(decoder.push(new Uint8Array())).toEqual([]);
  });
});

describe('WireDecoder handshake', () => {
  it('waits for all 68 bytes, and copies its fields out of the caller chunk', () => {
    const bytes = encodeHandshake(handshake);
    const decoder = new WireDecoder();
    expect(decoder.push(bytes.slice(0, 47))).toEqual([]);
    expect(decoder.buffered).toBe(47);
    const chunk = bytes.slice(47);
    const [got] = decoder.push(chunk);
    expect(got).toEqual(handshake);
    const hs = got as HandshakeMessage;
    expect(hs.peerId.buffer).not.toBe(chunk.buffer);
    chunk.fill(0);
    expect(hs).toEqual(handshake);
  });

  it('refuses a wrong protocol string at its first wrong byte', () => {
    const decoder = new WireDecoder();
    const error = errorOf(() => decoder.push(new TextEncoder().encode('GET / HTTP/1.1\r\n')));
    expect([error.code, error.message]).toEqual(['wire/bad-protocol', 'handshake protocol string length is 71, expected 19']);

    const bytes = encodeHandshake(handshake);
    bytes[19] = 0x4c; // 'L'
    const late = new WireDecoder();
    expect(late.push(bytes.subarray(0, 19))).toEqual([]);
    const error2 = errorOf(() => late.push(bytes.subarray(19, 20)));
    expect([error2.code, error2.message]).toEqual([
      'wire/bad-protocol',
      'handshake protocol string is not "BitTorrent protocol"',
    ]);
  });

  it('starts at the first length prefix when the caller read the handshake itself', () => {
    const decoder = new WireDecoder({ expectHandshake: false });
    expect(decoder.push(encodeMessage({ type: 'have-all' }))).toEqual([{ type: 'have-all' }]);
    expect(() => new WireDecoder({ expectHandshake: false }).push(encodeHandshake(handshake))).toThrow(WireError);
  });
});

describe('WireDecoder bounds', () => {
  it('refuses an oversized length prefix as soon as its fourth byte arrives, buffering nothing', () => {
    const over = DEFAULT_MAX_MESSAGE_LENGTH + 1;
    const prefix = new Uint8Array([over >>> 24, (over >>> 16) & 0xff, (over >>> 8) & 0xff, over & 0xff]);
    const decoder = new WireDecoder({ expectHandshake: false });
    for (let i = 0; i < 3; i++) expect(decoder.push(prefix.subarray(i, i + 1))).toEqual([]);
    const error = errorOf(() => decoder.push(prefix.subarray(3, 4)));
    expect([error.code, error.message]).toEqual([
      'wire/message-too-long',
      `message length ${over} exceeds the limit of ${DEFAULT_MAX_MESSAGE_LENGTH} bytes`,
    ]);
    expect(decoder.buffered).toBe(0);

    const whole = new WireDecoder({ expectHandshake: false });
    expect(errorOf(() => whole.push(prefix)).code).toBe('wire/message-too-long');
  });

  it('accepts a message of exactly the bound, and what real torrents need', () => {
    const decoder = new WireDecoder({ expectHandshake: false, maxMessageLength: 100 });
    const atBound = encodeMessage({ type: 'bitfield', bits: new Uint8Array(99) });
    expect(decoder.push(atBound.subarray(0, 10))).toEqual([]);
    expect(decoder.buffered).toBe(100);
    expect(decoder.push(atBound.subarray(10))).toEqual([{ type: 'bitfield', bits: new Uint8Array(99) }]);
    expect(errorOf(() => decoder.push(encodeMessage({ type: 'bitfield', bits: new Uint8Array(100) }))).code).toBe(
      'wire/message-too-long',
    );

    const defaults = new WireDecoder({ expectHandshake: false });
    const bitfield2p21 = { type: 'bitfield' as const, bits: new Uint8Array(2 ** 21 / 8).fill(0xff) };
    const piece256k = { type: 'piece' as const, index: 0, begin: 0, block: new Uint8Array(256 * 1024) };
    const metadata = {
      type: 'extended' as const,
      id: 3,
      payload: concat([encodeBencode({ msg_type: 1, piece: 0, total_size: 99_999_999 }), new Uint8Array(16384)]),
    };
    expect(hexed(defaults.push(concat([bitfield2p21, piece256k, metadata].map(encodeMessage))))).toEqual(
      hexed([bitfield2p21, piece256k, metadata]),
    );
  });

  it('never throws anything but a WireError on random bytes, and never holds more than the bound', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.integer({ min: 1, max: 600 }),
        fc.boolean(),
        fc.boolean(),
        (bytes, cuts, max, expectHandshake, prependHandshake) => {
          const decoder = new WireDecoder({ maxMessageLength: max, expectHandshake });
          const stream = prependHandshake ? concat([encodeHandshake(handshake), bytes]) : bytes;
          for (const chunk of split(stream, cuts)) {
            try {
              decoder.push(chunk);
            } catch (error) {
              if (!(error instanceof WireError)) throw error;
              expect(decoder.error).toBe(error);
              return;
            }
            expect(decoder.buffered).toBeLessThanOrEqual(max + 68);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('holds at most the bound while a stream of random messages and random bytes arrives', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(arbMessage.map(encodeMessage), fc.uint8Array({ maxLength: 40 })), { maxLength: 15 }), fc.array(fc.nat(), { maxLength: 30 }), (parts, cuts) => {
        const decoder = new WireDecoder({ expectHandshake: false, maxMessageLength: 2100 });
        for (const chunk of split(concat(parts), cuts)) {
          try {
            decoder.push(chunk);
          } catch (error) {
            expect(error).toBeInstanceOf(WireError);
            return;
          }
          expect(decoder.buffered).toBeLessThanOrEqual(2100 + 4);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a maxMessageLength it cannot honour', () => {
    expect(errorOf(() => new WireDecoder({ maxMessageLength: 0 })).message).toBe(
      'maxMessageLength must be an integer in 1..67108864, got 0',
    );
    expect(errorOf(() => new WireDecoder({ maxMessageLength: 2 ** 27 })).code).toBe('wire/invalid-field');
  });
});

describe('WireDecoder errors', () => {
  const fixed: [id: number, name: string, length: number][] = [
    [0, 'choke', 1],
    [1, 'unchoke', 1],
    [2, 'interested', 1],
    [3, 'not interested', 1],
    [4, 'have', 5],
    [6, 'request', 13],
    [8, 'cancel', 13],
    [9, 'port', 3],
    [0x0d, 'suggest', 5],
    [0x0e, 'have all', 1],
    [0x0f, 'have none', 1],
    [0x10, 'reject request', 13],
    [0x11, 'allowed fast', 5],
  ];

  it('refuses a fixed-size message with any other length', () => {
    fc.assert(
      fc.property(fc.constantFrom(...fixed), fc.integer({ min: 1, max: 40 }), fc.array(fc.nat(), { maxLength: 4 }), ([id, name, size], length, cuts) => {
        fc.pre(length !== size);
        const bytes = new Uint8Array(4 + length);
        new DataView(bytes.buffer).setUint32(0, length);
        bytes[4] = id;
        const decoder = new WireDecoder({ expectHandshake: false });
        let error: WireError | null = null;
        for (const chunk of split(bytes, cuts)) {
          try {
            decoder.push(chunk);
          } catch (e) {
            error = e as WireError;
            break;
          }
        }
        expect(error).toBeInstanceOf(WireError);
        expect([error!.code, error!.message]).toEqual([
          'wire/bad-message-length',
          `${name} message has length ${length}, expected ${size}`,
        ]);
      }),
    );
  });

  it('refuses a piece shorter than its header and an extended message without its id', () => {
    const piece = new WireDecoder({ expectHandshake: false });
    expect(errorOf(() => piece.push(new Uint8Array([0, 0, 0, 8, 7, 0, 0, 0, 0, 0, 0, 0]))).message).toBe(
      'piece message has length 8, expected at least 9',
    );
    const extended = new WireDecoder({ expectHandshake: false });
    expect(errorOf(() => extended.push(new Uint8Array([0, 0, 0, 1, 20]))).message).toBe(
      'extended message has length 1, expected at least 2',
    );
  });

  it('yields unknown ids as unknown messages, for the session to judge', () => {
    const decoder = new WireDecoder({ expectHandshake: false });
    expect(decoder.push(new Uint8Array([0, 0, 0, 3, 0x15, 0xaa, 0xbb, 0, 0, 0, 1, 0xff]))).toEqual([
      { type: 'unknown', id: 0x15, payload: new Uint8Array([0xaa, 0xbb]) },
      { type: 'unknown', id: 0xff, payload: new Uint8Array() },
    ]);
  });

  it('is dead after an error: the messages before it are kept, and every later push rethrows it', () => {
    const decoder = new WireDecoder({ expectHandshake: false });
    const out: WireMessage[] = [];
    const bytes = concat([encodeMessage({ type: 'have', index: 1 }), new Uint8Array([0, 0, 0, 2, 4, 0])]);
    const error = errorOf(() => decoder.push(bytes, out));
    expect(out).toEqual([{ type: 'have', index: 1 }]);
    expect(decoder.error).toBe(error);
    expect(decoder.buffered).toBe(0);
    expect(errorOf(() => decoder.push(encodeMessage({ type: 'choke' })))).toBe(error);
  });
});

describe('WireDecoder zero-copy', () => {
  it('yields a view into the chunk for a piece that lies within one chunk', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 20000 }), (lead, size) => {
        const block = new Uint8Array(size).fill(0x5a);
        const piece = concat([encodePieceHeader(1, 2, size), block]);
        const have = encodeMessage({ type: 'have', index: 9 });
        const chunk = concat([new Uint8Array(lead).fill(0), piece, have]).subarray(lead);
        const decoder = new WireDecoder({ expectHandshake: false });
        const messages = decoder.push(chunk);
        expect(hexed(messages)).toEqual(hexed([{ type: 'piece', index: 1, begin: 2, block }, { type: 'have', index: 9 }]));
        const [first] = messages;
        const got = (first as { block: Uint8Array }).block;
        expect(got.buffer).toBe(chunk.buffer);
        expect(got.byteOffset).toBe(lead + 13);
      }),
      { numRuns: 50 },
    );
  });

  it('assembles split pieces in buffers it reuses, so a download allocates nothing per block', () => {
    const blocks = [0, 1, 2, 3, 4].map((k) => Uint8Array.from({ length: 16384 }, (_, i) => (i * (k + 3)) % 251));
    const messages = blocks.map((block, k): WireMessage => ({ type: 'piece', index: 4, begin: k * 16384, block }));
    const bytes = concat(messages.map(encodeMessage));
    fc.assert(
      // Cuts inside every message's body, so each one spans chunks.
      fc.property(fc.array(fc.integer({ min: 0, max: 16380 }), { minLength: 5, maxLength: 5 }), (offsets) => {
        const cuts = offsets.map((o, k) => k * (16384 + 13) + 9 + o);
        const decoder = new WireDecoder({ expectHandshake: false });
        const seen: { hex: unknown[]; buffer: ArrayBufferLike; byteOffset: number }[] = [];
        for (const c of split(bytes, cuts)) {
          for (const m of decoder.push(c.slice())) {
            const block = (m as { block: Uint8Array }).block;
            seen.push({ hex: hexed([m]), buffer: block.buffer, byteOffset: block.byteOffset });
          }
        }
        expect(seen.map((s) => s.hex[0])).toEqual(hexed(messages));
        // Two buffers in turn: one holds the block just yielded while the next message is assembled in the other.
        expect(new Set(seen.map((s) => s.buffer)).size).toBe(2);
        expect(seen.every((s) => s.byteOffset === 9)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('copies bitfield, extended and unknown payloads out of the chunk, so only piece blocks need copying', () => {
    const sent: WireMessage[] = [
      { type: 'bitfield', bits: Uint8Array.of(0xf0, 0x0f) },
      { type: 'extended', id: 3, payload: Uint8Array.of(1, 2, 3) },
      { type: 'unknown', id: 21, payload: Uint8Array.of(9, 8) },
    ];
    const chunk = concat(sent.map(encodeMessage));
    const got = new WireDecoder({ expectHandshake: false }).push(chunk);
    chunk.fill(0);
    expect(got).toEqual(sent);
  });
});
