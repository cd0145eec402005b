import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/api/types.js';
import { WebSeedError } from '../../../src/core/webseed/index.js';
import { WebSeedHealth } from '../../../src/core/engine/web-seed-health.js';
import { makeTorrent, recordingStorage, SimNet } from '../../helpers/engine.js';
import { FakeHttp } from '../webseed/fake-http.js';

const URL = 'http://seed.test/film.bin';

describe('web seed health', () => {
  it('a torrent whose only source is a web seed says when it fails and when it delivers, and shows it in webSeeds()', async () => {
    const t = await makeTorrent([{ path: ['film.bin'], length: 200_000 }], { name: 'film.bin', pieceLength: 16384, urlList: [URL] });
    const http = new FakeHttp();
    http.files.set(URL, t.files[0]!);
    // Unreachable at first, as a browser's fetch of a server without CORS is.
    let down = true;
    http.script = () => (down ? new TypeError('Failed to fetch') : undefined);
    const net = new SimNet();
    const session = net.session('leecher', { storage: recordingStorage(), http: http.fetch });
    const alerts: Alert[] = [];
    session.on((a) => alerts.push(a));
    const torrent = await session.addTorrent({ torrent: t.bytes });

    await net.run(() => alerts.some((a) => a.type === 'web-seed-error'));
    const failed = alerts.find((a) => a.type === 'web-seed-error');
    expect(failed).toMatchObject({ type: 'web-seed-error', infoHash: torrent.infoHashHex, url: URL });
    expect(failed?.type === 'web-seed-error' && failed.message).toMatch(/^web seed unreachable: Failed to fetch/);
    const [shown] = torrent.webSeeds();
    expect(shown).toMatchObject({ url: URL, state: 'error', downloaded: 0 });
    expect(shown!.message).toMatch(/Failed to fetch/);
    expect(shown!.nextRetryAt).toBeGreaterThan(net.now);

    // The server comes back: the retry after the back-off delivers, and says so once.
    down = false;
    await net.run(() => torrent.status().state === 'seeding');
    expect(alerts.filter((a) => a.type === 'web-seed-working')).toEqual([{ type: 'web-seed-working', infoHash: torrent.infoHashHex, url: URL }]);
    expect(torrent.webSeeds()).toEqual([{ url: URL, state: 'working', message: null, downloaded: 200_000, nextRetryAt: null }]);
  });

  it('our own aborts and the slot rules are not the server\'s failures', () => {
    const alerts: Alert[] = [];
    const health = new WebSeedHealth('ab', (a) => alerts.push(a));
    health.failed(URL, new WebSeedError('webseed/aborted', 'aborted'));
    health.failed(URL, new WebSeedError('webseed/backing-off', 'backing off'));
    expect(alerts).toEqual([]);
    health.failed(URL, new WebSeedError('webseed/http-status', 'web seed answered 404'));
    health.succeeded(URL);
    health.succeeded(URL);
    expect(alerts.map((a) => a.type)).toEqual(['web-seed-error', 'web-seed-working']);
  });
});
