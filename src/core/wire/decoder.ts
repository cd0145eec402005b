import { WireError } from './errors.js';
import { DEFAULT_MAX_MESSAGE_LENGTH, HANDSHAKE_LENGTH, PROTOCOL_HEADER } from './limits.js';
import { MessageId } from './messages.js';
import type { BareMessage, HandshakeMessage, KeepAliveMessage, WireMessage } from './messages.js';

export interface WireDecoderOptions {
  /** Start by reading the 68-byte handshake (default). False when the caller parsed the handshake itself. */
  readonly expectHandshake?: boolean;
  /** Largest accepted length prefix (id + payload). Default DEFAULT_MAX_MESSAGE_LENGTH. */
  readonly maxMessageLength?: number;
}

// What the next byte belongs to.
const HANDSHAKE = 0;
const LENGTH = 1;
const BODY = 2;
const DEAD = 3;
type Stage = typeof HANDSHAKE | typeof LENGTH | typeof BODY | typeof DEAD;

/**
 * Split messages up to this length (a 16 KiB block plus its header, with room for peers that send 32 KiB
 * blocks) are assembled in two buffers per decoder, reused; longer ones get a buffer of their own.
 */
const SCRATCH_LIMIT = 32 * 1024 + 9;

/** Upper limit for the maxMessageLength option: beyond it one peer could make us allocate absurd buffers. */
const MAX_MESSAGE_LENGTH_LIMIT = 64 * 1024 * 1024;

// Messages without fields are shared, frozen objects: nothing to allocate per choke or keep-alive.
const KEEP_ALIVE: KeepAliveMessage = Object.freeze({ type: 'keep-alive' });
const BARE: readonly (BareMessage | undefined)[] = (() => {
  const table: (BareMessage | undefined)[] = [];
  table[MessageId.choke] = Object.freeze({ type: 'choke' });
  table[MessageId.unchoke] = Object.freeze({ type: 'unchoke' });
  table[MessageId.interested] = Object.freeze({ type: 'interested' });
  table[MessageId.notInterested] = Object.freeze({ type: 'not-interested' });
  table[MessageId.haveAll] = Object.freeze({ type: 'have-all' });
  table[MessageId.haveNone] = Object.freeze({ type: 'have-none' });
  return table;
})();

const MESSAGE_NAMES: Readonly<Record<number, string>> = {
  [MessageId.choke]: 'choke',
  [MessageId.unchoke]: 'unchoke',
  [MessageId.interested]: 'interested',
  [MessageId.notInterested]: 'not interested',
  [MessageId.have]: 'have',
  [MessageId.request]: 'request',
  [MessageId.piece]: 'piece',
  [MessageId.cancel]: 'cancel',
  [MessageId.port]: 'port',
  [MessageId.suggest]: 'suggest',
  [MessageId.haveAll]: 'have all',
  [MessageId.haveNone]: 'have none',
  [MessageId.reject]: 'reject request',
  [MessageId.allowedFast]: 'allowed fast',
  [MessageId.extended]: 'extended',
};

function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

function badLength(id: number, length: number, expected: string): WireError {
  return new WireError(
    'wire/bad-message-length',
    `${MESSAGE_NAMES[id] ?? `message ${id}`} message has length ${length}, expected ${expected}`,
  );
}

function payloadOf(bytes: Uint8Array, from: number, end: number, owned: boolean): Uint8Array {
  return owned ? bytes.subarray(from, end) : bytes.slice(from, end);
}

function exactly(id: number, length: number, expected: number): void {
  if (length !== expected) throw badLength(id, length, String(expected));
}

/**
 * One message whose `length` bytes (id first) lie at bytes[start...]. A piece block is always a view (the
 * caller copies it into its piece buffer at once). Other payloads are views only when `owned` (the decoder
 * assembled the message into a buffer of its own); payloads read straight from a caller's chunk are copied,
 * since the caller may reuse the chunk's memory as soon as push returns, and they are rare and small.
 */
