import { decodeBencode } from '../bencode/decode.js';
import type { BencodeDictionary } from '../bencode/node.js';
import type { Hasher } from '../ports/hasher.js';
import { MetainfoError } from './errors.js';
import { optionalInteger, preferredText, requiredDictionary } from './fields.js';
import { readInfo } from './info.js';
import type { Metainfo } from './model.js';
import { readPieceLayers } from './piece-layers.js';
import { readAnnounce, readUrlList } from './trackers.js';

/**
 * Parses and validates an untrusted .torrent file. Throws only SluiceError: BencodeError
 * (`bencode/...`) when the bytes are not bencode, MetainfoError (`metainfo/...`) otherwise.
 * The result owns a private copy of the input.
 */
export async function parseMetainfo(bytes: Uint8Array, hasher: Hasher): Promise<Metainfo> {
  const own = bytes.slice();
  const root = decodeBencode(own);
  if (root.kind !== 'dictionary') throw new MetainfoError('metainfo/not-a-dictionary', 'torrent file is not a bencoded dictionary');
  const infoNode = requiredDictionary(root, 'info', '');
  const metainfo = await fromInfo(infoNode, own.subarray(infoNode.start, infoNode.end), hasher);
  const pieceLayers = metainfo.version === 'v1'
    ? new Map<string, Uint8Array>()
    : await readPieceLayers(root, metainfo.files, metainfo.pieceLength, hasher);
  const creationDate = optionalInteger(root, 'creation date', '')?.value;
  const comment = preferredText(root, 'comment', '');
  const createdBy = preferredText(root, 'created by', '');
  return {
    ...metainfo,
    pieceLayers,
    announce: readAnnounce(root),
    urlList: readUrlList(root),
    ...(creationDate === undefined ? {} : { creationDate }),
    ...(comment === undefined ? {} : { comment }),
    ...(createdBy === undefined ? {} : { createdBy }),
  };
}

/**
 * Parses a bare `info` dictionary, as fetched from peers for a magnet link (BEP 9). There are no
 * trackers, and a v2 torrent's piece layers are not included (they come from peers, BEP 52).
 */
export async function parseInfoDictionary(infoBytes: Uint8Array, hasher: Hasher): Promise<Metainfo> {
  const own = infoBytes.slice();
  const node = decodeBencode(own);
  if (node.kind !== 'dictionary') throw new MetainfoError('metainfo/not-a-dictionary', 'info is not a bencoded dictionary');
  return fromInfo(node, own, hasher);
}

async function fromInfo(info: BencodeDictionary, infoBytes: Uint8Array, hasher: Hasher): Promise<Metainfo> {
  const parsed = readInfo(info);
  const [infoHash, infoHashV2] = await Promise.all([
    parsed.version === 'v2' ? null : hasher.digest('sha1', infoBytes),
    parsed.version === 'v1' ? null : hasher.digest('sha256', infoBytes),
  ]);
  const privateNode = optionalInteger(info, 'private', 'info');
  return {
    ...parsed,
    infoHash,
    infoHashV2,
    infoBytes,
    pieceLayers: new Map(),
    announce: [],
    urlList: [],
    private: privateNode?.value === 1,
  };
}
