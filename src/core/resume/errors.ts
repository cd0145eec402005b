import { SluiceError } from '../errors.js';

export type ResumeErrorCode =
  /** The bytes are not resume data this version can read (bad bencode, a missing or wrong field). */
  | 'resume/bad-data'
  /** The resume data was saved by a newer format version. */
  | 'resume/unsupported-version'
  /** The resume data belongs to another torrent (info hash or file count differs). */
  | 'resume/wrong-torrent'
  /** The resume data describes this torrent's data in another location (folder, storage backend). */
  | 'resume/wrong-location'
  /** Same info hash, different piece count: the data cannot be trusted. */
  | 'resume/wrong-piece-count';

export class ResumeError extends SluiceError<ResumeErrorCode> {
  override readonly name = 'ResumeError';
}

export function isResumeError(value: unknown): value is ResumeError {
  return value instanceof ResumeError;
}