function parseBody(bytes: Uint8Array, start: number, length: number, owned: boolean): WireMessage {
  const id = bytes[start]!;
  const end = start + length;
  switch (id) {
    case MessageId.piece:
      if (length < 9) throw badLength(id, length, 'at least 9');
      return {
        type: 'piece',
        index: readUint32(bytes, start + 1),
        begin: readUint32(bytes, start + 5),
        block: bytes.subarray(start + 9, start + length),
      };
    case MessageId.request:
    case MessageId.cancel:
    case MessageId.reject:
      exactly(id, length, 13);
      return {
        type: id === MessageId.request ? 'request' : id === MessageId.cancel ? 'cancel' : 'reject',
        index: readUint32(bytes, start + 1),
        begin: readUint32(bytes, start + 5),
        length: readUint32(bytes, start + 9),
      };
    case MessageId.have:
    case MessageId.suggest:
    case MessageId.allowedFast:
      exactly(id, length, 5);
      return {
        type: id === MessageId.have ? 'have' : id === MessageId.suggest ? 'suggest' : 'allowed-fast',
        index: readUint32(bytes, start + 1),
      };
    case MessageId.choke:
    case MessageId.unchoke:
    case MessageId.interested:
    case MessageId.notInterested:
    case MessageId.haveAll:
    case MessageId.haveNone:
      exactly(id, length, 1);
      return BARE[id]!;
    case MessageId.bitfield:
      return { type: 'bitfield', bits: payloadOf(bytes, start + 1, end, owned) };
    case MessageId.port:
      exactly(id, length, 3);
      return { type: 'port', port: (bytes[start + 1]! << 8) | bytes[start + 2]! };
    case MessageId.extended:
      if (length < 2) throw badLength(id, length, 'at least 2');
      return { type: 'extended', id: bytes[start + 1]!, payload: payloadOf(bytes, start + 2, end, owned) };
    default:
      return { type: 'unknown', id, payload: payloadOf(bytes, start + 1, end, owned) };
  }
}

function badProtocol(at: number, byte: number): WireError {
  return at === 0
    ? new WireError('wire/bad-protocol', `handshake protocol string length is ${byte}, expected 19`)
    : new WireError('wire/bad-protocol', 'handshake protocol string is not "BitTorrent protocol"');
}

/**
 * Incremental, bounded decoder for one peer's byte stream. Push chunks as they arrive, in any split; each push
 * returns the messages the chunk completed, in order.
 *
 * Lifetime rule: a piece message's `block` is a view, into the pushed chunk or into a buffer the decoder
 * reuses for messages split across chunks, and is valid only until the next push (or until the caller
 * reuses the chunk's memory): whoever keeps a block copies it. Every other payload (bitfield, extended,
 * unknown) is the message's own memory and may be kept. So a caller may reuse a chunk's memory as soon as
 * push returns, and a download allocates nothing per block here.
 *
 * Any error is a WireError, thrown from push; the decoder is then dead and rethrows it on every later push.
 */
export class WireDecoder {
  private stage: Stage;
  private readonly maxMessageLength: number;
  private handshake: Uint8Array | null = null;
  private handshakeFill = 0;
  private prefixBytes = 0;
  private prefixValue = 0;
  /** Where the unfinished message is assembled: `scratch` or a buffer of its own; `bodyLength` bytes of it. */
  private body: Uint8Array | null = null;
  private bodyLength = 0;
  private bodyFill = 0;
  /**
   * Reused buffers for split messages. A push may complete one split message (at its start) and begin
   * another (at its end), so a completed message's buffer moves to `spare` and stays untouched until the
   * next push, when the message is dead by the lifetime rule.
   */
  private scratch: Uint8Array | null = null;
  private spare: Uint8Array | null = null;
  private failure: unknown = null;

  constructor(options: WireDecoderOptions = {}) {
    this.stage = options.expectHandshake === false ? LENGTH : HANDSHAKE;
    const max = options.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH;
    if (!Number.isInteger(max) || max < 1 || max > MAX_MESSAGE_LENGTH_LIMIT) {
      throw new WireError(
        'wire/invalid-field',
        `maxMessageLength must be an integer in 1..${MAX_MESSAGE_LENGTH_LIMIT}, got ${max}`,
      );
    }
    this.maxMessageLength = max;
  }

  /**
   * Bytes the decoder holds (or has allocated) for an unfinished handshake, length prefix or message. The
   * reused buffers for split messages (two of SCRATCH_LIMIT bytes per decoder) are not counted.
   */
  get buffered(): number {
    return this.handshakeFill + this.prefixBytes + (this.body === null ? 0 : this.bodyLength);
  }

  /** The error that killed this decoder, or null while it is alive. */
  get error(): WireError | null {
    return this.failure instanceof WireError ? this.failure : null;
  }

