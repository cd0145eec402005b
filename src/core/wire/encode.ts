import { WireError } from './errors.js';
import { HANDSHAKE_LENGTH, PROTOCOL_HEADER } from './limits.js';
import { isKnownMessageId, MessageId } from './messages.js';
import type { HandshakeMessage, WireMessage } from './messages.js';

// Every call returns a fresh buffer: callers may transfer its ArrayBuffer (postMessage) or hand it to a socket.

function invalid(message: string): WireError {
  return new WireError('wire/invalid-field', message);
}

function checkUint32(value: number, name: string): void {
  if (value >>> 0 !== value) throw invalid(`${name} must be an integer in 0..2^32-1, got ${value}`);
}

function writeUint32(out: Uint8Array, at: number, value: number): void {
  out[at] = value >>> 24;
  out[at + 1] = value >>> 16;
  out[at + 2] = value >>> 8;
  out[at + 3] = value;
}

/** A message with a body of `length` bytes (id included), its prefix and id already written. */
function frame(id: number, length: number): Uint8Array {
  const out = new Uint8Array(4 + length);
  writeUint32(out, 0, length);
  out[4] = id;
  return out;
}

export type HandshakeFields = Omit<HandshakeMessage, 'type'>;

export function encodeHandshake(handshake: HandshakeFields): Uint8Array {
  const { reserved, infoHash, peerId } = handshake;
  if (reserved.length !== 8) throw invalid(`reserved must be 8 bytes, got ${reserved.length}`);
  if (infoHash.length !== 20) throw invalid(`info hash must be 20 bytes, got ${infoHash.length}`);
  if (peerId.length !== 20) throw invalid(`peer id must be 20 bytes, got ${peerId.length}`);
  const out = new Uint8Array(HANDSHAKE_LENGTH);
  out.set(PROTOCOL_HEADER, 0);
  out.set(reserved, 20);
  out.set(infoHash, 28);
  out.set(peerId, 48);
  return out;
}

/**
 * The 13 bytes in front of a block in a piece message. Send them and then the block itself, so the block
 * (often a view into storage) is never copied into a message buffer.
 */
export function encodePieceHeader(index: number, begin: number, blockLength: number): Uint8Array {
  checkUint32(index, 'piece index');
  checkUint32(begin, 'block offset');
  checkUint32(blockLength, 'block length');
  if (blockLength > 0xffffffff - 9) throw invalid(`block length ${blockLength} does not fit a piece message`);
  const out = new Uint8Array(13);
  writeUint32(out, 0, 9 + blockLength);
  out[4] = MessageId.piece;
  writeUint32(out, 5, index);
  writeUint32(out, 9, begin);
  return out;
}

/** Bytes of a HAVE, SUGGEST or ALLOWED FAST message. */
export const INDEX_MESSAGE_LENGTH = 9;
/** Bytes of a REQUEST, CANCEL or REJECT message. */
export const BLOCK_MESSAGE_LENGTH = 17;

/** Writes a HAVE, SUGGEST or ALLOWED FAST message (`id`) into `out` at `at`. */
export function writeIndexMessage(out: Uint8Array, at: number, id: number, index: number): void {
  checkUint32(index, 'piece index');
  writeUint32(out, at, 5);
  out[at + 4] = id;
  writeUint32(out, at + 5, index);
}

/** Writes a REQUEST, CANCEL or REJECT message (`id`) into `out` at `at`. */
export function writeBlockMessage(out: Uint8Array, at: number, id: number, index: number, begin: number, length: number): void {
  checkUint32(index, 'piece index');
  checkUint32(begin, 'block offset');
  checkUint32(length, 'block length');
  writeUint32(out, at, 13);
  out[at + 4] = id;
  writeUint32(out, at + 5, index);
  writeUint32(out, at + 9, begin);
  writeUint32(out, at + 13, length);
}

function indexMessage(id: number, index: number): Uint8Array {
  const out = new Uint8Array(INDEX_MESSAGE_LENGTH);
  writeIndexMessage(out, 0, id, index);
  return out;
}

function blockMessage(id: number, index: number, begin: number, length: number): Uint8Array {
  const out = new Uint8Array(BLOCK_MESSAGE_LENGTH);
  writeBlockMessage(out, 0, id, index, begin, length);
  return out;
}

function payloadMessage(id: number, headerLength: number, payload: Uint8Array): Uint8Array {
  const out = frame(id, 1 + headerLength + payload.length);
  out.set(payload, 5 + headerLength);
  return out;
}

function checkByte(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 255) throw invalid(`${name} must be in 0..255, got ${value}`);
}

/** The bytes of one message. A piece message is copied whole; on hot paths prefer encodePieceHeader + block. */
export function encodeMessage(message: WireMessage): Uint8Array {
  switch (message.type) {
    case 'handshake':
      return encodeHandshake(message);
    case 'keep-alive':
      return new Uint8Array(4);
    case 'choke':
      return frame(MessageId.choke, 1);
    case 'unchoke':
      return frame(MessageId.unchoke, 1);
    case 'interested':
      return frame(MessageId.interested, 1);
    case 'not-interested':
      return frame(MessageId.notInterested, 1);
    case 'have-all':
      return frame(MessageId.haveAll, 1);
    case 'have-none':
      return frame(MessageId.haveNone, 1);
    case 'have':
      return indexMessage(MessageId.have, message.index);
    case 'suggest':
      return indexMessage(MessageId.suggest, message.index);
    case 'allowed-fast':
      return indexMessage(MessageId.allowedFast, message.index);
    case 'request':
      return blockMessage(MessageId.request, message.index, message.begin, message.length);
    case 'cancel':
      return blockMessage(MessageId.cancel, message.index, message.begin, message.length);
    case 'reject':
      return blockMessage(MessageId.reject, message.index, message.begin, message.length);
    case 'bitfield':
      return payloadMessage(MessageId.bitfield, 0, message.bits);
    case 'piece': {
      const header = encodePieceHeader(message.index, message.begin, message.block.length);
      const out = new Uint8Array(13 + message.block.length);
      out.set(header, 0);
      out.set(message.block, 13);
      return out;
    }
    case 'port': {
      const { port } = message;
      if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw invalid(`port must be in 0..65535, got ${port}`);
      const out = frame(MessageId.port, 3);
      out[5] = port >>> 8;
      out[6] = port;
      return out;
    }
    case 'extended': {
      checkByte(message.id, 'extended message id');
      const out = payloadMessage(MessageId.extended, 1, message.payload);
      out[5] = message.id;
      return out;
    }
    case 'unknown': {
      checkByte(message.id, 'message id');
      if (isKnownMessageId(message.id)) throw invalid(`message id ${message.id} is not unknown; use its typed message`);
      return payloadMessage(message.id, 0, message.payload);
    }
  }
}
