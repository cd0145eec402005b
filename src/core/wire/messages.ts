/** Message ids of the peer wire protocol (BEP 3), the fast extension (BEP 6) and the extension protocol (BEP 10). */
export const MessageId = {
  choke: 0,
  unchoke: 1,
  interested: 2,
  notInterested: 3,
  have: 4,
  bitfield: 5,
  request: 6,
  piece: 7,
  cancel: 8,
  port: 9,
  suggest: 0x0d,
  haveAll: 0x0e,
  haveNone: 0x0f,
  reject: 0x10,
  allowedFast: 0x11,
  extended: 20,
} as const;

/** Ids the codec decodes into typed messages; any other id is decoded as an `unknown` message. */
export function isKnownMessageId(id: number): boolean {
  return (id >= 0 && id <= 9) || (id >= 0x0d && id <= 0x11) || id === 20;
}

/** The 68-byte opening of every connection. The three fields are never views into a caller's chunk. */
export interface HandshakeMessage {
  readonly type: 'handshake';
  /** 8 bytes of feature bits; see reserved.ts. */
  readonly reserved: Uint8Array;
  readonly infoHash: Uint8Array;
  readonly peerId: Uint8Array;
}

export interface KeepAliveMessage {
  readonly type: 'keep-alive';
}

/** The messages that carry nothing but their id. */
export interface BareMessage {
  readonly type: 'choke' | 'unchoke' | 'interested' | 'not-interested' | 'have-all' | 'have-none';
}

/** have (4), suggest (BEP 6, 0x0D), allowed fast (BEP 6, 0x11): one piece index. */
export interface PieceIndexMessage {
  readonly type: 'have' | 'suggest' | 'allowed-fast';
  readonly index: number;
}

export interface BitfieldMessage {
  readonly type: 'bitfield';
  /** Bit 7 of byte 0 is piece 0. Spare bits are not checked here: the session knows the piece count. */
  readonly bits: Uint8Array;
}

/** request (6), cancel (8), reject request (BEP 6, 0x10): a block address. */
export interface BlockRequestMessage {
  readonly type: 'request' | 'cancel' | 'reject';
  readonly index: number;
  readonly begin: number;
  readonly length: number;
}

export interface PieceMessage {
  readonly type: 'piece';
  readonly index: number;
  readonly begin: number;
  readonly block: Uint8Array;
}

/** BEP 5: the DHT port of the peer. */
export interface PortMessage {
  readonly type: 'port';
  readonly port: number;
}

/** BEP 10: id 0 is the extended handshake; other ids are the ones we announced in our `m` map. */
export interface ExtendedMessage {
  readonly type: 'extended';
  readonly id: number;
  readonly payload: Uint8Array;
}

/** A message id this codec does not know (e.g. BEP 52 hash messages). The session decides what to do. */
export interface UnknownMessage {
  readonly type: 'unknown';
  readonly id: number;
  readonly payload: Uint8Array;
}

export type WireMessage =
  | HandshakeMessage
  | KeepAliveMessage
  | BareMessage
  | PieceIndexMessage
  | BitfieldMessage
  | BlockRequestMessage
  | PieceMessage
  | PortMessage
  | ExtendedMessage
  | UnknownMessage;

export type WireMessageType = WireMessage['type'];
