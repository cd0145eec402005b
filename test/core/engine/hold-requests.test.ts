import { describe, expect, it } from 'vitest';
import { makeTorrent, recordingStorage, seededStorage, SimNet } from '../../helpers/engine.js';

/**
 * Session.holdRequests: a page that is going away (beforeunload) asks for nothing new, so what it
 * already asked for arrives before its connections close; if it stays, requests start again.
 */
describe('Session.holdRequests', () => {
  it('requests nothing new while held, receives everything already requested, and goes on afterwards', async () => {
    const t = await makeTorrent([{ path: ['big.bin'], length: 4_000_000 }], { pieceLength: 32768 });
    const net = new SimNet();
    // A seeder sending 400 kB/s: the download takes 10 s of the simulated clock.
    const seeder = net.session('seeder', { storage: seededStorage(t), settings: { uploadRateLimit: 400_000 } });
    const leecher = net.session('leecher', { storage: recordingStorage() });
    const seeding = await seeder.addTorrent({ torrent: t.bytes });
    const downloading = await leecher.addTorrent({ torrent: t.bytes }, { peers: ['seeder:1'] });
    await net.run(() => downloading.status().downloaded >= 500_000);

    const heldAt = net.now;
    leecher.holdRequests(3000);
    // What was requested before still arrives (about 1 s of it here, at 400 kB/s) ...
    await net.run(() => net.now >= heldAt + 2000);
    const drained = downloading.status().downloaded;
    expect(drained).toBeGreaterThan(500_000);
    // ... and nothing the seeder sent is still on its way: every block it was asked for arrived,
    await net.run(() => net.now >= heldAt + 2980);
    expect(seeding.status().uploaded).toBe(drained);
    // and nothing new was asked for while held (it would arrive at 400 kB/s).
    expect(downloading.status().downloaded).toBe(drained);
    expect(downloading.status().state).toBe('downloading');

    await net.run(() => downloading.status().state === 'seeding');
    expect(downloading.status().verifiedBytes).toBe(t.metainfo.length);
    expect(net.now).toBeGreaterThanOrEqual(heldAt + 3000);
  });
});
