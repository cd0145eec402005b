import { decodeBencode } from '../bencode/decode.js';
import { encodeBencode, type BencodeValue } from '../bencode/encode.js';
import { BencodeError } from '../bencode/errors.js';
import type { BencodeDictionary, BencodeNode } from '../bencode/node.js';
import { MAX_FILES, MAX_PIECES } from '../metainfo/limits.js';
import type { FileState } from '../ports/storage.js';
import { Bitfield, BitfieldError } from '../util/bitfield.js';
import { fromUtf8 } from '../util/bytes.js';
import { ResumeError } from './errors.js';

/** 2: resume data names its data location (1 had none, so it is read as unusable and the data is checked). */
export const RESUME_VERSION = 2;
/** Peers worth remembering for a quick restart; more would only be stale. */
export const MAX_RESUME_PEERS = 200;
/** A data location: an absolute path (PATH_MAX is 4096 on Linux) or a storage backend's id. */
export const MAX_LOCATION_BYTES = 4096;
/** A DNS name (255) plus brackets, colon and port. */
const MAX_PEER_TEXT = 264;
/** Piece priorities run from 0 (do not download) to 7 (top), as in the picker. */
export const MAX_FILE_PRIORITY = 7;
/** 4 Mi pieces x 1 bit + 500k files x ~40 bytes fits with room to spare. */
export const MAX_RESUME_BYTES = 32 * 1024 * 1024;

/** What a torrent saves so a restart neither rehashes unchanged files nor forgets its settings. */
export interface ResumeData {
  readonly version: number;
  /** Lower-case hex of the info hash (40 digits v1/hybrid, 64 for v2-only). */
  readonly infoHash: string;
  readonly pieceCount: number;
  /**
   * Where the data lives (`TorrentStorage.location`): the absolute data folder for the sidecar, a
   * storage backend's id in a browser. Resume data describes the files there and nowhere else.
   */
  readonly location: string;
  /** Pieces verified and stored, in wire bitfield form (ceil(pieceCount / 8) bytes, spare bits zero). */
  readonly have: Uint8Array;
  /** Each file's state when `have` was saved (`TorrentStorage.fileStates()` after `flush()`). */
  readonly files: readonly (FileState | null)[];
  /** Recently useful peers, "host:port" ("[v6]:port" for IPv6), at most MAX_RESUME_PEERS. */
  readonly peers: readonly string[];
  /** One per file, 0..7. */
  readonly filePriorities: readonly number[];
  readonly sequential: boolean;
  /** Milliseconds since the epoch. */
  readonly savedAt: number;
}

export function encodeResume(resume: ResumeData): Uint8Array {
  const value: BencodeValue = {
    version: resume.version,
    'info-hash': resume.infoHash,
    'piece-count': resume.pieceCount,
    location: resume.location,
    have: resume.have,
    // A file that is not there is an empty dictionary: bencode has no null.
    files: resume.files.map((f) => (f === null ? {} : { size: f.size, mtime: f.mtime })),
    peers: [...resume.peers],
    'file-priorities': [...resume.filePriorities],
    sequential: resume.sequential ? 1 : 0,
    'saved-at': resume.savedAt,
  };
  return encodeBencode(value);
}

