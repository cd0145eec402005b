import { SluiceError } from '../errors.js';

export type MseErrorCode =
  | 'mse/no-sync'
  | 'mse/bad-public-key'
  | 'mse/unknown-torrent'
  | 'mse/bad-verification'
  | 'mse/bad-padding'
  | 'mse/no-common-method'
  | 'mse/bad-select'
  | 'mse/closed';

export class MseError extends SluiceError<MseErrorCode> {
  override readonly name = 'MseError';
}
