import { SluiceError } from '../errors.js';

export type BencodeErrorCode =
  | 'bencode/truncated'
  | 'bencode/too-large'
  | 'bencode/too-deep'
  | 'bencode/too-many-values'
  | 'bencode/bad-integer'
  | 'bencode/bad-string-length'
  | 'bencode/bad-key'
  | 'bencode/duplicate-key'
  | 'bencode/unexpected-byte'
  | 'bencode/trailing-bytes';

export class BencodeError extends SluiceError<BencodeErrorCode> {
  override readonly name = 'BencodeError';
}
