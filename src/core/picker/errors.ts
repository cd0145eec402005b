import { SluiceError } from '../errors.js';

export type PickerErrorCode =
  | 'picker/invalid-config'
  | 'picker/piece-out-of-range'
  | 'picker/invalid-priority'
  | 'picker/bitfield-size'
  | 'picker/availability-underflow';

/** Raised when the coordinator drives the picker with impossible input (a bug upstream, not a bad peer). */
export class PickerError extends SluiceError<PickerErrorCode> {
  override readonly name: string = 'PickerError';
}
