import type { Hasher } from '../ports/hasher.js';

/** BEP 52 leaves: SHA-256 of each 16 KiB block of a file. */
export const BLOCK_SIZE = 16384;
const HASH = 32;

/** Hashes pairs of nodes, `levels` times: every step is one batched hasher call over a whole layer. */
export async function reduceLayer(hasher: Hasher, layer: Uint8Array, levels: number): Promise<Uint8Array> {
  let nodes = layer;
  for (let i = 0; i < levels; i++) nodes = await hasher.digestBlocks('sha256', nodes, 2 * HASH);
  return nodes;
}

/** Copies `hashes` into a layer of `count` nodes, the rest filled with `pad`. */
export function padLayer(hashes: Uint8Array, count: number, pad: Uint8Array): Uint8Array {
  const out = new Uint8Array(count * HASH);
  out.set(hashes);
  for (let at = hashes.length; at < out.length; at += HASH) out.set(pad, at);
  return out;
}

export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** log2 of a power of two. */
export function log2(n: number): number {
  return Math.round(Math.log2(n));
}

/** The root of a tree of `2^levels` zero leaves: the value that pads a piece layer. */
export async function zeroSubtreeRoot(hasher: Hasher, levels: number): Promise<Uint8Array> {
  let node: Uint8Array = new Uint8Array(HASH);
  const pair = new Uint8Array(2 * HASH);
  for (let i = 0; i < levels; i++) {
    pair.set(node, 0);
    pair.set(node, HASH);
    node = await hasher.digest('sha256', pair);
  }
  return node;
}

/** The root over `hashes`, padded with `pad` to a power of two. */
export async function merkleRoot(hasher: Hasher, hashes: Uint8Array, pad: Uint8Array): Promise<Uint8Array> {
  const count = nextPowerOfTwo(hashes.length / HASH);
  return reduceLayer(hasher, padLayer(hashes, count, pad), log2(count));
}

/**
 * The root of a file from its piece layer: missing pieces of the full tree are piece-sized subtrees
 * of zero leaves, so the layer is padded with that subtree's root (BEP 52).
 */
export async function pieceLayerRoot(hasher: Hasher, layer: Uint8Array, pieceLength: number): Promise<Uint8Array> {
  const pad = await zeroSubtreeRoot(hasher, log2(pieceLength / BLOCK_SIZE));
  return merkleRoot(hasher, layer, pad);
}
