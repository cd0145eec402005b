import { SluiceError } from '../errors.js';

export type WireErrorCode =
  /** A length prefix above the decoder's bound; raised before any of the body is buffered. */
  | 'wire/message-too-long'
  /** The handshake does not start with 19 "BitTorrent protocol". */
  | 'wire/bad-protocol'
  /** A message whose length does not fit its id (e.g. have with length != 5, piece shorter than 9). */
  | 'wire/bad-message-length'
  /** The BEP 10 extended handshake payload is not a bencoded dictionary. */
  | 'wire/bad-extended-handshake'
  /** The encoder was given a field it cannot put on the wire (non-uint32 index, 21-byte info hash...). */
  | 'wire/invalid-field';

export class WireError extends SluiceError<WireErrorCode> {
  override readonly name: string = 'WireError';
}
