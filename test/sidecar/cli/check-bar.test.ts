import { describe, expect, it } from 'vitest';
import { withCheckBar } from '../../../sidecar/src/cli/check-bar.js';
import { SimNet, makeTorrent, seededStorage } from '../../helpers/engine.js';

describe('the Checking bar while a torrent with data on disk is added', () => {
  it('draws on a terminal up to 100% and clears its line at the end', async () => {
    const t = await makeTorrent([{ path: ['c.bin'], length: 64 * 16384 }], { name: 'c.bin', pieceLength: 16384 });
    const session = new SimNet().session('seeder', { storage: seededStorage(t) });
    const writes: string[] = [];
    const tty = { isTTY: true, columns: 100, write: (chunk: string) => writes.push(chunk) > 0 };
    const torrent = await withCheckBar(session, tty, () => session.addTorrent({ metainfo: t.metainfo }));
    expect(torrent.status().state).toBe('seeding');
    expect(writes.length).toBeGreaterThanOrEqual(2);
    expect(writes[0]).toMatch(/^\rChecking \[[#-]+\]/);
    expect(writes.at(-2)).toMatch(/^\rChecking \[#+\] 100\.0%/);
    expect(writes.at(-1)).toBe('\r\x1b[K');
  });

  it('draws nothing when stderr is not a terminal', async () => {
    const t = await makeTorrent([{ path: ['d.bin'], length: 8 * 16384 }], { name: 'd.bin', pieceLength: 16384 });
    const session = new SimNet().session('seeder', { storage: seededStorage(t) });
    const writes: string[] = [];
    await withCheckBar(session, { write: (chunk: string) => writes.push(chunk) > 0 }, () => session.addTorrent({ metainfo: t.metainfo }));
    expect(writes).toEqual([]);
  });
});
