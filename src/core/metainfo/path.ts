import type { BencodeDictionary, BencodeList } from '../bencode/node.js';
import { MetainfoError } from './errors.js';
import { asBytes, lossyText, strictText } from './fields.js';
import { MAX_PATH_DEPTH, MAX_PATH_PART_BYTES } from './limits.js';
import { quote } from './quote.js';

/**
 * Rejects a path part that could leave the download folder or that no filesystem can hold.
 * `label` names the part ("file path part", "name"); `where` says where it was found.
 */
export function checkPathPart(part: string, byteLength: number, label: string, where: string): void {
  if (part === '') throw new MetainfoError('metainfo/bad-path', `empty ${label} in ${where}`);
  const shown = `${label} ${quote(part)} in ${where}`;
  if (part === '..') throw new MetainfoError('metainfo/path-traversal', `${shown} is not allowed`);
  if (part === '.') throw new MetainfoError('metainfo/bad-path', `${shown} is not allowed`);
  if (part.startsWith('/') || part.startsWith('\\') || /^[A-Za-z]:$/.test(part)) {
    throw new MetainfoError('metainfo/path-traversal', `${shown} is an absolute path`);
  }
  if (part.includes('\0')) throw new MetainfoError('metainfo/bad-path', `${shown} contains a NUL byte`);
  if (part.includes('/') || part.includes('\\')) throw new MetainfoError('metainfo/bad-path', `${shown} contains a path separator`);
  if (byteLength > MAX_PATH_PART_BYTES) {
    throw new MetainfoError('metainfo/bad-path', `${label} in ${where} is ${byteLength} bytes long (limit ${MAX_PATH_PART_BYTES})`);
  }
}

/** Decodes one path part (UTF-8, lossy for legacy encodings) and checks it. */
export function pathPart(bytes: Uint8Array, label: string, where: string): string {
  const part = strictText(bytes) ?? lossyText(bytes);
  checkPathPart(part, bytes.length, label, where);
  return part;
}

function partsOf(list: BencodeList, key: string, where: string, strict: boolean): string[] | null {
  if (list.items.length === 0) throw new MetainfoError('metainfo/bad-path', `'${key}' in ${where} is empty`);
  if (list.items.length > MAX_PATH_DEPTH) {
    throw new MetainfoError('metainfo/path-too-deep', `'${key}' in ${where} has ${list.items.length} parts (limit ${MAX_PATH_DEPTH})`);
  }
  const parts: string[] = [];
  for (let i = 0; i < list.items.length; i++) {
    const bytes = asBytes(list.items[i]!, `'${key}'[${i}] in ${where}`).value;
    if (strict && strictText(bytes) === null) return null;
    parts.push(pathPart(bytes, 'file path part', where));
  }
  return parts;
}

/** Reads `key` (a list of parts), preferring a valid `<key>.utf-8` twin as some clients write. */
export function readPath(dict: BencodeDictionary, key: string, where: string): string[] | undefined {
  const twin = dict.get(`${key}.utf-8`);
  if (twin?.kind === 'list' && twin.items.length > 0 && twin.items.every((item) => item.kind === 'bytes')) {
    const parts = partsOf(twin, `${key}.utf-8`, where, true);
    if (parts !== null) return parts;
  }
  const node = dict.get(key);
  if (node === undefined) return undefined;
  if (node.kind !== 'list') throw new MetainfoError('metainfo/wrong-type', `'${key}' in ${where} must be a list`);
  return partsOf(node, key, where, false)!;
}

/** Rejects two files at one path, and a file whose path is also another file's folder. */
export function checkUniquePaths(files: readonly { readonly path: readonly string[]; readonly padding: boolean }[]): void {
  const seenFiles = new Set<string>();
  const seenFolders = new Set<string>();
  // '/' cannot occur inside a checked part, so joining with it is unambiguous.
  for (const file of files) {
    if (file.padding) continue;
    const full = file.path.join('/');
    if (seenFiles.has(full)) throw new MetainfoError('metainfo/duplicate-path', `file path ${quote(full)} appears twice`);
    if (seenFolders.has(full)) throw new MetainfoError('metainfo/duplicate-path', `file path ${quote(full)} is also a folder`);
    seenFiles.add(full);
    let prefix = '';
    for (let i = 0; i < file.path.length - 1; i++) {
      prefix = i === 0 ? file.path[0]! : `${prefix}/${file.path[i]!}`;
      if (seenFiles.has(prefix)) throw new MetainfoError('metainfo/duplicate-path', `file path ${quote(prefix)} is also a folder`);
      seenFolders.add(prefix);
    }
  }
}
