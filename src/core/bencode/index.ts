export { decodeBencode, decodeBencodePrefix, binaryString, DEFAULT_BENCODE_LIMITS } from './decode.js';
export type { BencodeLimits } from './decode.js';
export { encodeBencode } from './encode.js';
export type { BencodeValue } from './encode.js';
export { BencodeError } from './errors.js';
export type { BencodeErrorCode } from './errors.js';
export type { BencodeNode, BencodeInteger, BencodeBytes, BencodeList, BencodeDictionary, BencodeEntry, BencodeKind } from './node.js';
