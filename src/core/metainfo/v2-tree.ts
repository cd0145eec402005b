import type { BencodeDictionary } from '../bencode/node.js';
import { readAttributes } from './attributes.js';
import { MetainfoError } from './errors.js';
import { asDictionary, optionalBytes, requiredDictionary, requiredInteger } from './fields.js';
import { addLength, checkFileLength } from './lengths.js';
import { MAX_FILES, MAX_PATH_DEPTH } from './limits.js';
import type { TorrentFile } from './model.js';
import { pathPart } from './path.js';
import { quote } from './quote.js';

export interface V2Files {
  /** Files in tree order, each non-empty one starting on a piece boundary (no padding entries). */
  readonly files: TorrentFile[];
  readonly singleFile: boolean;
  /** Piece space: the end of the last file rounded up to a whole piece. */
  readonly spaceLength: number;
  readonly pieceCount: number;
}

interface TreeFile {
  readonly path: string[];
  readonly node: BencodeDictionary;
}

/**
 * Walks the BEP 52 `file tree`: a folder maps names to subtrees, a file maps the empty key to
 * `{ length, pieces root }`. Tree order (as encoded) is torrent order.
 */
export function readV2Files(info: BencodeDictionary, pieceLength: number): V2Files {
  const tree = requiredDictionary(info, 'file tree', 'info');
  if (tree.entries.length === 0) throw new MetainfoError('metainfo/bad-file-tree', `'file tree' in info is empty`);
  const found: TreeFile[] = [];
  collect(tree, [], found);
  const singleFile = found.length === 1 && found[0]!.path.length === 1;

  const files: TorrentFile[] = [];
  let offset = 0;
  let pieceCount = 0;
  for (const { path, node } of found) {
    const where = `file ${quote(path.join('/'))}`;
    const length = checkFileLength(requiredInteger(node, 'length', where), where);
    const attrs = readAttributes(node, where);
    let piecesRoot: Uint8Array | undefined;
    if (length > 0) {
      const root = optionalBytes(node, 'pieces root', where);
      if (root === undefined) throw new MetainfoError('metainfo/missing-field', `missing 'pieces root' in ${where}`);
      if (root.value.length !== 32) {
        throw new MetainfoError('metainfo/bad-pieces-root', `'pieces root' in ${where} has ${root.value.length} bytes, not 32`);
      }
      piecesRoot = root.value;
    }
    files.push(piecesRoot === undefined ? { path, length, offset, ...attrs } : { path, length, offset, ...attrs, piecesRoot });
    const pieces = Math.ceil(length / pieceLength);
    pieceCount += pieces;
    offset = addLength(offset, pieces * pieceLength);
  }
  return { files, singleFile, spaceLength: offset, pieceCount };
}

function collect(dir: BencodeDictionary, parents: readonly string[], out: TreeFile[]): void {
  const where = parents.length === 0 ? `'file tree'` : `folder ${quote(parents.join('/'))}`;
  if (dir.get('') !== undefined) throw new MetainfoError('metainfo/bad-file-tree', `${where} has a file entry with no name`);
  for (const { key, value } of dir.entries) {
    const name = pathPart(key, 'file path part', where);
    const path = [...parents, name];
    if (path.length > MAX_PATH_DEPTH) {
      throw new MetainfoError('metainfo/path-too-deep', `${where} holds a path of more than ${MAX_PATH_DEPTH} parts`);
    }
    const child = asDictionary(value, `${quote(path.join('/'))} in 'file tree'`);
    const file = child.get('');
    if (file !== undefined) {
      if (child.entries.length !== 1) {
        throw new MetainfoError('metainfo/bad-file-tree', `${quote(path.join('/'))} in 'file tree' is both a file and a folder`);
      }
      if (out.length >= MAX_FILES) throw new MetainfoError('metainfo/too-many-files', `'file tree' has more than ${MAX_FILES} files`);
      out.push({ path, node: asDictionary(file, `file ${quote(path.join('/'))}`) });
    } else {
      if (child.entries.length === 0) throw new MetainfoError('metainfo/bad-file-tree', `folder ${quote(path.join('/'))} in 'file tree' is empty`);
      collect(child, path, out);
    }
  }
}
