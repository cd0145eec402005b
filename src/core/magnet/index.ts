export type { FileIndexRange, MagnetLink, PeerAddress } from './types.js';
export { MagnetError, type MagnetErrorCode } from './errors.js';
export { parseMagnet, MAX_MAGNET_LENGTH } from './parse.js';
export { formatMagnet } from './format.js';
export { magnetFromMetainfo, magnetLinkFor, type MagnetSourceInfo } from './from-metainfo.js';
