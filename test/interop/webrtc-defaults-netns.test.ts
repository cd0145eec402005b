import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sluiceLong } from '../helpers/cli.js';
import { libtorrentCreate, startLibtorrent, stopAllLibtorrent } from '../helpers/libtorrent.js';
import { createNetns, type Netns, type NetnsLan } from '../helpers/netns.js';
import { requireTool } from '../helpers/tools.js';
import { startWebTorrent, stopAllWebTorrent, type WebTorrentLine, type WebTorrentPeer } from '../helpers/webtorrent.js';
import { startSluiceTracker, stopAllWsTrackers } from '../helpers/ws-tracker.js';
import { ALBUM, cleanTemps, hashTree, jsonLines, killChildren, tempDir, track, writeFolder } from './fixture.js';
import { describe as explain, type SluiceDownload } from './sluice-run.js';

/**
 * Sluice with its DEFAULT WebRTC settings (the public STUN servers configured, no --webrtc-host, no
 * --no-stun) on machines with no way to the internet: every process runs in a network namespace of one
 * of the kinds below. The STUN servers cannot be reached, yet Sluice must connect to webtorrent over
 * WebRTC both ways and bridge the TCP and WebRTC swarms. webtorrent in Node is configured as
 * interop-notes.md says (no STUN, ICE bound to 127.0.0.1), so the peers' candidates differ in kind.
 */
const MACHINES: readonly [string, NetnsLan | undefined][] = [
  // No route at all: STUN and DNS fail at once; unbound, libjuice gathers no candidate from `lo`.
  ['only lo', undefined],
  // A LAN address and a default route to a gateway that never answers: DNS and STUN are silently lost,
  // so ICE gathering would not complete for 6-25 s (measured); the host candidate must go out anyway.
  ['an offline LAN (10.99.0.1/24, default route to a dead gateway)', { address: '10.99.0.1/24', gateway: '10.99.0.2' }],
  // Two machines on a cable with self-assigned addresses: libjuice gathers nothing from 169.254/16 either.
  ['only a self-assigned 169.254.5.5/16 and lo', { address: '169.254.5.5/16' }],
];

/** The namespace of the machine being tested (one per describe block). */
let ns: Netns;

// Peers first (their WebSockets hold the tracker open), then the tracker.
afterEach(async () => {
  await stopAllWebTorrent();
  await stopAllLibtorrent();
  await killChildren();
  await stopAllWsTrackers();
  cleanTemps();
});

/** Generous: webtorrent's non-trickle ICE waits out a 5 s gathering timeout per side here; the watchdogs only turn a hang into a failure. */
const GIVE_UP_MS = 60_000;
const TEST_TIMEOUT_MS = 150_000;
const ALBUM_BYTES = Object.values(ALBUM).reduce((a, b) => a + b, 0);

type Status = Record<string, unknown>;
type Ready = Extract<WebTorrentLine, { type: 'ready' }>;
const isReady = (l: WebTorrentLine): l is Ready => l.type === 'ready';

