export { parseMetainfo, parseInfoDictionary } from './parse.js';
export { MetainfoError } from './errors.js';
export type { MetainfoErrorCode } from './errors.js';
export * from './layout.js';
export * as metainfoLimits from './limits.js';
export type { Metainfo, MetainfoVersion, TorrentFile } from './model.js';
