import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sluiceLong } from '../helpers/cli.js';
import { libtorrentCreate, startLibtorrent, stopAllLibtorrent, type LibtorrentLine, type LibtorrentPeer } from '../helpers/libtorrent.js';
import { requireTool } from '../helpers/tools.js';
import { startWebTorrent, stopAllWebTorrent, type WebTorrentLine, type WebTorrentPeer } from '../helpers/webtorrent.js';
import { startWsTracker, stopAllWsTrackers } from '../helpers/ws-tracker.js';
import { ALBUM, cleanTemps, hashTree, jsonLines, killChildren, tempDir, track, writeFolder } from './fixture.js';

/**
 * The sidecar as a bridge: libtorrent is in the classic swarm only (TCP), webtorrent in the WebRTC
 * swarm only (data channels through a WebSocket tracker, every TCP connection turned away, no PEX).
 * They cannot reach each other; the only way the files get from one to the other is a `sluice`
 * process in both swarms, downloading from libtorrent and serving webtorrent.
 */

// Peers first (their WebSockets hold the tracker open), then the tracker.
afterEach(async () => {
  await stopAllWebTorrent();
  await stopAllLibtorrent();
  await killChildren();
  await stopAllWsTrackers();
  cleanTemps();
});

/** Generous: webtorrent's non-trickle ICE waits out a 5 s gathering timeout per side of each connection here. */
const GIVE_UP_MS = 60_000;
const TEST_TIMEOUT_MS = 120_000;

const ALBUM_BYTES = Object.values(ALBUM).reduce((a, b) => a + b, 0);

type Status = Record<string, unknown>;

interface Sidecar {
  /** Resolves with the first JSON line that matches (status lines come once a second); fails after GIVE_UP_MS. */
  waitForLine(match: (line: Status) => boolean): Promise<Status>;
  /** SIGINT; resolves with the exit code and every JSON line printed. */
  stop(): Promise<{ code: number | null; lines: Status[]; stderr: string }>;
}

/** `sluice download … --seed --json` in both swarms, with no STUN and ICE bound to 127.0.0.1. */
function startSidecar(target: string, out: string, libtorrentPort: number, trackerUrl: string): Sidecar {
  const args = ['download', target, '--out', out, '--state', tempDir('state'), '--seed', '--json', '--no-dht', '--port', '0'];
  args.push('--peer', `127.0.0.1:${libtorrentPort}`, '--tracker', trackerUrl, '--no-stun', '--webrtc-host', '127.0.0.1');
  const run = sluiceLong(args);
  track(run.child);
  run.firstLine.catch(() => undefined); // judged by its lines and exit code
  const transcript = () => `stdout: ${run.stdout().slice(-3000)}\nstderr: ${run.stderr()}`;
  return {
    waitForLine: async (match) => {
      for (let waited = 0; waited < GIVE_UP_MS; waited += 100) {
        const line = jsonLines(run.stdout()).find(match);
        if (line) return line;
        if (run.child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`sluice printed no such line (exit ${run.child.exitCode})\n${transcript()}`);
    },
    stop: async () => {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGINT');
      const code = await run.exited;
      return { code, lines: jsonLines(run.stdout()), stderr: run.stderr() };
    },
  };
}

/** A libtorrent seed_mode seeder of a libtorrent-made v1 torrent of the album, TCP only. */
async function libtorrentSeeder(): Promise<{ album: string; infoHash: string; seeder: LibtorrentPeer }> {
  requireTool('libtorrent');
  const src = tempDir('src');
  const album = writeFolder(src, 'album');
  const torrent = join(tempDir('t'), 'album.torrent');
  const made = libtorrentCreate(album, torrent, { v1Only: true, pieceLength: 65536 });
  const seeder = await startLibtorrent({ torrent, savePath: src, seedMode: true });
  return { album, infoHash: made.v1!, seeder };
}

/** Every connection webtorrent made was a WebRTC data channel, and no TCP peer was offered or taken. */
function expectWebrtcOnly(wt: WebTorrentPeer): void {
  const wires = wt.lines.filter((l) => l.type === 'wire');
  expect(wires.length, wt.transcript()).toBeGreaterThan(0);
  expect(wires.map((w) => w.connection)).toEqual(wires.map(() => 'webrtc'));
  expect(wt.lines.filter((l) => l.type === 'tcp-refused')).toEqual([]);
}

const isDone = (l: WebTorrentLine) => l.type === 'done';
const uploadedBy = (l: LibtorrentLine) => l.type === 'status' && l.uploaded > 0;

describe('the sidecar bridges the classic (TCP) and WebRTC swarms (127.0.0.1)', () => {
  it('webtorrent, WebRTC only, downloads by magnet what the sidecar got from libtorrent over TCP', async () => {
    const { album, infoHash, seeder } = await libtorrentSeeder();
    const tracker = await startWsTracker();
    const magnet = `magnet:?xt=urn:btih:${infoHash}&dn=album`;

    const sidecar = startSidecar(magnet, tempDir('bridge'), seeder.port, tracker.url);
    // The sidecar has the whole album from libtorrent (metadata by ut_metadata, pieces over TCP)...
    await sidecar.waitForLine((l) => l.state === 'seeding' && l.progress === 1);

    // ...and webtorrent, which can reach nobody but WebRTC peers, gets metadata and pieces from it.
    const out = tempDir('out');
    const wt = await startWebTorrent({ magnet, out, wsTracker: tracker.url });
    expect(await wt.waitFor((l) => l.type === 'ready', GIVE_UP_MS)).toMatchObject({ infoHash, name: 'album' });
    await wt.waitFor(isDone, GIVE_UP_MS);
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
    expectWebrtcOnly(wt);

    await seeder.waitFor(uploadedBy);
    const served = await sidecar.waitForLine((l) => typeof l.uploaded === 'number' && l.uploaded >= ALBUM_BYTES);
    expect(served).toMatchObject({ infoHash, state: 'seeding', progress: 1 });
    const stopped = await sidecar.stop();
    expect(stopped.code, stopped.stderr).toBe(0);
  }, TEST_TIMEOUT_MS);

  it('webtorrent already waiting in the WebRTC swarm gets the torrent once the sidecar joins both swarms', async () => {
    const { album, infoHash, seeder } = await libtorrentSeeder();
    const tracker = await startWsTracker();
    const magnet = `magnet:?xt=urn:btih:${infoHash}&dn=album`;

    // webtorrent announces first: nobody else is there yet, so it has no metadata and no peer.
    const out = tempDir('out');
    const wt = await startWebTorrent({ magnet, out, wsTracker: tracker.url });

    // The sidecar arrives knowing only the info hash; its offers reach webtorrent through the tracker.
    const sidecar = startSidecar(magnet, tempDir('bridge'), seeder.port, tracker.url);
    expect(await wt.waitFor((l) => l.type === 'ready', GIVE_UP_MS)).toMatchObject({ infoHash, name: 'album' });
    await wt.waitFor(isDone, GIVE_UP_MS);
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
    expectWebrtcOnly(wt);

    await seeder.waitFor(uploadedBy);
    await sidecar.waitForLine((l) => l.state === 'seeding' && l.progress === 1 && typeof l.uploaded === 'number' && l.uploaded >= ALBUM_BYTES);
    const stopped = await sidecar.stop();
    expect(stopped.code, stopped.stderr).toBe(0);
  }, TEST_TIMEOUT_MS);
});
