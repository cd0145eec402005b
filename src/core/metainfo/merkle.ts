import type { Hasher } from '../ports/hasher.js';
import { V2_BLOCK_SIZE } from './limits.js';

/**
 * BEP 52: the root of a piece layer. Missing leaves of the full tree are zero hashes, so the piece
 * layer is padded with the root of a piece-sized subtree of zero leaves. One hasher call per level.
 */
export async function pieceLayerRoot(layer: Uint8Array, pieceLength: number, hasher: Hasher): Promise<Uint8Array> {
  const leaves = layer.length / 32;
  let padded = 1;
  while (padded < leaves) padded *= 2;
  let pad: Uint8Array = new Uint8Array(32);
  for (let size = V2_BLOCK_SIZE; size < pieceLength; size *= 2) {
    const pair = new Uint8Array(64);
    pair.set(pad, 0);
    pair.set(pad, 32);
    pad = await hasher.digest('sha256', pair);
  }
  let level = new Uint8Array(padded * 32);
  level.set(layer, 0);
  for (let i = leaves; i < padded; i++) level.set(pad, i * 32);
  while (level.length > 32) level = new Uint8Array(await hasher.digestBlocks('sha256', level, 64));
  return level;
}
