import { SluiceError } from '../errors.js';

export type CreateErrorCode =
  | 'create/no-files'
  | 'create/empty'
  | 'create/single-file-count'
  | 'create/bad-name'
  | 'create/bad-path'
  | 'create/duplicate-path'
  | 'create/bad-length'
  | 'create/bad-piece-length'
  | 'create/too-many-files'
  | 'create/too-many-pieces'
  | 'create/short-read'
  | 'create/not-found'
  | 'create/unsupported-file'
  | 'create/symlink-loop'
  | 'create/read-failed';

export class CreateError extends SluiceError<CreateErrorCode> {
  override readonly name = 'CreateError';
}