  /**
   * Decodes what `chunk` completes and appends it to `out` (a fresh array by default), which it returns.
   * If it throws, `out` still holds the messages that came before the error.
   */
  push(chunk: Uint8Array, out: WireMessage[] = []): WireMessage[] {
    if (this.stage === DEAD) throw this.failure;
    try {
      this.decode(chunk, out);
    } catch (error) {
      this.die(error);
    }
    return out;
  }

  private die(error: unknown): never {
    this.stage = DEAD;
    this.body = null;
    this.scratch = null;
    this.spare = null;
    this.handshake = null;
    this.handshakeFill = 0;
    this.prefixBytes = 0;
    // Only WireErrors come from bad input; anything else is a bug in this file and surfaces unchanged.
    this.failure = error;
    throw error;
  }

  private decode(chunk: Uint8Array, out: WireMessage[]): void {
    const end = chunk.length;
    let pos = 0;
    if (this.stage === HANDSHAKE) {
      pos = this.feedHandshake(chunk, out);
      if (this.stage === HANDSHAKE) return;
    }
    if (this.stage === BODY) {
      pos = this.feedBody(chunk, pos, out);
      if (this.stage === BODY) return;
    }
    const max = this.maxMessageLength;
    while (pos < end) {
      let length: number;
      if (this.prefixBytes === 0 && end - pos >= 4) {
        length = readUint32(chunk, pos);
        pos += 4;
      } else {
        let value = this.prefixValue;
        let have = this.prefixBytes;
        while (have < 4 && pos < end) {
          value = value * 256 + chunk[pos++]!;
          have++;
        }
        if (have < 4) {
          this.prefixValue = value;
          this.prefixBytes = have;
          return;
        }
        length = value;
        this.prefixValue = 0;
        this.prefixBytes = 0;
      }
      if (length > max) {
        throw new WireError('wire/message-too-long', `message length ${length} exceeds the limit of ${max} bytes`);
      }
      if (length === 0) {
        out.push(KEEP_ALIVE);
      } else if (end - pos >= length) {
        out.push(parseBody(chunk, pos, length, false));
        pos += length;
      } else {
        this.body = length <= SCRATCH_LIMIT ? (this.scratch ??= new Uint8Array(SCRATCH_LIMIT)) : new Uint8Array(length);
        this.bodyLength = length;
        this.bodyFill = 0;
        this.stage = BODY;
        this.feedBody(chunk, pos, out);
        return;
      }
    }
  }

  private feedBody(chunk: Uint8Array, pos: number, out: WireMessage[]): number {
    const body = this.body!;
    const length = this.bodyLength;
    const take = Math.min(length - this.bodyFill, chunk.length - pos);
    body.set(pos === 0 && take === chunk.length ? chunk : chunk.subarray(pos, pos + take), this.bodyFill);
    this.bodyFill += take;
    if (this.bodyFill < length) return pos + take;
    this.body = null;
    this.bodyFill = 0;
    this.stage = LENGTH;
    const owned = body !== this.scratch;
    if (!owned) {
      this.scratch = this.spare;
      this.spare = body;
    }
    out.push(parseBody(body, 0, length, owned));
    return pos + take;
  }

  private feedHandshake(chunk: Uint8Array, out: WireMessage[]): number {
    const buffer = (this.handshake ??= new Uint8Array(HANDSHAKE_LENGTH));
    const fill = this.handshakeFill;
    const take = Math.min(HANDSHAKE_LENGTH - fill, chunk.length);
    // Check the protocol string byte by byte so a non-BitTorrent stream fails at its first wrong byte.
    for (let i = 0, at = fill; i < take && at < PROTOCOL_HEADER.length; i++, at++) {
      if (chunk[i] !== PROTOCOL_HEADER[at]) throw badProtocol(at, chunk[i]!);
    }
    buffer.set(chunk.subarray(0, take), fill);
    this.handshakeFill = fill + take;
    if (this.handshakeFill < HANDSHAKE_LENGTH) return take;
    this.handshake = null;
    this.handshakeFill = 0;
    this.stage = LENGTH;
    const message: HandshakeMessage = {
      type: 'handshake',
      reserved: buffer.subarray(20, 28),
      infoHash: buffer.subarray(28, 48),
      peerId: buffer.subarray(48, 68),
    };
    out.push(message);
    return take;
  }
}
