import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sluiceLong } from '../helpers/cli.js';
import { engineFileHashes, sha256File, useChromiumApp, type ChromiumApp } from '../helpers/sluice-app.js';
import { startWsTracker } from '../helpers/ws-tracker.js';
// @ts-expect-error: a plain .mjs script shared with the fixture generator
import { FOLDER, writeContent } from '../fixtures/torrents/make.mjs';
import { tempDir, track } from '../interop/fixture.js';

/**
 * BitTorrent v2 (BEP 52) in the app, in Chromium: a v2-only and a hybrid torrent made by libtorrent,
 * seeded by `sluice seed` over WebRTC, downloaded by the app and verified there with WebCrypto's
 * SHA-256 (a v2 torrent's pieces are Merkle trees of 16 KiB blocks). No other browser client transfers
 * v2 torrents. Their .torrent files name an HTTP tracker only, so the app adds its own trackers for them.
 */

const TEST_TIMEOUT_MS = 180_000;
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'torrents');
const HASHES = JSON.parse(readFileSync(join(FIXTURES, 'hashes.json'), 'utf8')) as Record<string, { v1: string | null; v2: string | null }>;

let app: ChromiumApp;
useChromiumApp((a) => (app = a));

async function seedsToTheApp(fixture: string): Promise<void> {
  const tracker = await startWsTracker();
  const root = tempDir('app-v2-data');
  (writeContent as (root: string) => void)(root);
  const torrentPath = join(FIXTURES, fixture);
  const seeder = sluiceLong(['seed', torrentPath, '--data', root, '--tracker', tracker.url, '--no-tcp', '--no-stun', '--webrtc-host', '127.0.0.1', '--json', '--state', tempDir('app-v2-state')]);
  track(seeder.child);
  await seeder.firstLine;

  const page = await app.open(await app.newContext(tracker.url), '/');
  await page.getByLabel('Open torrent file').setInputFiles(torrentPath);
  // The torrent's element carries the v1 hash, or for a v2-only torrent the v2 hash truncated to 20 bytes (as `sluice info` prints it).
  const { v1, v2 } = HASHES[fixture]!;
  const infoHash = v1 ?? v2!.slice(0, 40);
  await app.waitForState(page, infoHash, 'seeding');
  const expected: Record<string, string> = {};
  for (const f of FOLDER as { path: string[] }[]) expected[f.path.join('/')] = sha256File(join(root, 'album', ...f.path));
  expect(await engineFileHashes(page, infoHash)).toEqual(expected);
  expect(app.pageErrors).toEqual([]);
}

describe('BitTorrent v2 in the app (Chromium)', () => {
  it('downloads a v2-only torrent from `sluice seed` over WebRTC, every file byte-identical', async () => {
    await seedsToTheApp('libtorrent-v2.torrent');
  }, TEST_TIMEOUT_MS);

  it('downloads a hybrid (v1 + v2) torrent from `sluice seed` over WebRTC, every file byte-identical', async () => {
    await seedsToTheApp('libtorrent-hybrid.torrent');
  }, TEST_TIMEOUT_MS);
});
