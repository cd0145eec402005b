import { decodeBencode } from '../bencode/decode.js';
import { encodeBencode } from '../bencode/encode.js';
import type { BencodeValue } from '../bencode/encode.js';
import type { BencodeDictionary, BencodeNode } from '../bencode/node.js';
import { isSluiceError } from '../errors.js';
import { WireError } from './errors.js';

// Not util/bytes.ts: the core lint rule that bans Node's `util` module also matches that path.
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8');

/** The extended message id (BEP 10) that carries the extended handshake. */
export const EXTENDED_HANDSHAKE_ID = 0;

/**
 * The BEP 10 extended handshake, with readable names for its bencoded keys. Every field but `extensions` is
 * optional: absent when the peer left it out or sent it with a wrong type or an impossible value.
 */
export interface ExtendedHandshake {
  /** `m`: extension name → the id the sender wants to receive that extension's messages on; 0 = disabled. */
  readonly extensions: ReadonlyMap<string, number>;
  /** `v`: client name and version, UTF-8. */
  readonly client?: string;
  /** `p`: the sender's listen port (1..65535). */
  readonly port?: number;
  /** `reqq`: how many outstanding requests the sender accepts (a positive integer; the session caps it). */
  readonly requestQueue?: number;
  /** `metadata_size` (BEP 9): bytes of the info dictionary (a positive integer; the session caps it). */
  readonly metadataSize?: number;
  /** `yourip`: the receiver's address as the sender sees it, 4 or 16 bytes. */
  readonly yourIp?: Uint8Array;
  /** `ipv4`: the sender's IPv4 address, 4 bytes. */
  readonly ipv4?: Uint8Array;
  /** `ipv6`: the sender's IPv6 address, 16 bytes. */
  readonly ipv6?: Uint8Array;
  /** `upload_only` (BEP 21): the sender only uploads (it is a seed or a partial seed). */
  readonly uploadOnly?: boolean;
}

function invalid(message: string): WireError {
  return new WireError('wire/invalid-field', message);
}

function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 0xffff;
}

function isPositive(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 1;
}

/** The bencoded payload of an extended message with id EXTENDED_HANDSHAKE_ID. */
export function encodeExtendedHandshake(handshake: ExtendedHandshake): Uint8Array {
  const m: Record<string, BencodeValue> = {};
  for (const [name, id] of handshake.extensions) {
    if (!Number.isInteger(id) || id < 0 || id > 255) throw invalid(`extension ${name} has id ${id}, expected 0..255`);
    // Keys are set with defineProperty so a name like "__proto__" is an ordinary key.
    Object.defineProperty(m, name, { value: id, enumerable: true });
  }
  const { client, port, requestQueue, metadataSize, yourIp, ipv4, ipv6, uploadOnly } = handshake;
  if (port !== undefined && !isPort(port)) throw invalid(`port must be in 1..65535, got ${port}`);
  if (requestQueue !== undefined && !isPositive(requestQueue)) throw invalid(`reqq must be positive, got ${requestQueue}`);
  if (metadataSize !== undefined && !isPositive(metadataSize)) {
    throw invalid(`metadata_size must be positive, got ${metadataSize}`);
  }
  if (yourIp !== undefined && yourIp.length !== 4 && yourIp.length !== 16) {
    throw invalid(`yourip must be 4 or 16 bytes, got ${yourIp.length}`);
  }
  if (ipv4 !== undefined && ipv4.length !== 4) throw invalid(`ipv4 must be 4 bytes, got ${ipv4.length}`);
  if (ipv6 !== undefined && ipv6.length !== 16) throw invalid(`ipv6 must be 16 bytes, got ${ipv6.length}`);
  return encodeBencode({
    m,
    v: client === undefined ? undefined : textEncoder.encode(client),
    p: port,
    reqq: requestQueue,
    metadata_size: metadataSize,
    yourip: yourIp,
    ipv4,
    ipv6,
    upload_only: uploadOnly === undefined ? undefined : uploadOnly ? 1 : 0,
  });
}

function integer(node: BencodeNode | undefined): number | undefined {
  return node?.kind === 'integer' ? node.value : undefined;
}

function bytes(node: BencodeNode | undefined, ...lengths: number[]): Uint8Array | undefined {
  return node?.kind === 'bytes' && lengths.includes(node.value.length) ? node.value.slice() : undefined;
}

function extensionMap(node: BencodeNode | undefined): Map<string, number> {
  const extensions = new Map<string, number>();
  if (node?.kind !== 'dictionary') return extensions;
  for (const { key, value } of node.entries) {
    if (value.kind === 'integer' && value.value >= 0 && value.value <= 255) extensions.set(textDecoder.decode(key), value.value);
  }
  return extensions;
}

function decodeDictionary(payload: Uint8Array): BencodeDictionary {
  let root: BencodeNode;
  try {
    root = decodeBencode(payload, { maxDepth: 32 });
  } catch (error) {
    if (!isSluiceError(error)) throw error;
    throw new WireError('wire/bad-extended-handshake', `extended handshake is not valid bencode: ${error.message}`);
  }
  if (root.kind !== 'dictionary') {
    throw new WireError('wire/bad-extended-handshake', `extended handshake is a bencoded ${root.kind}, not a dictionary`);
  }
  return root;
}

/**
 * Reads the payload of an extended message with id EXTENDED_HANDSHAKE_ID. Only a payload that is not one
 * bencoded dictionary is an error; malformed optional keys are dropped, as other clients do. The payload is
 * already bounded by the decoder's message limit. Byte fields are copies, never views into the payload.
 */
export function parseExtendedHandshake(payload: Uint8Array): ExtendedHandshake {
  const dict = decodeDictionary(payload);
  const result: {
    -readonly [K in keyof ExtendedHandshake]: ExtendedHandshake[K];
  } = { extensions: extensionMap(dict.get('m')) };
  const client = dict.get('v');
  if (client?.kind === 'bytes') result.client = textDecoder.decode(client.value);
  const port = integer(dict.get('p'));
  if (port !== undefined && isPort(port)) result.port = port;
  const requestQueue = integer(dict.get('reqq'));
  if (requestQueue !== undefined && isPositive(requestQueue)) result.requestQueue = requestQueue;
  const metadataSize = integer(dict.get('metadata_size'));
  if (metadataSize !== undefined && isPositive(metadataSize)) result.metadataSize = metadataSize;
  const yourIp = bytes(dict.get('yourip'), 4, 16);
  if (yourIp !== undefined) result.yourIp = yourIp;
  const ipv4 = bytes(dict.get('ipv4'), 4);
  if (ipv4 !== undefined) result.ipv4 = ipv4;
  const ipv6 = bytes(dict.get('ipv6'), 16);
  if (ipv6 !== undefined) result.ipv6 = ipv6;
  const uploadOnly = integer(dict.get('upload_only'));
  if (uploadOnly !== undefined) result.uploadOnly = uploadOnly !== 0;
  return result;
}
