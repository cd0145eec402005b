// Hand-built torrent layouts for web seed tests: v1 files back to back (padding files real entries),
// v2 files each starting on a piece boundary with the gap left implicit.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMetainfo } from '../../../src/core/metainfo/index.js';
import type { Metainfo, TorrentFile } from '../../../src/core/metainfo/model.js';
import type { WebSeedLayout } from '../../../src/core/webseed/index.js';
import { nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';

export interface FileSpec {
  readonly path: readonly string[];
  readonly length: number;
  readonly padding?: boolean;
}

export function buildLayout(
  version: 'v1' | 'v2',
  pieceLength: number,
  specs: readonly FileSpec[],
  naming: { name?: string; singleFile?: boolean } = {},
): WebSeedLayout {
  let offset = 0;
  const files: TorrentFile[] = specs.map((s) => {
    if (version === 'v2') offset = Math.ceil(offset / pieceLength) * pieceLength;
    const file: TorrentFile = { path: s.path, length: s.length, offset, padding: s.padding ?? false, attributes: s.padding ? 'p' : '' };
    offset += s.length;
    return file;
  });
  const pieceSpaceLength = version === 'v2' ? Math.ceil(offset / pieceLength) * pieceLength : offset;
  return {
    version,
    pieceLength,
    pieceCount: Math.ceil(pieceSpaceLength / pieceLength),
    pieceSpaceLength,
    files,
    name: naming.name ?? 'album',
    singleFile: naming.singleFile ?? false,
  };
}

export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'torrents');

export async function fixture(name: string): Promise<Metainfo> {
  return parseMetainfo(new Uint8Array(readFileSync(join(FIXTURES, `${name}.torrent`))), nodeHasher);
}
