import type { BencodeDictionary } from '../bencode/node.js';
import { MetainfoError } from './errors.js';
import { optionalBytes, lossyText } from './fields.js';
import { readPath } from './path.js';

export interface FileAttributes {
  readonly attributes: string;
  readonly padding: boolean;
  readonly symlinkPath?: readonly string[];
}

/** BEP 47 `attr` letters and, for symlinks (`l`), the checked `symlink path`. */
export function readAttributes(dict: BencodeDictionary, where: string): FileAttributes {
  const attr = optionalBytes(dict, 'attr', where);
  const attributes = attr === undefined ? '' : lossyText(attr.value);
  const padding = attributes.includes('p');
  if (!attributes.includes('l')) return { attributes, padding };
  const symlinkPath = readPath(dict, 'symlink path', where);
  if (symlinkPath === undefined) throw new MetainfoError('metainfo/missing-field', `missing 'symlink path' in ${where}`);
  return { attributes, padding, symlinkPath };
}
