import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PieceVerifier } from '../../../src/core/engine/piece-verifier.js';
import { pieceSize } from '../../../src/core/metainfo/layout.js';
import { parseMetainfo } from '../../../src/core/metainfo/index.js';
import type { Metainfo } from '../../../src/core/metainfo/model.js';
import { nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';
// @ts-expect-error: a plain .mjs script shared with the fixture generator
import { content, FOLDER, SINGLE } from '../../fixtures/torrents/make.mjs';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'torrents');
type Content = (seed: number, length: number) => Uint8Array;

/** Piece space filled with the fixture content: files at their offsets, padding and gaps zero. */
function pieceSpace(m: Metainfo): Uint8Array {
  const space = new Uint8Array(m.pieceSpaceLength);
  const single = m.singleFile;
  for (const f of m.files) {
    if (f.padding || f.length === 0) continue;
    const seed = single ? 1 : 2 + FOLDER.findIndex((g: { path: string[] }) => g.path.join('/') === f.path.join('/'));
    space.set((content as Content)(seed, f.length), f.offset);
  }
  return space;
}

const cases = ['mktorrent-multi', 'transmission-multi', 'libtorrent-v1-padded', 'libtorrent-hybrid', 'libtorrent-v2', 'libtorrent-v2-single', 'mktorrent-single'];

describe('PieceVerifier', () => {
  expect(SINGLE.name).toBe('sample.bin');
  for (const name of cases) {
    it(`accepts every true piece and refuses a corrupted one: ${name}`, async () => {
      const m = await parseMetainfo(new Uint8Array(readFileSync(join(FIXTURES, `${name}.torrent`))), nodeHasher);
      const space = pieceSpace(m);
      const verifier = new PieceVerifier(m, nodeHasher);
      for (let i = 0; i < m.pieceCount; i++) {
        const piece = space.slice(i * m.pieceLength, i * m.pieceLength + pieceSize(m, i));
        expect(await verifier.verify(i, piece), `piece ${i}`).toBe(true);
        piece[piece.length >> 1]! ^= 1;
        expect(await verifier.verify(i, piece), `corrupted piece ${i}`).toBe(false);
      }
    });
  }

  it('refuses a piece checked against the wrong index', async () => {
    const m = await parseMetainfo(new Uint8Array(readFileSync(join(FIXTURES, 'libtorrent-v2.torrent'))), nodeHasher);
    const space = pieceSpace(m);
    const verifier = new PieceVerifier(m, nodeHasher);
    expect(await verifier.verify(1, space.slice(0, pieceSize(m, 0)))).toBe(false);
  });
});
