import { describe, expect, it } from 'vitest';
import { SHOWN_RATE_IDLE_MS } from '../../../src/core/rate/rate-meter.js';
import { makeTorrent, recordingStorage, seededStorage, SimNet } from '../../helpers/engine.js';

describe("a torrent's shown rates", () => {
  it('fall to 0 on both sides once the download is done and no byte moves, not a 5 s window later', async () => {
    const t = await makeTorrent([{ path: ['a.bin'], length: 2_000_000 }], { pieceLength: 16384 });
    const net = new SimNet();
    const seeder = net.session('seeder', { storage: seededStorage(t) });
    const leecher = net.session('leecher', { storage: recordingStorage() });
    const seeding = await seeder.addTorrent({ torrent: t.bytes });
    const downloading = await leecher.addTorrent({ torrent: t.bytes }, { peers: ['seeder:1'] });
    await net.run(() => downloading.status().state === 'seeding');
    // Right at the end both read the transfer (this is the moment the header used to keep for 5 s).
    expect(downloading.status().downloadRate).toBeGreaterThan(0);
    expect(seeding.status().uploadRate).toBeGreaterThan(0);
    const done = net.now;
    await net.run(() => net.now >= done + SHOWN_RATE_IDLE_MS, { stepMs: 50 });
    expect(downloading.status()).toMatchObject({ downloadRate: 0, uploadRate: 0, eta: 0, downloaded: 2_000_000 });
    expect(seeding.status()).toMatchObject({ downloadRate: 0, uploadRate: 0 });
    expect(seeding.status().uploaded).toBeGreaterThanOrEqual(2_000_000);
  });
});
