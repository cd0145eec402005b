import { describe, expect, it } from 'vitest';
import { engineFileHashes, makeFolder, useChromiumApp, type ChromiumApp } from '../helpers/sluice-app.js';
import { startWebTorrent, type WebTorrentLine } from '../helpers/webtorrent.js';
import { startWsTracker, type WsTracker } from '../helpers/ws-tracker.js';
import { tempDir } from '../interop/fixture.js';

/**
 * A Node webtorrent seeder that announced (its offers made and relayed) before Sluice joins, as a
 * viewer following a link finds it: bittorrent-tracker hands an offer only to the peers present when
 * it arrives, so Sluice is reached by answering nothing; its own offers go to the seeder, which answers
 * after its ICE gathering stall (docs/streaming.md). Once reported as never connecting in 120 s.
 */

const GIVE_UP_MS = 90_000;
const TEST_TIMEOUT_MS = 240_000;

let app: ChromiumApp;
useChromiumApp((a) => (app = a));

type Ready = Extract<WebTorrentLine, { type: 'ready' }>;

/** A webtorrent seeder of `sizes` random files, once its announce with offers has reached `tracker`. */
async function announcedSeeder(tracker: WsTracker, sizes: readonly number[]) {
  const folder = makeFolder(tempDir('first'), 'first', sizes);
  const seeder = await startWebTorrent({ seed: folder.path, wsTracker: tracker.url });
  const ready = (await seeder.waitFor((l) => l.type === 'ready', GIVE_UP_MS)) as Ready;
  await tracker.offersAnnounced(ready.infoHash, GIVE_UP_MS);
  return { folder, seeder, ready };
}

describe('a Node webtorrent seeder that announced before Sluice joined', () => {
  it('the app opened at /#<magnet> connects to it and downloads the exact bytes', async () => {
    const tracker = await startWsTracker();
    const { folder, seeder, ready } = await announcedSeeder(tracker, [300_000, 70_001]);
    const page = await app.open(await app.newContext(tracker.url), `/#${ready.magnet}`);
    try {
      await app.waitForState(page, ready.infoHash, 'seeding');
    } catch (err) {
      throw new Error(`${String(err)}\nseeder: ${seeder.transcript()}`);
    }
    expect(await engineFileHashes(page, ready.infoHash)).toEqual(folder.hashes);
    expect(seeder.lines.filter((l) => l.type === 'wire').map((l) => (l as { connection: string | null }).connection)).toContain('webrtc');
  }, TEST_TIMEOUT_MS);
});
