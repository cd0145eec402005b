import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/api/types.js';
import { memoryStorage } from '../../../src/core/storage/memory-store.js';
import { SimNet, makeTorrent, seededStorage } from '../../helpers/engine.js';

type CheckProgress = Extract<Alert, { type: 'check-progress' }>;

describe('checking data already on disk', () => {
  it('finds every piece of a complete copy and reports its progress in bytes, at most once per percent, ending at the total', async () => {
    // 300 pieces of 16 KiB (the last one short): more pieces than percents, so the reports are thinned.
    const t = await makeTorrent([{ path: ['a.bin'], length: 300 * 16384 - 1000 }], { name: 'a.bin', pieceLength: 16384 });
    const net = new SimNet();
    const session = net.session('seeder', { storage: seededStorage(t) });
    const alerts: Alert[] = [];
    session.on((a) => alerts.push(a));
    const torrent = await session.addTorrent({ metainfo: t.metainfo });
    expect(torrent.status()).toMatchObject({ state: 'seeding', progress: 1, verifiedBytes: t.metainfo.length });

    const progress = alerts.filter((a): a is CheckProgress => a.type === 'check-progress');
    expect(progress.length).toBe(101);
    expect(progress.at(-1)).toMatchObject({ checkedBytes: t.metainfo.length, totalBytes: t.metainfo.length });
    const percents = progress.map((a) => Math.floor((a.checkedBytes * 100) / a.totalBytes));
    expect(percents).toEqual(Array.from({ length: 101 }, (_, i) => i));
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.checkedBytes).toBeGreaterThan(progress[i - 1]!.checkedBytes);
    // The check ends before the torrent says it is checked.
    expect(alerts.findIndex((a) => a.type === 'torrent-checked')).toBeGreaterThan(alerts.lastIndexOf(progress.at(-1)!));
  });

  it('reports nothing when nothing is on disk to hash', async () => {
    const t = await makeTorrent([{ path: ['b.bin'], length: 100_000 }], { name: 'b.bin', pieceLength: 16384 });
    const net = new SimNet();
    const session = net.session('leecher', { storage: memoryStorage });
    const alerts: Alert[] = [];
    session.on((a) => alerts.push(a));
    await session.addTorrent({ metainfo: t.metainfo });
    expect(alerts.filter((a) => a.type === 'check-progress')).toEqual([]);
    expect(alerts.find((a) => a.type === 'torrent-checked')).toMatchObject({ havePieces: 0 });
  });
});
