import { nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';
import { encodeBencode } from '../../../src/core/bencode/encode.js';
import type { BencodeValue } from '../../../src/core/bencode/encode.js';
import { pieceLayerRoot } from '../../../src/core/merkle/merkle.js';

// Builders for hand-made torrents (valid by default, then broken one field at a time).

type Dict = { [key: string]: BencodeValue | undefined };

export interface V1Options {
  readonly info?: Dict;
  readonly root?: Dict;
  readonly files?: BencodeValue[];
}

export const PIECE = 16384;

/** A valid two-file v1 torrent: 1000 + 20000 bytes in 16 KiB pieces (2 pieces). */
export function v1Torrent(options: V1Options = {}): Uint8Array {
  const files = options.files ?? [
    { length: 1000, path: ['a'] },
    { length: 20000, path: ['d', 'b'] },
  ];
  return encodeBencode({
    announce: 'http://127.0.0.1:1/announce',
    info: { name: 'x', 'piece length': PIECE, pieces: new Uint8Array(40), files, ...options.info },
    ...options.root,
  });
}

export interface V2File {
  readonly path: readonly string[];
  readonly length: number;
}

export interface V2Parts {
  readonly info: Dict;
  readonly layers: Map<Uint8Array, Uint8Array>;
  readonly roots: Uint8Array[];
}

/** The info dictionary and piece layers of a v2 torrent with real merkle roots over made-up piece hashes. */
export async function v2Parts(files: readonly V2File[], pieceLength = PIECE): Promise<V2Parts> {
  const tree: Dict = {};
  const layers = new Map<Uint8Array, Uint8Array>();
  const roots: Uint8Array[] = [];
  for (const [index, file] of files.entries()) {
    let dir = tree;
    for (const part of file.path.slice(0, -1)) dir = (dir[part] ??= {}) as Dict;
    const entry: Dict = { length: file.length };
    if (file.length > 0) {
      const pieces = Math.ceil(file.length / pieceLength);
      const layer = new Uint8Array(pieces * 32).map((_, i) => (i * 7 + index) & 255);
      const root = pieces > 1 ? await pieceLayerRoot(nodeHasher, layer, pieceLength) : new Uint8Array(32).fill(index + 1);
      if (pieces > 1) layers.set(root, layer);
      entry['pieces root'] = root;
      roots.push(root);
    }
    dir[file.path[file.path.length - 1]!] = { '': entry };
  }
  return { info: { name: 'x', 'piece length': pieceLength, 'meta version': 2, 'file tree': tree }, layers, roots };
}

export function v2Torrent(parts: V2Parts, info: Dict = {}, layers: Map<Uint8Array, Uint8Array> = parts.layers): Uint8Array {
  // bencode encodes a Map with Uint8Array keys as a dictionary with raw byte keys.
  return encodeBencode({ info: { ...parts.info, ...info }, 'piece layers': layers as unknown as BencodeValue });
}
