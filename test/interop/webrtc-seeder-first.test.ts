import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTrackerServer, type RunningTrackerServer } from '../../sidecar/src/tracker-server/server.js';
import { startWebTorrent, stopAllWebTorrent, type WebTorrentLine, type WebTorrentPeer } from '../helpers/webtorrent.js';
import { startWsTracker, stopAllWsTrackers } from '../helpers/ws-tracker.js';
import { cleanTemps, hashTree, killChildren, tempDir, writeFolder } from './fixture.js';
import { describe as explain, sluiceDownload, type SluiceDownload } from './sluice-run.js';

// A Node webtorrent seeder that announced before `sluice download` (WebRTC only) joins: the viewer who
// follows a link. Peers first (their WebSockets hold a tracker open), then the trackers.
afterEach(async () => {
  await stopAllWebTorrent();
  await killChildren();
  await stopAllWsTrackers();
  cleanTemps();
});

const GIVE_UP_MS = 90_000;
const TEST_TIMEOUT_MS = 180_000;
const WEBRTC_ONLY = ['--no-tcp', '--no-stun', '--webrtc-host', '127.0.0.1'];
const FILES = { 'part-0.bin': 300_000, 'part-1.bin': 70_001 };

type Ready = Extract<WebTorrentLine, { type: 'ready' }>;

async function seeder(trackerUrl: string): Promise<{ folder: string; wt: WebTorrentPeer; ready: Ready }> {
  const folder = writeFolder(tempDir('src'), 'first', FILES);
  const wt = await startWebTorrent({ seed: folder, wsTracker: trackerUrl });
  const ready = (await wt.waitFor((l) => l.type === 'ready', GIVE_UP_MS)) as Ready;
  return { folder, wt, ready };
}

/** The joiner's first tracker reply → its first peer, from its event log (printed for the record, never asserted). */
function announceToWireMs(d: SluiceDownload): number | null {
  const at = (kind: string) => {
    const line = (d.events ?? '').split('\n').find((l) => l.includes(` ${kind} `));
    return line ? Date.parse(line.slice(0, line.indexOf(' '))) : null;
  };
  const reply = at('tracker-reply');
  const wire = at('peer-connected');
  return reply === null || wire === null ? null : wire - reply;
}

async function downloadAfter(seed: { folder: string; wt: WebTorrentPeer; ready: Ready }, extra: readonly string[] = []): Promise<SluiceDownload> {
  const out = tempDir('out');
  const d = await sluiceDownload(seed.ready.magnet, out, [], GIVE_UP_MS, [...WEBRTC_ONLY, ...extra]);
  expect(d.code, `${explain(d)}\nseeder: ${seed.wt.transcript()}`).toBe(0);
  expect(d.lines.at(-1), explain(d)).toMatchObject({ infoHash: seed.ready.infoHash, state: 'done', progress: 1 });
  expect(hashTree(join(out, 'first'))).toEqual(hashTree(seed.folder));
  const wires = seed.wt.lines.filter((l) => l.type === 'wire');
  expect(wires.map((w) => w.connection)).toEqual(['webrtc']);
  return d;
}

async function offersKept(server: RunningTrackerServer): Promise<void> {
  for (let waited = 0; server.stats().offersKept === 0; waited += 50) {
    if (waited > GIVE_UP_MS) throw new Error('the seeder never announced offers');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('`sluice download` joins after a webtorrent seeder announced', () => {
  it("at Sluice's tracker: it answers one of the seeder's kept offers (its own offers never reach the seeder)", async () => {
    const server = await startTrackerServer({ port: 0 });
    try {
      const seed = await seeder(server.urls.ws);
      await offersKept(server);
      const d = await downloadAfter(seed);
      // One offer reached anyone: the seeder's, kept and handed to Sluice; the one answer relayed is Sluice's.
      expect(server.stats()).toMatchObject({ offersHandedLate: 1, offersRelayed: 1, answersRelayed: 1 });
      console.log(`kept offer: announce → wire ${announceToWireMs(d)} ms`);
    } finally {
      await stopAllWebTorrent();
      await server.close();
    }
  }, TEST_TIMEOUT_MS);

  it("at Sluice's tracker keeping no offers (as before): the seeder answers Sluice's offer", async () => {
    const server = await startTrackerServer({ port: 0, waitingOfferTtlMs: 0 });
    try {
      const seed = await seeder(server.urls.ws);
      await new Promise((resolve) => setTimeout(resolve, 1000)); // no offersAnnounced here: its announce came and went
      const d = await downloadAfter(seed);
      const stats = server.stats();
      expect(stats).toMatchObject({ offersKept: 0, offersHandedLate: 0 });
      // The seeder's offers reached nobody, so every answer relayed is the seeder's, to Sluice's offers.
      expect(stats.answersRelayed).toBeGreaterThanOrEqual(1);
      console.log(`no kept offer: announce → wire ${announceToWireMs(d)} ms`);
    } finally {
      await stopAllWebTorrent();
      await server.close();
    }
  }, TEST_TIMEOUT_MS);

  it("at bittorrent-tracker's server (which keeps no offers), with --tracker as well as the magnet's tr", async () => {
    const tracker = await startWsTracker();
    const seed = await seeder(tracker.url);
    await tracker.offersAnnounced(seed.ready.infoHash, GIVE_UP_MS);
    const d = await downloadAfter(seed, ['--tracker', tracker.url]);
    console.log(`bittorrent-tracker: announce → wire ${announceToWireMs(d)} ms`);
  }, TEST_TIMEOUT_MS);
});