/** Parses resume data; anything wrong is a `ResumeError` naming the first problem. Unknown keys are ignored. */
export function decodeResume(bytes: Uint8Array): ResumeData {
  let root: BencodeNode;
  try {
    root = decodeBencode(bytes, { maxBytes: MAX_RESUME_BYTES, maxDepth: 3, maxValues: 4 * MAX_FILES + MAX_RESUME_PEERS + 64 });
  } catch (error) {
    if (error instanceof BencodeError) throw new ResumeError('resume/bad-data', `resume data is not valid bencode: ${error.message}`);
    throw error;
  }
  if (root.kind !== 'dictionary') throw bad('is not a dictionary');

  const version = integer(root, 'version', 0, Number.MAX_SAFE_INTEGER);
  if (version !== RESUME_VERSION) {
    throw new ResumeError('resume/unsupported-version', `resume data has format version ${version}; this build reads only ${RESUME_VERSION}`);
  }
  const infoHash = text(root, 'info-hash', 64);
  if (!/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(infoHash)) throw bad("has an 'info-hash' that is not 40 or 64 lower-case hex digits");
  const pieceCount = integer(root, 'piece-count', 0, MAX_PIECES);
  const location = text(root, 'location', MAX_LOCATION_BYTES);
  if (location.length === 0) throw bad("has an empty 'location'");
  const have = byteString(root, 'have');
  try {
    Bitfield.fromWire(have, pieceCount);
  } catch (error) {
    if (error instanceof BitfieldError) throw bad(`has a bad 'have' bitfield: ${error.message}`);
    throw error;
  }
  const files = list(root, 'files', MAX_FILES).map((node, i) => fileState(node, i));
  const peers = list(root, 'peers', MAX_RESUME_PEERS).map((node, i) => peer(node, i));
  const filePriorities = list(root, 'file-priorities', MAX_FILES).map((node, i) => {
    if (node.kind !== 'integer' || node.value < 0 || node.value > MAX_FILE_PRIORITY) {
      throw bad(`has file priority ${i} that is not an integer 0..${MAX_FILE_PRIORITY}`);
    }
    return node.value;
  });
  if (filePriorities.length !== files.length) {
    throw bad(`has ${filePriorities.length} file priorities for ${files.length} files`);
  }
  const sequential = integer(root, 'sequential', 0, 1) === 1;
  const savedAt = integer(root, 'saved-at', 0, Number.MAX_SAFE_INTEGER);
  return { version, infoHash, pieceCount, location, have: have.slice(), files, peers, filePriorities, sequential, savedAt };
}

function bad(what: string): ResumeError {
  return new ResumeError('resume/bad-data', `resume data ${what}`);
}

function field(dict: BencodeDictionary, key: string): BencodeNode {
  const node = dict.get(key);
  if (node === undefined) throw bad(`has no '${key}'`);
  return node;
}

function integer(dict: BencodeDictionary, key: string, min: number, max: number): number {
  const node = field(dict, key);
  if (node.kind !== 'integer' || node.value < min || node.value > max) throw bad(`has a '${key}' that is not an integer ${min}..${max}`);
  return node.value;
}

function byteString(dict: BencodeDictionary, key: string): Uint8Array {
  const node = field(dict, key);
  if (node.kind !== 'bytes') throw bad(`has a '${key}' that is not a byte string`);
  return node.value;
}

function text(dict: BencodeDictionary, key: string, maxLength: number): string {
  const bytes = byteString(dict, key);
  if (bytes.length > maxLength) throw bad(`has a '${key}' longer than ${maxLength} bytes`);
  return fromUtf8(bytes);
}

function list(dict: BencodeDictionary, key: string, max: number): readonly BencodeNode[] {
  const node = field(dict, key);
  if (node.kind !== 'list') throw bad(`has a '${key}' that is not a list`);
  if (node.items.length > max) throw bad(`has more than ${max} '${key}'`);
  return node.items;
}

function fileState(node: BencodeNode, index: number): FileState | null {
  if (node.kind !== 'dictionary') throw bad(`has file ${index} that is not a dictionary`);
  if (node.entries.length === 0) return null;
  const where = `file ${index}`;
  const size = node.get('size');
  const mtime = node.get('mtime');
  if (size?.kind !== 'integer' || size.value < 0) throw bad(`has ${where} without a non-negative 'size'`);
  if (mtime?.kind !== 'integer') throw bad(`has ${where} without an integer 'mtime'`);
  return { size: size.value, mtime: mtime.value };
}

const PEER = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):([0-9]{1,5})$/;

function peer(node: BencodeNode, index: number): string {
  if (node.kind !== 'bytes' || node.value.length > MAX_PEER_TEXT) throw bad(`has peer ${index} that is not a short string`);
  const value = fromUtf8(node.value);
  const match = PEER.exec(value);
  const port = Number(match?.[2]);
  if (match === null || port < 1 || port > 65535) throw bad(`has peer ${index} that is not "host:port"`);
  return value;
}
