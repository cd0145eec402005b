import { describe, expect, it } from 'vitest';
import type { Alert, Priority } from '../../../src/core/api/types.js';
import { SluiceError } from '../../../src/core/errors.js';
import { openMetainfo, type MetainfoOpenDeps } from '../../../src/core/engine/metainfo-open.js';
import type { PeerInterest } from '../../../src/core/engine/peer-interest.js';
import { PiecePriorities, type PiecePrioritiesOptions } from '../../../src/core/engine/piece-priorities.js';
import type { Metainfo } from '../../../src/core/metainfo/model.js';
import type { StorageFactory, TorrentStorage } from '../../../src/core/ports/storage.js';
import { nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';
import { makeTorrent, recordingStorage, seededStorage, type TestTorrent } from '../../helpers/engine.js';

const PIECE = 16 * 1024;

/** Two files of two pieces each (a.bin: pieces 0-1, b.bin: 2-3). */
async function twoFiles(): Promise<TestTorrent> {
  return makeTorrent([{ path: ['a.bin'], length: 2 * PIECE }, { path: ['b.bin'], length: 2 * PIECE }], { pieceLength: PIECE });
}

function deps(meta: Metainfo, storage: StorageFactory, options: Partial<PiecePrioritiesOptions> = {}) {
  const alerts: Alert[] = [];
  const opened: TorrentStorage[] = [];
  let cancelled = false;
  const priorities = new PiecePriorities(
    {
      picker: () => null,
      have: () => null,
      meta: () => meta,
      storage: () => null,
      links: new Map(),
      interest: {} as Pick<PeerInterest, 'set' | 'update'>,
      fill: () => {},
      changed: () => {},
    },
    { sequential: false, ...options },
  );
  const d: MetainfoOpenDeps = {
    infoHashHex: 'ab'.repeat(20),
    resume: null,
    storage,
    hasher: nodeHasher,
    http: null,
    clock: { now: () => 0 },
    random: () => 0.5,
    priorities,
    opened: (s) => opened.push(s),
    cancelled: () => cancelled,
    emit: (a) => alerts.push(a),
  };
  return { d, alerts, opened, priorities, cancel: () => (cancelled = true) };
}

describe('openMetainfo', () => {
  it('opens an empty store with the wanted files, reports the check, and builds the picker on the priorities', async () => {
    const t = await twoFiles();
    const storage = recordingStorage();
    const { d, alerts, opened } = deps(t.metainfo, storage, { filePriorities: [4, 0] as Priority[] });
    const result = await openMetainfo(d, t.metainfo);
    if (!result || result instanceof SluiceError) throw new Error(`not opened: ${String(result)}`);
    expect(opened).toEqual(storage.stores);
    expect(result.have.count()).toBe(0);
    expect(result.verifiedBytes).toBe(0);
    // File 1 is not wanted: its pieces have priority 0, the others the default.
    const second = t.metainfo.files[1]!.offset / PIECE;
    expect([0, 1, 2, 3].map((i) => result.picker.priority(i))).toEqual([0, 1, 2, 3].map((i) => (i === second || i === second + 1 ? 0 : 4)));
    expect(storage.stores).toHaveLength(1);
    expect(result.resumePeers).toEqual([]);
    expect(result.webSeeds).toEqual([]);
    // Nothing of the files is on disk, so nothing needed hashing; any progress said stays within bounds.
    for (const a of alerts) expect(a.type).toBe('check-progress');
  });

  it('finds pieces already on disk, counts their bytes, and reports check progress at most once per percent', async () => {
    // 250 pieces: progress per piece would be 0.4 % steps.
    const t = await makeTorrent([{ path: ['big.bin'], length: 250 * PIECE }], { name: 'big.bin', pieceLength: PIECE });
    const { d, alerts } = deps(t.metainfo, seededStorage(t));
    const result = await openMetainfo(d, t.metainfo);
    if (!result || result instanceof SluiceError) throw new Error(`not opened: ${String(result)}`);
    expect(result.have.hasAll()).toBe(true);
    expect(result.verifiedBytes).toBe(250 * PIECE);
    expect(result.picker.isComplete()).toBe(true);
    const percents = alerts.map((a) => (a.type === 'check-progress' ? Math.floor((a.checkedBytes * 100) / a.totalBytes) : -1));
    expect(percents.length).toBeGreaterThan(0);
    expect(new Set(percents).size).toBe(percents.length);
    expect(percents.at(-1)).toBe(100);
  });

  it('returns the error of filePrioritiesFor without opening the store', async () => {
    const t = await twoFiles();
    const storage = recordingStorage();
    const { d } = deps(t.metainfo, storage, {
      filePrioritiesFor: () => {
        throw new SluiceError('cli/bad-select', 'no file matches');
      },
    });
    const result = await openMetainfo(d, t.metainfo);
    expect(result).toMatchObject({ code: 'cli/bad-select' });
    expect(storage.stores).toEqual([]);
  });

  it('returns the error of a store that cannot open, and null when the torrent was removed while checking', async () => {
    const t = await twoFiles();
    const broken: StorageFactory = { open: () => Promise.reject(new SluiceError('storage/disk-full', 'no space')) };
    expect(await openMetainfo(deps(t.metainfo, broken).d, t.metainfo)).toMatchObject({ code: 'storage/disk-full' });

    const h = deps(t.metainfo, seededStorage(t));
    h.d.opened = () => h.cancel();
    expect(await openMetainfo(h.d, t.metainfo)).toBeNull();
  });
});
