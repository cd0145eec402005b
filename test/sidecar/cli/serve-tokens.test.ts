import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toBase64 } from '../../../src/core/bridge/base64.js';
import { parseMetainfo } from '../../../src/core/metainfo/index.js';
import { nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';
import { bridgeClient } from '../../helpers/bridge-client.js';
import { sluice, sluiceLong } from '../../helpers/cli.js';
import { cleanTemps, hashTree, jsonLines, killChildren, tempDir, track, writeFolder } from '../../interop/fixture.js';

/**
 * Several people share one `sluice serve`, each with a named token (`--token NAME=SECRET`): each
 * token is its own Session, folder and kept list. Driven as the app drives it (a `ws` client speaking
 * the bridge protocol, HTTP for /stream), with real processes on loopback.
 */

const GIVE_UP_MS = 90_000;
const ANN = 'ann-secret-1';
const BO = 'bo-secret-22';

afterEach(async () => {
  await killChildren();
  cleanTemps();
});

function app(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-app-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Sluice</title>');
  return dir;
}

interface Started {
  bridge: string;
  url: string;
  token: string;
  out: string;
  peerPort: number;
  sessions: { name: string; token: string; open: string; out: string; peerPort: number }[];
}

function startServe(state: string, out: string) {
  const server = sluiceLong(['serve', '--port', '0', '--app', app(), '--state', state, '--out', out, '--no-dht', '--no-webrtc', '--json', '--token', `ann=${ANN}`, '--token', `bo=${BO}`]);
  track(server.child);
  return server;
}

async function get(url: string): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(url);
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('sluice serve --token NAME=SECRET, given once per person', () => {
  it("keeps each token's torrents, folder, stream URLs and remote requests apart, also after a restart", async () => {
    const state = tempDir('serve-tokens-state');
    const out = tempDir('serve-tokens-out');
    // Ann's data is already in her folder: the album she adds by its info dictionary checks and seeds.
    const album = writeFolder(join(out, 'ann'), 'album');
    const torrentPath = join(tempDir('serve-tokens-t'), 'album.torrent');
    expect(sluice(['create', album, '-o', torrentPath, '--piece-length', '32K', '--json']).status).toBe(0);
    const metainfo = await parseMetainfo(new Uint8Array(readFileSync(torrentPath)), nodeHasher);
    const unknown = randomBytes(20).toString('hex');
    const waiting = randomBytes(20).toString('hex');

    const first = startServe(state, out);
    const info = JSON.parse(await first.firstLine) as Started;
    const base = info.url.replace(/\/$/, '');
    expect(info.sessions.map((s) => [s.name, s.token, s.open, s.out])).toEqual([
      ['ann', ANN, `${info.url}#bridge-token=${ANN}`, join(out, 'ann')],
      ['bo', BO, `${info.url}#bridge-token=${BO}`, join(out, 'bo')],
    ]);
    expect([info.token, info.out, info.peerPort]).toEqual([ANN, join(out, 'ann'), info.sessions[0]!.peerPort]);
    expect(info.sessions[1]!.peerPort).not.toBe(info.sessions[0]!.peerPort);

    const ann = await bridgeClient(`${info.bridge}?token=${ANN}`, GIVE_UP_MS);
    const bo = await bridgeClient(`${info.bridge}?token=${BO}`, GIVE_UP_MS);
    const added = await ann.request({ action: 'add', infoHash: null, source: { info: toBase64(metainfo.infoBytes), trackers: [] }, deleteData: false });
    const albumHash = added.infoHash!;
    expect([added.code, albumHash]).toEqual([null, Buffer.from(metainfo.infoHash!).toString('hex')]);
    const annList = await ann.list((ts) => ts[0]?.state === 'seeding', "ann's album seeding");
    expect(annList.torrents.map((t) => t.infoHash)).toEqual([albumHash]);

    // Bo sees nothing of it: an empty list, and every request on it answered as for a hash nobody has.
    expect((await bo.list(() => true, "bo's list")).torrents).toEqual([]);
    for (const action of ['pause', 'resume', 'remove'] as const) {
      for (const deleteData of action === 'remove' ? [false, true] : [false]) {
        const onAnns = await bo.request({ action, infoHash: albumHash, source: null, deleteData });
        const onNobodys = await bo.request({ action, infoHash: unknown, source: null, deleteData });
        expect({ ...onAnns, request: 0 }).toEqual({ type: 'remote-done', request: 0, infoHash: albumHash, code: 'remote/unknown-torrent', message: `the sidecar has no torrent ${albumHash}` });
        expect({ ...onNobodys, request: 0 }).toEqual({ type: 'remote-done', request: 0, infoHash: unknown, code: 'remote/unknown-torrent', message: `the sidecar has no torrent ${unknown}` });
      }
    }
    // Ann's album is still there, seeding, its files untouched.
    const still = await ann.list(() => true, "ann's list");
    expect(still.torrents.map((t) => [t.infoHash, t.state, t.progress])).toEqual([[albumHash, 'seeding', 1]]);
    expect(hashTree(join(out, 'ann', 'album'))).toEqual(hashTree(album));

    // /stream: Bo's token gets the 404 of a hash nobody has; Ann's gets the file.
    const readme = still.torrents[0]!.files.find((f) => f.path.endsWith('notes/readme.txt'))!;
    const readmeBytes = readFileSync(join(album, 'notes', 'readme.txt'));
    const path = (hash: string) => `${base}/stream/${hash}/${readme.number}/readme.txt?sidecar`;
    const boAsksAnns = await get(`${path(albumHash)}&token=${BO}`);
    const boAsksNobodys = await get(`${path(unknown)}&token=${BO}`);
    expect([boAsksAnns.status, boAsksAnns.body.toString()]).toEqual([404, `the sidecar has no torrent ${albumHash}\n`]);
    expect([boAsksNobodys.status, boAsksNobodys.body.toString()]).toEqual([404, `the sidecar has no torrent ${unknown}\n`]);
    const annAsks = await get(`${path(albumHash)}&token=${ANN}`);
    expect([annAsks.status, sha256(annAsks.body)]).toEqual([200, sha256(readmeBytes)]);
    expect((await get(path(albumHash))).status).toBe(401);
    expect((await get(`${path(albumHash)}&token=ann-secret-2`)).status).toBe(401);

    // Bo joins the same info hash (a magnet naming Ann's session as a peer, as any peer could be named):
    // his own download, into his own folder.
    const joined = await bo.join({ magnet: `magnet:?xt=urn:btih:${albumHash}&x.pe=127.0.0.1:${info.sessions[0]!.peerPort}` });
    expect(joined).toMatchObject({ type: 'joined', infoHash: albumHash });
    await bo.list((ts) => ts.some((t) => t.infoHash === albumHash && t.progress === 1), "bo's album complete");
    expect(hashTree(join(out, 'bo', 'album'))).toEqual(hashTree(album));
    const boAsksHis = await get(`${path(albumHash)}&token=${BO}`);
    expect([boAsksHis.status, sha256(boAsksHis.body)]).toEqual([200, sha256(readmeBytes)]);
    // One more of Bo's own, paused; Ann's list does not show it.
    expect((await bo.request({ action: 'add', infoHash: null, source: { magnet: `magnet:?xt=urn:btih:${waiting}&dn=waiting` }, deleteData: false })).code).toBeNull();
    expect((await bo.request({ action: 'pause', infoHash: waiting, source: null, deleteData: false })).code).toBeNull();
    expect((await ann.list(() => true, "ann's list")).torrents.map((t) => t.infoHash)).toEqual([albumHash]);
    // The serve log says whose each bridge and torrent line is.
    const events = jsonLines(first.stdout());
    expect(events.filter((e) => e['event'] === 'bridge-joined').map((e) => [e['infoHash'], e['token']])).toEqual([[albumHash, 'bo']]);
    const aboutWaiting = events.filter((e) => e['infoHash'] === waiting);
    expect(aboutWaiting.length).toBeGreaterThan(0);
    expect(new Set(aboutWaiting.map((e) => e['token']))).toEqual(new Set(['bo']));
    ann.close();
    bo.close();
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    // Each token's list is kept in its own state folder.
    expect(existsSync(join(state, 'tokens', 'ann', 'torrents', `${albumHash}.json`))).toBe(true);
    expect(existsSync(join(state, 'tokens', 'ann', 'torrents', `${waiting}.json`))).toBe(false);
    expect(existsSync(join(state, 'tokens', 'bo', 'torrents', `${waiting}.json`))).toBe(true);
    expect(existsSync(join(state, 'torrents'))).toBe(false);

    const second = startServe(state, out);
    const again = JSON.parse(await second.firstLine) as Started;
    const ann2 = await bridgeClient(`${again.bridge}?token=${ANN}`, GIVE_UP_MS);
    const bo2 = await bridgeClient(`${again.bridge}?token=${BO}`, GIVE_UP_MS);
    const annBack = await ann2.list((ts) => ts[0]?.state === 'seeding', "ann's album back");
    expect(annBack.torrents.map((t) => [t.infoHash, t.state])).toEqual([[albumHash, 'seeding']]);
    const boBack = await bo2.list((ts) => ts.some((t) => t.infoHash === albumHash && t.state === 'seeding'), "bo's album back");
    expect(boBack.torrents.map((t) => [t.infoHash, t.state])).toEqual([
      [albumHash, 'seeding'],
      [waiting, 'paused'],
    ]);
    const annOnBos = await ann2.request({ action: 'resume', infoHash: waiting, source: null, deleteData: false });
    expect([annOnBos.code, annOnBos.message]).toEqual(['remote/unknown-torrent', `the sidecar has no torrent ${waiting}`]);
    expect((await bo2.list(() => true, "bo's list")).torrents.find((t) => t.infoHash === waiting)?.state).toBe('paused');
    ann2.close();
    bo2.close();
    expect(first.stderr() + second.stderr()).toBe('');
  }, 4 * GIVE_UP_MS);

  it('prints one URL per token, each carrying its own', async () => {
    const out = tempDir('serve-tokens-out');
    const server = sluiceLong(['serve', '--port', '0', '--app', app(), '--state', tempDir('serve-tokens-state'), '--out', out, '--no-dht', '--no-webrtc', '--token', `ann=${ANN}`, '--token', `bo=${BO}`]);
    track(server.child);
    const url = (await server.firstLine).replace('Sluice is running at ', '');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    while (!server.stdout().includes('(press Ctrl-C to stop)\n')) await new Promise((r) => setTimeout(r, 50));
    const bridge = `${url.replace('http:', 'ws:')}bridge`;
    expect(server.stdout()).toBe(
      `Sluice is running at ${url}\n` +
        "Each token has its own URL, torrents and folder; give each person only theirs:\n" +
        `  ann: ${url}#bridge-token=${ANN}\n` +
        `  bo: ${url}#bridge-token=${BO}\n` +
        `Tracker: ${url.replace('http:', 'ws:')}announce (also ${url}announce)\n` +
        `Bridge: ${bridge} (each URL above carries its token); downloads for browsers go to ${join(out, 'ann')}, ${join(out, 'bo')}\n` +
        '(press Ctrl-C to stop)\n',
    );
  });
});
