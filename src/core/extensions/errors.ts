import { SluiceError } from '../errors.js';

export type ExtensionErrorCode =
  /** A ut_metadata payload that is not a bencoded dictionary followed (for data) by the piece. */
  | 'ut-metadata/bad-message'
  /** A ut_metadata piece index or total_size outside the bounds in ut-metadata/limits.ts. */
  | 'ut-metadata/out-of-range'
  /** The assembled info dictionary does not hash to the info hash. */
  | 'ut-metadata/hash-mismatch'
  /** A ut_pex payload that is not a bencoded dictionary, or a peer list of the wrong shape. */
  | 'ut-pex/bad-message'
  /** An lt_donthave payload that is not exactly one 4-byte piece index. */
  | 'lt-donthave/bad-message';

export class ExtensionError extends SluiceError<ExtensionErrorCode> {
  override readonly name: string = 'ExtensionError';
}
