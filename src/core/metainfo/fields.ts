import type { BencodeBytes, BencodeDictionary, BencodeInteger, BencodeList, BencodeNode } from '../bencode/node.js';
import { MetainfoError } from './errors.js';

// Typed readers for metainfo fields: a missing or mistyped field is a one-line error naming it.

const KIND_NAME: Record<BencodeNode['kind'], string> = {
  integer: 'an integer',
  bytes: 'a byte string',
  list: 'a list',
  dictionary: 'a dictionary',
};

type NodeOf<K extends BencodeNode['kind']> = Extract<BencodeNode, { kind: K }>;

function expect<K extends BencodeNode['kind']>(node: BencodeNode, kind: K, where: string): NodeOf<K> {
  if (node.kind !== kind) throw new MetainfoError('metainfo/wrong-type', `${where} must be ${KIND_NAME[kind]}, not ${KIND_NAME[node.kind]}`);
  return node as NodeOf<K>;
}

export function fieldName(key: string, where: string): string {
  return where === '' ? `'${key}'` : `'${key}' in ${where}`;
}

function optional<K extends BencodeNode['kind']>(dict: BencodeDictionary, key: string, kind: K, where: string): NodeOf<K> | undefined {
  const node = dict.get(key);
  return node === undefined ? undefined : expect(node, kind, fieldName(key, where));
}

function required<K extends BencodeNode['kind']>(dict: BencodeDictionary, key: string, kind: K, where: string): NodeOf<K> {
  const node = optional(dict, key, kind, where);
  if (node === undefined) throw new MetainfoError('metainfo/missing-field', `missing ${fieldName(key, where)}`);
  return node;
}

export const optionalInteger = (d: BencodeDictionary, key: string, where: string): BencodeInteger | undefined => optional(d, key, 'integer', where);
export const optionalBytes = (d: BencodeDictionary, key: string, where: string): BencodeBytes | undefined => optional(d, key, 'bytes', where);
export const optionalList = (d: BencodeDictionary, key: string, where: string): BencodeList | undefined => optional(d, key, 'list', where);
export const optionalDictionary = (d: BencodeDictionary, key: string, where: string): BencodeDictionary | undefined => optional(d, key, 'dictionary', where);
export const requiredInteger = (d: BencodeDictionary, key: string, where: string): BencodeInteger => required(d, key, 'integer', where);
export const requiredBytes = (d: BencodeDictionary, key: string, where: string): BencodeBytes => required(d, key, 'bytes', where);
export const requiredList = (d: BencodeDictionary, key: string, where: string): BencodeList => required(d, key, 'list', where);
export const requiredDictionary = (d: BencodeDictionary, key: string, where: string): BencodeDictionary => required(d, key, 'dictionary', where);

export function asBytes(node: BencodeNode, where: string): BencodeBytes {
  return expect(node, 'bytes', where);
}
export function asList(node: BencodeNode, where: string): BencodeList {
  return expect(node, 'list', where);
}
export function asDictionary(node: BencodeNode, where: string): BencodeDictionary {
  return expect(node, 'dictionary', where);
}

const strict = new TextDecoder('utf-8', { fatal: true });
const lossy = new TextDecoder('utf-8');

/** UTF-8 text, or null when the bytes are not valid UTF-8. */
export function strictText(bytes: Uint8Array): string | null {
  try {
    return strict.decode(bytes);
  } catch {
    return null;
  }
}

/** Text fields are UTF-8 by spec; old torrents sometimes are not, so decode with U+FFFD rather than fail. */
export function lossyText(bytes: Uint8Array): string {
  return lossy.decode(bytes);
}

/** Prefers a valid `<key>.utf-8` variant (written by some clients next to a legacy-encoded `<key>`). */
export function preferredText(dict: BencodeDictionary, key: string, where: string): string | undefined {
  const utf8 = dict.get(`${key}.utf-8`);
  if (utf8?.kind === 'bytes') {
    const text = strictText(utf8.value);
    if (text !== null) return text;
  }
  const plain = optionalBytes(dict, key, where);
  return plain === undefined ? undefined : lossyText(plain.value);
}
