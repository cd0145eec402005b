import { SluiceError } from '../errors.js';

export type MagnetErrorCode =
  | 'magnet/too-long'
  | 'magnet/not-a-magnet'
  | 'magnet/missing-xt'
  | 'magnet/bad-btih'
  | 'magnet/bad-btmh'
  | 'magnet/conflicting-xt'
  | 'magnet/duplicate-param'
  | 'magnet/bad-encoding'
  | 'magnet/bad-select-only'
  | 'magnet/bad-peer';

export class MagnetError extends SluiceError<MagnetErrorCode> {
  override readonly name = 'MagnetError';
}
