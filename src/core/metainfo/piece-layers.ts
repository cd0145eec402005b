import type { BencodeDictionary } from '../bencode/node.js';
import { toHex } from '../util/hex.js';
import { bytesEqual } from '../util/bytes.js';
import type { Hasher } from '../ports/hasher.js';
import { MetainfoError } from './errors.js';
import { asBytes, optionalDictionary } from './fields.js';
import { pieceLayerRoot } from '../merkle/merkle.js';
import type { TorrentFile } from './model.js';
import { quote } from './quote.js';

/**
 * Reads the top-level `piece layers` and checks that every file longer than one piece has a layer
 * of the right size whose merkle root is the file's `pieces root`. Layers no file needs are dropped.
 */
export async function readPieceLayers(
  root: BencodeDictionary,
  files: readonly TorrentFile[],
  pieceLength: number,
  hasher: Hasher,
): Promise<Map<string, Uint8Array>> {
  const dict = optionalDictionary(root, 'piece layers', '');
  const given = new Map<string, Uint8Array>();
  for (const { key, value } of dict?.entries ?? []) {
    given.set(toHex(key), asBytes(value, `'piece layers' entry ${toHex(key).slice(0, 16)}`).value);
  }
  const layers = new Map<string, Uint8Array>();
  for (const file of files) {
    if (file.piecesRoot === undefined || file.length <= pieceLength) continue;
    const name = quote(file.path.join('/'));
    const key = toHex(file.piecesRoot);
    if (layers.has(key)) continue; // identical files share a root and a layer
    const layer = given.get(key);
    if (layer === undefined) throw new MetainfoError('metainfo/missing-piece-layer', `missing piece layer for file ${name}`);
    const expected = Math.ceil(file.length / pieceLength) * 32;
    if (layer.length !== expected) {
      throw new MetainfoError('metainfo/bad-piece-layer', `piece layer of file ${name} has ${layer.length} bytes, expected ${expected}`);
    }
    if (!bytesEqual(await pieceLayerRoot(hasher, layer, pieceLength), file.piecesRoot)) {
      throw new MetainfoError('metainfo/bad-piece-layer', `piece layer of file ${name} does not match its pieces root`);
    }
    layers.set(key, layer);
  }
  return layers;
}
