// The peer wire codec: message types, encoder, incremental decoder, handshake bits, BEP 10 extended handshake.
export { WireDecoder } from './decoder.js';
export type { WireDecoderOptions } from './decoder.js';
export { encodeHandshake, encodeMessage, encodePieceHeader } from './encode.js';
export type { HandshakeFields } from './encode.js';
export { WireError } from './errors.js';
export type { WireErrorCode } from './errors.js';
export { EXTENDED_HANDSHAKE_ID, encodeExtendedHandshake, parseExtendedHandshake } from './extended-handshake.js';
export type { ExtendedHandshake } from './extended-handshake.js';
export { DEFAULT_MAX_MESSAGE_LENGTH, HANDSHAKE_LENGTH, PROTOCOL_HEADER } from './limits.js';
export { MessageId, isKnownMessageId } from './messages.js';
export type {
  BareMessage,
  BitfieldMessage,
  BlockRequestMessage,
  ExtendedMessage,
  HandshakeMessage,
  KeepAliveMessage,
  PieceIndexMessage,
  PieceMessage,
  PortMessage,
  UnknownMessage,
  WireMessage,
  WireMessageType,
} from './messages.js';
export { createReserved, supportsDht, supportsExtended, supportsFast } from './reserved.js';
export type { ReservedFlags } from './reserved.js';
