export type { CreateFile, CreateOptions, CreateSource, CreateTorrent, CreateTuning, CreatedTorrent, V1PiecePlan } from './types.js';
export { createTorrent, DEFAULT_CREATED_BY } from './create.js';
export { CreateError, type CreateErrorCode } from './errors.js';
export { autoPieceLength, MIN_PIECE_LENGTH, MAX_PIECE_LENGTH } from './piece-length.js';
export { MAX_FILES, MAX_PIECES } from './layout.js';