/** A long-running `sluice` in the namespace, with no WebRTC option at all. */
function startSluice(args: readonly string[]) {
  const run = sluiceLong([...args, '--state', tempDir('state'), '--json'], { prefix: ns.prefix });
  track(run.child);
  run.firstLine.catch(() => undefined); // judged by its lines and exit code
  const transcript = () => `stdout: ${run.stdout().slice(-3000)}\nstderr: ${run.stderr()}`;
  return {
    run,
    waitForLine: async (match: (line: Status) => boolean): Promise<Status> => {
      for (let waited = 0; waited < GIVE_UP_MS; waited += 100) {
        const line = jsonLines(run.stdout()).find(match);
        if (line) return line;
        if (run.child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`sluice printed no such line (exit ${run.child.exitCode})\n${transcript()}`);
    },
    stop: async (): Promise<SluiceDownload> => {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGINT');
      const code = await run.exited;
      return { code, lines: jsonLines(run.stdout()), stderr: run.stderr() };
    },
  };
}

function webtorrent(options: Parameters<typeof startWebTorrent>[0]): Promise<WebTorrentPeer> {
  return startWebTorrent({ ...options, prefix: ns.prefix });
}

function expectWebrtcOnly(wt: WebTorrentPeer): void {
  const wires = wt.lines.filter((l) => l.type === 'wire');
  expect(wires.length, wt.transcript()).toBeGreaterThan(0);
  expect(wires.map((w) => w.connection)).toEqual(wires.map(() => 'webrtc'));
  expect(wt.lines.filter((l) => l.type === 'tcp-refused')).toEqual([]);
}

describe.each(MACHINES)('sluice with default WebRTC settings, on a machine with %s', (_kind, lan) => {
  beforeAll(() => {
    ns = createNetns(lan ? { lan } : {});
  });
  afterAll(() => ns.remove());

  it('downloads from a webtorrent seeder over WebRTC: `sluice download MAGNET --tracker ws://127.0.0.1:P`', async () => {
    const tracker = await startSluiceTracker({ prefix: ns.prefix });
    const album = writeFolder(tempDir('src'), 'album');
    const wt = await webtorrent({ seed: album, wsTracker: tracker.url });
    const ready = await wt.waitFor(isReady, GIVE_UP_MS);

    const out = tempDir('out');
    const download = startSluice(['download', ready.magnet, '--out', out, '--tracker', tracker.url]);
    // A stalled download is interrupted (it then exits without a 'done' line) so the failure shows what it printed.
    const watchdog = setTimeout(() => download.run.child.kill('SIGINT'), GIVE_UP_MS);
    const code = await download.run.exited;
    clearTimeout(watchdog);
    const d: SluiceDownload = { code, lines: jsonLines(download.run.stdout()), stderr: download.run.stderr() };
    expect(d.code, explain(d)).toBe(0);
    expect(d.lines.at(-1), explain(d)).toMatchObject({ infoHash: ready.infoHash, name: 'album', state: 'done', progress: 1 });
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
    expectWebrtcOnly(wt);
  }, TEST_TIMEOUT_MS);

  it('seeds to a webtorrent downloader over WebRTC: `sluice seed DIR --tracker ws://127.0.0.1:P`', async () => {
    const tracker = await startSluiceTracker({ prefix: ns.prefix });
    const album = writeFolder(tempDir('src'), 'album');
    const seed = startSluice(['seed', album, '--tracker', tracker.url]);
    const first = JSON.parse(await seed.run.firstLine) as { magnet: string; infoHash: string };

    const out = tempDir('out');
    const wt = await webtorrent({ magnet: first.magnet, out, wsTracker: tracker.url });
    expect(await wt.waitFor(isReady, GIVE_UP_MS)).toMatchObject({ infoHash: first.infoHash, name: 'album' });
    await wt.waitFor((l) => l.type === 'done', GIVE_UP_MS);
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
    expectWebrtcOnly(wt);
    const served = await seed.waitForLine((l) => typeof l.uploaded === 'number' && l.uploaded >= ALBUM_BYTES);
    expect(served).toMatchObject({ infoHash: first.infoHash, state: 'seeding', progress: 1 });
    const stopped = await seed.stop();
    expect(stopped.code, explain(stopped)).toBe(0);
  }, TEST_TIMEOUT_MS);

  it('bridges: gets the torrent from libtorrent over TCP and serves a WebRTC-only webtorrent (`download x.torrent --peer LT --tracker ws://… --seed`)', async () => {
    requireTool('libtorrent');
    const src = tempDir('src');
    const album = writeFolder(src, 'album');
    const torrent = join(tempDir('t'), 'album.torrent');
    const made = libtorrentCreate(album, torrent, { v1Only: true, pieceLength: 65536 });
    const seeder = await startLibtorrent({ torrent, savePath: src, seedMode: true, prefix: ns.prefix });
    const tracker = await startSluiceTracker({ prefix: ns.prefix });

    const sidecar = startSluice(['download', torrent, '--out', tempDir('bridge'), '--peer', `127.0.0.1:${seeder.port}`, '--tracker', tracker.url, '--seed']);
    await sidecar.waitForLine((l) => l.state === 'seeding' && l.progress === 1);

    const out = tempDir('out');
    const wt = await webtorrent({ magnet: `magnet:?xt=urn:btih:${made.v1!}&dn=album`, out, wsTracker: tracker.url });
    expect(await wt.waitFor(isReady, GIVE_UP_MS)).toMatchObject({ infoHash: made.v1!, name: 'album' });
    await wt.waitFor((l) => l.type === 'done', GIVE_UP_MS);
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
    expectWebrtcOnly(wt);
    const served = await sidecar.waitForLine((l) => typeof l.uploaded === 'number' && l.uploaded >= ALBUM_BYTES);
    expect(served).toMatchObject({ infoHash: made.v1!, state: 'seeding', progress: 1 });
    const stopped = await sidecar.stop();
    expect(stopped.code, explain(stopped)).toBe(0);
  }, TEST_TIMEOUT_MS);
});
