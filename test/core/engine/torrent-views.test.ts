import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../../src/core/errors.js';
import { torrentStatus, type TorrentFigures } from '../../../src/core/engine/torrent-views.js';
import { pieceSize } from '../../../src/core/metainfo/layout.js';
import { Bitfield } from '../../../src/core/util/bitfield.js';
import { toHex } from '../../../src/core/util/hex.js';
import { makeTorrent } from '../../helpers/engine.js';
import { ScriptedLink } from './scripted-link.js';

const PIECE = 16 * 1024;

function figures(overrides: Partial<TorrentFigures>): TorrentFigures {
  return {
    infoHashHex: 'ab'.repeat(20),
    infoHashV2: null,
    name: 'x',
    meta: null,
    have: null,
    filePriorities: [],
    state: 'metadata',
    sequential: false,
    error: null,
    verifiedBytes: 0,
    downloaded: 0,
    uploaded: 0,
    downloadRate: 0,
    uploadRate: 0,
    links: [],
    ...overrides,
  };
}

describe('torrentStatus', () => {
  it('for a magnet without metadata: known by its wire hash, no progress and no ETA', () => {
    const v2 = Uint8Array.from({ length: 32 }, (_, i) => i);
    const status = torrentStatus(figures({ infoHashV2: v2, downloaded: 100, uploaded: 50 }));
    expect(status).toMatchObject({ infoHash: 'ab'.repeat(20), infoHashV2: toHex(v2), progress: 0, wantedBytes: 0, totalBytes: 0, eta: null, ratio: 0.5, peers: 0, seeds: 0 });
  });

  it('counts progress over the wanted files only, ETA from the download rate, and ready peers and seeds', async () => {
    // a.bin is two pieces, b.bin one piece; b.bin is not wanted.
    const t = await makeTorrent([{ path: ['a.bin'], length: 2 * PIECE }, { path: ['b.bin'], length: PIECE }], { pieceLength: PIECE });
    const meta = t.metainfo;
    const a = meta.files.findIndex((f) => f.path.join('/').endsWith('a.bin'));
    const priorities = meta.files.map((_, i) => (i === a ? 4 : 0));
    const aPieces = [Math.floor(meta.files[a]!.offset / PIECE), Math.floor(meta.files[a]!.offset / PIECE) + 1];
    const have = Bitfield.fromIndices(meta.pieceCount, [aPieces[0]!]);
    const seed = new ScriptedLink({ address: '10.0.0.1:1', pieceCount: meta.pieceCount, pieceSize: (i) => pieceSize(meta, i) });
    seed.feed({ type: 'have-all' });
    seed.link.seed = true;
    const leecher = new ScriptedLink({ address: '10.0.0.2:1', pieceCount: meta.pieceCount, pieceSize: (i) => pieceSize(meta, i) });
    const status = torrentStatus(
      figures({ meta, have, filePriorities: priorities, state: 'downloading', verifiedBytes: PIECE, downloadRate: 4096, links: [seed.link, leecher.link] }),
    );
    expect(status).toMatchObject({
      infoHash: toHex(meta.infoHash!),
      progress: 0.5,
      wantedBytes: 2 * PIECE,
      totalBytes: 3 * PIECE,
      verifiedBytes: PIECE,
      eta: PIECE / 4096,
      peers: 2,
      seeds: 1,
      state: 'downloading',
    });
  });

  it('has no ETA while paused or stopped by an error, whatever its last rate', async () => {
    const t = await makeTorrent([{ path: ['a.bin'], length: 2 * PIECE }], { name: 'a.bin', pieceLength: PIECE });
    const meta = t.metainfo;
    for (const state of ['paused', 'error'] as const) {
      const status = torrentStatus(figures({ meta, have: Bitfield.fromIndices(2, [0]), filePriorities: [4], verifiedBytes: PIECE, state, downloadRate: 4096 }));
      expect(status.eta, state).toBeNull();
    }
  });

  it('reports an error by code and message, and a finished selection as ETA 0', async () => {
    const t = await makeTorrent([{ path: ['a.bin'], length: PIECE }], { name: 'a.bin', pieceLength: PIECE });
    const meta = t.metainfo;
    const status = torrentStatus(
      figures({ meta, have: Bitfield.fromIndices(1, [0]), filePriorities: [4], verifiedBytes: PIECE, state: 'error', error: new SluiceError('storage/disk-full', 'disk full') }),
    );
    expect(status).toMatchObject({ progress: 1, eta: 0, error: { code: 'storage/disk-full', message: 'disk full' } });
  });
});
