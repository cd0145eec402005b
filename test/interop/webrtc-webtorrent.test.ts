import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sluiceLong } from '../helpers/cli.js';
import { startWebTorrent, stopAllWebTorrent, type WebTorrentLine, type WebTorrentPeer } from '../helpers/webtorrent.js';
import { startSluiceTracker, startWsTracker, stopAllWsTrackers, type WsTracker } from '../helpers/ws-tracker.js';
import { ALBUM, cleanTemps, hashTree, jsonLines, killChildren, tempDir, track, writeFolder } from './fixture.js';
import { describe as explain, type SluiceDownload } from './sluice-run.js';

// Peers first (their WebSockets hold the tracker open), then the tracker.
afterEach(async () => {
  await stopAllWebTorrent();
  await killChildren();
  await stopAllWsTrackers();
  cleanTemps();
});

/** Sluice in the WebRTC swarm alone, on loopback: no TCP, no DHT, no STUN, ICE bound to 127.0.0.1. */
const WEBRTC_ONLY = ['--no-tcp', '--no-stun', '--webrtc-host', '127.0.0.1'];

/**
 * Generous: webtorrent answers with non-trickle ICE, which waits out a 5 s gathering timeout on
 * each side of every connection here. The watchdogs only turn a hang into a failure with a transcript.
 */
const GIVE_UP_MS = 60_000;
const TEST_TIMEOUT_MS = 120_000;

const ALBUM_BYTES = Object.values(ALBUM).reduce((a, b) => a + b, 0);

type Ready = Extract<WebTorrentLine, { type: 'ready' }>;
const isReady = (l: WebTorrentLine): l is Ready => l.type === 'ready';

/** `sluice download <target> --json` reaching peers only over WebRTC, to the end. */
async function sluiceWebrtcDownload(target: string, out: string): Promise<SluiceDownload> {
  const run = sluiceLong(['download', target, '--out', out, '--state', tempDir('state'), '--no-dht', '--json', ...WEBRTC_ONLY]);
  track(run.child);
  run.firstLine.catch(() => undefined); // judged by its exit code and lines below
  // A stalled download is interrupted (it then exits without a 'done' line) so the failure shows what it printed.
  const watchdog = setTimeout(() => run.child.kill('SIGINT'), GIVE_UP_MS);
  const code = await run.exited;
  clearTimeout(watchdog);
  return { code, lines: jsonLines(run.stdout()), stderr: run.stderr() };
}

/** Every connection webtorrent made was a WebRTC data channel, and it never tried or took TCP. */
function expectWebrtcOnly(wt: WebTorrentPeer): void {
  const wires = wt.lines.filter((l) => l.type === 'wire');
  expect(wires.length, wt.transcript()).toBeGreaterThan(0);
  expect(wires.map((w) => w.connection)).toEqual(wires.map(() => 'webrtc'));
  expect(wt.lines.filter((l) => l.type === 'tcp-refused')).toEqual([]);
}

interface SluiceWebrtcSeeder {
  readonly magnet: string;
  readonly infoHash: string;
  /** Resolves with the first status line that matches (they come once a second); fails after GIVE_UP_MS. */
  waitForStatus(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** SIGINT, then its exit code and every JSON line it printed. */
  stop(): Promise<SluiceDownload>;
}

/** `sluice seed <target> --json` in the WebRTC swarm alone, announcing to `trackerUrl`; resolves on its first line. */
async function sluiceWebrtcSeed(target: string, trackerUrl: string): Promise<SluiceWebrtcSeeder> {
  const run = sluiceLong(['seed', target, '--state', tempDir('state'), '--no-dht', '--json', ...WEBRTC_ONLY, '--tracker', trackerUrl]);
  track(run.child);
  const first = JSON.parse(await run.firstLine) as { magnet: string; infoHash: string };
  return {
    ...first,
    waitForStatus: async (match) => {
      for (let waited = 0; waited < GIVE_UP_MS; waited += 100) {
        const line = jsonLines(run.stdout()).find(match);
        if (line) return line;
        if (run.child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`sluice seed printed no such status line\nstdout: ${run.stdout().slice(-2000)}\nstderr: ${run.stderr()}`);
    },
    stop: async () => {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGINT');
      const code = await run.exited;
      return { code, lines: jsonLines(run.stdout()), stderr: run.stderr() };
    },
  };
}

/** The tracker where the peers meet: the one webtorrent users run, and Sluice's own. */
const TRACKERS: readonly [string, () => Promise<WsTracker>][] = [
  ["bittorrent-tracker's server", startWsTracker],
  ['`sluice tracker`', startSluiceTracker],
];

/** A tracker that reports its relays (Sluice's) carried the connection: it is the one the peers used. */
async function expectRelayed(tracker: WsTracker): Promise<void> {
  const relayed = await tracker.relayed();
  if (relayed === null) return;
  expect(relayed.offers).toBeGreaterThanOrEqual(1);
  expect(relayed.answers).toBeGreaterThanOrEqual(1);
}

describe.each(TRACKERS)('sluice ↔ webtorrent 3 over WebRTC, meeting at %s (127.0.0.1)', (_name, startTracker) => {
  it('sluice downloads a folder from a webtorrent seeder by its magnet (tr=ws://…), metadata and pieces over data channels', async () => {
    const tracker = await startTracker();
    const album = writeFolder(tempDir('src'), 'album');
    const wt = await startWebTorrent({ seed: album, wsTracker: tracker.url });
    const ready = await wt.waitFor(isReady, GIVE_UP_MS);
    expect(ready.magnet).toContain(`tr=${encodeURIComponent(tracker.url)}`);

    const out = tempDir('out');
    const d = await sluiceWebrtcDownload(ready.magnet, out);
    expect(d.code, explain(d)).toBe(0);
    expect(d.lines.at(-1), explain(d)).toMatchObject({ infoHash: ready.infoHash, name: 'album', state: 'done', progress: 1 });
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
    expectWebrtcOnly(wt);
    await expectRelayed(tracker);
  }, TEST_TIMEOUT_MS);

  it('webtorrent downloads a folder from `sluice seed --no-tcp` by its magnet (sluice answers its offers and serves the metadata)', async () => {
    const tracker = await startTracker();
    const album = writeFolder(tempDir('src'), 'album');
    const seed = await sluiceWebrtcSeed(album, tracker.url);
    expect(seed.magnet).toContain(`tr=${encodeURIComponent(tracker.url)}`);

    const out = tempDir('out');
    const wt = await startWebTorrent({ magnet: seed.magnet, out, wsTracker: tracker.url });
    expect(await wt.waitFor(isReady, GIVE_UP_MS)).toMatchObject({ infoHash: seed.infoHash, name: 'album' });
    await wt.waitFor((l) => l.type === 'done', GIVE_UP_MS);
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
    expectWebrtcOnly(wt);
    await expectRelayed(tracker);

    // Every byte webtorrent got came from sluice, its only peer; sluice's counter shows it a second later at most.
    const served = await seed.waitForStatus((l) => typeof l.uploaded === 'number' && l.uploaded >= ALBUM_BYTES);
    expect(served).toMatchObject({ infoHash: seed.infoHash, state: 'seeding', progress: 1 });
    const seeded = await seed.stop();
    expect(seeded.code, explain(seeded)).toBe(0);
  }, TEST_TIMEOUT_MS);
});
