import { SluiceError } from '../errors.js';

export type TransportErrorCode = 'transport/closed' | 'transport/refused' | 'transport/timeout' | 'transport/reset' | 'transport/io';

export class TransportError extends SluiceError<TransportErrorCode> {
  override readonly name = 'TransportError';
}
