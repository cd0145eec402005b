import type { BencodeDictionary } from '../bencode/node.js';
import { readAttributes } from './attributes.js';
import { MetainfoError } from './errors.js';
import { asDictionary, optionalInteger, optionalList, requiredInteger } from './fields.js';
import { addLength, checkFileLength } from './lengths.js';
import { MAX_FILES } from './limits.js';
import type { TorrentFile } from './model.js';
import { readPath } from './path.js';

export interface V1Files {
  readonly files: TorrentFile[];
  readonly singleFile: boolean;
  /** Sum of all lengths, padding included: v1 piece space. */
  readonly spaceLength: number;
}

/** The v1 file list (`length` for one file, `files` for a folder), laid out back to back. */
export function readV1Files(info: BencodeDictionary, name: string): V1Files {
  const list = optionalList(info, 'files', 'info');
  const single = optionalInteger(info, 'length', 'info');
  if (list !== undefined && single !== undefined) {
    throw new MetainfoError('metainfo/conflicting-fields', `info has both 'length' and 'files'`);
  }
  if (single !== undefined) {
    const length = checkFileLength(single, 'info');
    const attrs = readAttributes(info, 'info');
    return { files: [{ path: [name], length, offset: 0, ...attrs }], singleFile: true, spaceLength: length };
  }
  if (list === undefined) throw new MetainfoError('metainfo/missing-field', `missing 'length' or 'files' in info`);
  if (list.items.length === 0) throw new MetainfoError('metainfo/missing-field', `'files' in info is empty`);
  if (list.items.length > MAX_FILES) {
    throw new MetainfoError('metainfo/too-many-files', `'files' in info has ${list.items.length} entries (limit ${MAX_FILES})`);
  }
  const files: TorrentFile[] = [];
  let offset = 0;
  for (let i = 0; i < list.items.length; i++) {
    const where = `files[${i}]`;
    const entry = asDictionary(list.items[i]!, where);
    const attrs = readAttributes(entry, where);
    // BEP 47: a symlink's length may be omitted (it is always zero).
    const lengthNode = attrs.symlinkPath !== undefined ? optionalInteger(entry, 'length', where) : requiredInteger(entry, 'length', where);
    const length = lengthNode === undefined ? 0 : checkFileLength(lengthNode, where);
    if (attrs.symlinkPath !== undefined && length !== 0) {
      throw new MetainfoError('metainfo/bad-length', `symlink ${where} has length ${length}; a symlink has none`);
    }
    const path = readPath(entry, 'path', where);
    if (path === undefined) throw new MetainfoError('metainfo/missing-field', `missing 'path' in ${where}`);
    files.push({ path, length, offset, ...attrs });
    offset = addLength(offset, length);
  }
  return { files, singleFile: false, spaceLength: offset };
}
