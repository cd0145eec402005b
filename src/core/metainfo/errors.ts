import { SluiceError } from '../errors.js';

export type MetainfoErrorCode =
  | 'metainfo/not-a-dictionary'
  | 'metainfo/missing-field'
  | 'metainfo/wrong-type'
  | 'metainfo/conflicting-fields'
  | 'metainfo/bad-length'
  | 'metainfo/bad-piece-length'
  | 'metainfo/piece-count-mismatch'
  | 'metainfo/too-many-pieces'
  | 'metainfo/empty'
  | 'metainfo/path-traversal'
  | 'metainfo/bad-path'
  | 'metainfo/path-too-deep'
  | 'metainfo/too-many-files'
  | 'metainfo/duplicate-path'
  | 'metainfo/unsupported-version'
  | 'metainfo/bad-file-tree'
  | 'metainfo/bad-pieces-root'
  | 'metainfo/missing-piece-layer'
  | 'metainfo/bad-piece-layer'
  | 'metainfo/hybrid-mismatch';

export class MetainfoError extends SluiceError<MetainfoErrorCode> {
  override readonly name = 'MetainfoError';
}
