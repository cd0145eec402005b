import type { BencodeDictionary } from '../bencode/node.js';
import { MetainfoError } from './errors.js';
import { optionalBytes, optionalInteger, preferredText, requiredBytes, requiredInteger } from './fields.js';
import { checkPieceLength } from './lengths.js';
import { MAX_PIECES } from './limits.js';
import type { MetainfoVersion, TorrentFile } from './model.js';
import { checkPathPart, checkUniquePaths } from './path.js';
import { quote } from './quote.js';
import { readV1Files } from './v1-files.js';
import { readV2Files } from './v2-tree.js';
import type { V1Files } from './v1-files.js';
import type { V2Files } from './v2-tree.js';

/** Everything the `info` dictionary says, checked; hashes and outer fields are added by the caller. */
export interface ParsedInfo {
  readonly version: MetainfoVersion;
  readonly name: string;
  readonly length: number;
  readonly pieceLength: number;
  readonly pieceCount: number;
  readonly pieceSpaceLength: number;
  readonly pieceHashes: Uint8Array | null;
  readonly files: readonly TorrentFile[];
  readonly singleFile: boolean;
}

export function readInfo(info: BencodeDictionary): ParsedInfo {
  const name = preferredText(info, 'name', 'info');
  if (name === undefined) throw new MetainfoError('metainfo/missing-field', `missing 'name' in info`);
  checkPathPart(name, new TextEncoder().encode(name).length, 'name', 'info');

  const metaVersion = optionalInteger(info, 'meta version', 'info');
  if (metaVersion !== undefined && metaVersion.value !== 2) {
    throw new MetainfoError('metainfo/unsupported-version', `'meta version' ${metaVersion.value} in info is not supported (only 2)`);
  }
  const hasV2 = metaVersion !== undefined;
  const piecesNode = optionalBytes(info, 'pieces', 'info');
  const hasV1 = piecesNode !== undefined || !hasV2;
  const pieceLength = checkPieceLength(requiredInteger(info, 'piece length', 'info'), hasV2);

  let v1: V1Files | undefined;
  let pieceHashes: Uint8Array | null = null;
  if (hasV1) {
    const pieces = requiredBytes(info, 'pieces', 'info').value;
    v1 = readV1Files(info, name);
    if (v1.spaceLength === 0) throw new MetainfoError('metainfo/empty', 'torrent has no data (total length 0)');
    if (pieces.length % 20 !== 0) {
      throw new MetainfoError('metainfo/piece-count-mismatch', `'pieces' in info has ${pieces.length} bytes, not a multiple of 20`);
    }
    const expected = Math.ceil(v1.spaceLength / pieceLength);
    if (expected > MAX_PIECES) throw new MetainfoError('metainfo/too-many-pieces', `torrent has ${expected} pieces (limit ${MAX_PIECES})`);
    if (pieces.length / 20 !== expected) {
      throw new MetainfoError('metainfo/piece-count-mismatch', `'pieces' in info has ${pieces.length / 20} hashes but ${v1.spaceLength} bytes in pieces of ${pieceLength} need ${expected}`);
    }
    pieceHashes = pieces;
  }

  let v2: V2Files | undefined;
  if (hasV2) {
    v2 = readV2Files(info, pieceLength);
    if (v2.spaceLength === 0) throw new MetainfoError('metainfo/empty', 'torrent has no data (total length 0)');
    if (v2.pieceCount > MAX_PIECES) throw new MetainfoError('metainfo/too-many-pieces', `torrent has ${v2.pieceCount} pieces (limit ${MAX_PIECES})`);
  }

  let version: MetainfoVersion;
  let layout: V1Files | V2Files;
  let pieceCount: number;
  if (v1 !== undefined && v2 !== undefined) {
    version = 'hybrid';
    layout = { ...v1, files: mergeHybrid(v1, v2, pieceLength) };
    pieceCount = v2.pieceCount;
  } else if (v1 !== undefined) {
    version = 'v1';
    layout = v1;
    pieceCount = pieceHashes!.length / 20;
  } else {
    version = 'v2';
    layout = v2!;
    pieceCount = v2!.pieceCount;
  }
  checkUniquePaths(layout.files);
  let length = 0;
  for (const file of layout.files) if (!file.padding) length += file.length;
  return {
    version,
    name,
    length,
    pieceLength,
    pieceCount,
    pieceSpaceLength: layout.spaceLength,
    pieceHashes,
    files: layout.files,
    singleFile: layout.singleFile,
  };
}

/**
 * A hybrid torrent must describe the same files at the same places in both views: v1 padding
 * must put every v2 file exactly where v2 alignment puts it, or v1 and v2 peers would disagree
 * on what a piece index means. Returns the v1 list with each file's `pieces root` attached.
 */
function mergeHybrid(v1: V1Files, v2: V2Files, pieceLength: number): TorrentFile[] {
  const merged: TorrentFile[] = [];
  let next = 0;
  for (let i = 0; i < v1.files.length; i++) {
    const file = v1.files[i]!;
    if (file.padding) {
      merged.push(file);
      continue;
    }
    const other = v2.files[next++];
    const where = `hybrid torrent: files[${i}] ${quote(file.path.join('/'))}`;
    if (other === undefined) throw new MetainfoError('metainfo/hybrid-mismatch', `${where} is not in the v2 file tree`);
    if (other.path.join('/') !== file.path.join('/')) {
      throw new MetainfoError('metainfo/hybrid-mismatch', `${where} does not match ${quote(other.path.join('/'))} in the v2 file tree`);
    }
    if (other.length !== file.length) {
      throw new MetainfoError('metainfo/hybrid-mismatch', `${where} has length ${file.length} in v1 and ${other.length} in v2`);
    }
    if (file.length > 0 && file.offset !== other.offset) {
      throw new MetainfoError('metainfo/hybrid-mismatch', `${where} starts at ${file.offset} in v1 but v2 aligns it to ${other.offset}`);
    }
    merged.push(other.piecesRoot === undefined ? file : { ...file, piecesRoot: other.piecesRoot });
  }
  if (next !== v2.files.length) {
    throw new MetainfoError('metainfo/hybrid-mismatch', `hybrid torrent: v2 file ${quote(v2.files[next]!.path.join('/'))} is not in the v1 file list`);
  }
  if (Math.ceil(v1.spaceLength / pieceLength) !== v2.pieceCount) {
    throw new MetainfoError('metainfo/hybrid-mismatch', `hybrid torrent: v1 padding makes ${Math.ceil(v1.spaceLength / pieceLength)} pieces but v2 has ${v2.pieceCount}`);
  }
  return merged;
}
