import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startTrackerServer, type RunningTrackerServer } from '../../../sidecar/src/tracker-server/index.js';
import { sluice } from '../../helpers/cli.js';
import { content } from '../../helpers/engine.js';
import { startLibtorrent, stopAllLibtorrent } from '../../helpers/libtorrent.js';
import { startWebTorrent, stopAllWebTorrent } from '../../helpers/webtorrent.js';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe("libtorrent and webtorrent find each other through Sluice's tracker", () => {
  const root = mkdtempSync(join(tmpdir(), 'sluice-classic-swarm-'));
  const album = join(root, 'seed', 'album');
  mkdirSync(album, { recursive: true });
  writeFileSync(join(album, 'a.bin'), content(5, 700_000));
  writeFileSync(join(album, 'b.bin'), content(6, 123_456));
  let tracker: RunningTrackerServer | null = null;

  afterEach(async () => {
    await stopAllWebTorrent();
    await stopAllLibtorrent();
  });
  afterAll(async () => {
    await tracker?.close();
  });

  for (const protocol of ['http', 'udp'] as const) {
    it(`over ${protocol.toUpperCase()}: a libtorrent seeder and a webtorrent leecher that only know the tracker`, async () => {
      tracker ??= await startTrackerServer({ port: 0, host: '127.0.0.1' });
      const url = protocol === 'http' ? tracker.urls.http : tracker.urls.udp!;
      const torrent = join(root, `album-${protocol}.torrent`);
      const made = sluice(['create', album, '-o', torrent, '--announce', url, '--piece-length', '32K', '--json']);
      expect(made.status, made.stderr).toBe(0);
      const { infoHash } = JSON.parse(made.stdout) as { infoHash: string };

      const seeder = await startLibtorrent({ torrent, savePath: join(root, 'seed'), seedMode: true, plaintext: true });
      await seeder.waitFor((l) => l.type === 'status' && l.seeding);
      const out = join(root, `out-${protocol}`);
      const leecher = await startWebTorrent({ torrent, out, classicTrackers: true });
      await leecher.waitFor((l) => l.type === 'done', 90_000).catch((err: unknown) => {
        throw new Error(`${String(err)}\n${leecher.transcript()}\n${seeder.transcript()}`);
      });
      for (const name of ['a.bin', 'b.bin']) expect(sha256(join(out, 'album', name))).toBe(sha256(join(album, name)));
      // Both announced to Sluice's tracker, and it introduced them: the leecher had no other way to find the seeder.
      expect(tracker.stats().announces[protocol]).toBeGreaterThanOrEqual(2);
      expect(infoHash).toMatch(/^[0-9a-f]{40}$/);
    });
  }
});
