import { decodeBencodePrefix } from '../../bencode/decode.js';
import { encodeBencode } from '../../bencode/encode.js';
import type { BencodeNode } from '../../bencode/node.js';
import { isSluiceError } from '../../errors.js';
import { ExtensionError } from '../errors.js';
import { MAX_METADATA_PIECES, MAX_METADATA_SIZE, METADATA_PIECE_SIZE } from './limits.js';

/** BEP 9 `msg_type` values. */
export const MetadataMessageType = { request: 0, data: 1, reject: 2 } as const;

export type MetadataMessage =
  | { readonly type: 'request'; readonly piece: number }
  /** `data` is a view into the decoded payload (no copy). */
  | { readonly type: 'data'; readonly piece: number; readonly totalSize: number; readonly data: Uint8Array }
  | { readonly type: 'reject'; readonly piece: number };

function bad(message: string): ExtensionError {
  return new ExtensionError('ut-metadata/bad-message', message);
}

/** The bencoded dictionary that starts every ut_metadata message (the data message's piece follows it). */
export function encodeMetadataHeader(message: MetadataMessage): Uint8Array {
  checkPiece(message.piece);
  switch (message.type) {
    case 'request':
      return encodeBencode({ msg_type: MetadataMessageType.request, piece: message.piece });
    case 'reject':
      return encodeBencode({ msg_type: MetadataMessageType.reject, piece: message.piece });
    case 'data':
      checkTotalSize(message.totalSize);
      if (message.data.length > METADATA_PIECE_SIZE) {
        throw new ExtensionError('ut-metadata/out-of-range', `metadata piece of ${message.data.length} bytes exceeds ${METADATA_PIECE_SIZE}`);
      }
      return encodeBencode({ msg_type: MetadataMessageType.data, piece: message.piece, total_size: message.totalSize });
  }
}

/** The whole extended-message payload (a copy of the piece for data; the connection avoids that copy). */
export function encodeMetadataMessage(message: MetadataMessage): Uint8Array {
  const header = encodeMetadataHeader(message);
  if (message.type !== 'data') return header;
  const out = new Uint8Array(header.length + message.data.length);
  out.set(header, 0);
  out.set(message.data, header.length);
  return out;
}

function checkPiece(piece: number): void {
  if (!Number.isInteger(piece) || piece < 0 || piece >= MAX_METADATA_PIECES) {
    throw new ExtensionError('ut-metadata/out-of-range', `metadata piece ${piece} is outside 0..${MAX_METADATA_PIECES - 1}`);
  }
}

function checkTotalSize(size: number): void {
  if (!Number.isInteger(size) || size < 1 || size > MAX_METADATA_SIZE) {
    throw new ExtensionError('ut-metadata/out-of-range', `metadata total_size ${size} is outside 1..${MAX_METADATA_SIZE}`);
  }
}

function integer(node: BencodeNode | undefined, name: string): number {
  if (node?.kind !== 'integer') throw bad(`ut_metadata message has no integer ${name}`);
  return node.value;
}

/**
 * Reads one ut_metadata payload. Returns null for a `msg_type` BEP 9 does not define (the BEP says to ignore
 * those). Anything else malformed, or a piece/total_size beyond MAX_METADATA_SIZE, is an ExtensionError; so are
 * bytes after the dictionary of a request or reject, and a data piece longer than 16 KiB.
 */
export function decodeMetadataMessage(payload: Uint8Array): MetadataMessage | null {
  let root: BencodeNode;
  try {
    root = decodeBencodePrefix(payload, 0, { maxDepth: 4, maxValues: 64 });
  } catch (error) {
    if (!isSluiceError(error)) throw error;
    throw bad(`ut_metadata message is not bencoded: ${error.message}`);
  }
  if (root.kind !== 'dictionary') throw bad(`ut_metadata message is a bencoded ${root.kind}, not a dictionary`);
  const type = integer(root.get('msg_type'), 'msg_type');
  if (type !== MetadataMessageType.request && type !== MetadataMessageType.data && type !== MetadataMessageType.reject) {
    return null;
  }
  const piece = integer(root.get('piece'), 'piece');
  checkPiece(piece);
  const rest = payload.subarray(root.end);
  if (type === MetadataMessageType.data) {
    const totalSize = integer(root.get('total_size'), 'total_size');
    checkTotalSize(totalSize);
    if (rest.length === 0 || rest.length > METADATA_PIECE_SIZE) {
      throw new ExtensionError('ut-metadata/out-of-range', `metadata data piece has ${rest.length} bytes, expected 1..${METADATA_PIECE_SIZE}`);
    }
    return { type: 'data', piece, totalSize, data: rest };
  }
  if (rest.length !== 0) throw bad(`ut_metadata ${type === 0 ? 'request' : 'reject'} has ${rest.length} bytes after its dictionary`);
  return type === MetadataMessageType.request ? { type: 'request', piece } : { type: 'reject', piece };
}
