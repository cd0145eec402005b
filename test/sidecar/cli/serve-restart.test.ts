import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { toBase64 } from '../../../src/core/bridge/base64.js';
import { BRIDGE_PROTOCOL, type ControlMessage, type RemoteTorrentEntry } from '../../../src/core/bridge/control.js';
import { decodeFrame, encodeControl } from '../../../src/core/bridge/frames.js';
import { parseMetainfo } from '../../../src/core/metainfo/index.js';
import { nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';
import { sluice, sluiceLong } from '../../helpers/cli.js';
import { startLibtorrent, stopAllLibtorrent } from '../../helpers/libtorrent.js';
import { cleanTemps, hashTree, killChildren, tempDir, track, writeFolder } from '../../interop/fixture.js';

/**
 * `sluice serve` keeps its torrent list across restarts, as qBittorrent's daemon does: torrents added
 * through remote mode (a `ws` client speaking the bridge protocol, as the app does) come back with the
 * same --state, a paused one paused, a complete one seeding to a libtorrent leecher.
 */

const GIVE_UP_MS = 90_000;

afterEach(async () => {
  await stopAllLibtorrent();
  await killChildren();
  cleanTemps();
});

type Remote = Extract<ControlMessage, { type: 'remote' }>;

/** A bridge client: hello, then remote requests answered by `remote-done`, and the latest `remote-list`. */
async function remoteClient(url: string) {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const messages: ControlMessage[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data: Buffer) => {
    const frame = decodeFrame(new Uint8Array(data));
    if (frame.kind !== 'control') return;
    messages.push(frame.message);
    for (const w of [...waiters]) w();
  });
  const waitFor = <T extends ControlMessage>(match: (m: ControlMessage) => m is T, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${GIVE_UP_MS} ms; last: ${JSON.stringify(messages.at(-1))}`)), GIVE_UP_MS);
      const check = () => {
        const found = messages.find(match);
        if (!found) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      waiters.add(check);
      check();
    });
  ws.send(encodeControl({ type: 'hello', protocol: BRIDGE_PROTOCOL, peerId: 'cd'.repeat(20), agent: 'test' }));
  await waitFor((m): m is ControlMessage => m.type === 'hello', 'hello');
  let request = 0;
  return {
    async act(fields: Omit<Remote, 'type' | 'request'>) {
      const id = ++request;
      ws.send(encodeControl({ type: 'remote', request: id, ...fields }));
      const done = await waitFor((m): m is Extract<ControlMessage, { type: 'remote-done' }> => m.type === 'remote-done' && m.request === id, `remote-done ${id}`);
      expect(done.message).toBeNull();
      return done.infoHash!;
    },
    /** The first remote-list (from now on) whose torrents satisfy `ok`. */
    list(ok: (torrents: readonly RemoteTorrentEntry[]) => boolean, what: string) {
      messages.length = 0;
      return waitFor((m): m is Extract<ControlMessage, { type: 'remote-list' }> => m.type === 'remote-list' && ok(m.torrents), what);
    },
    close: () => ws.close(),
  };
}

function startServe(state: string, out: string) {
  const app = mkdtempSync(join(tmpdir(), 'sluice-app-'));
  writeFileSync(join(app, 'index.html'), '<!doctype html><title>Sluice</title>');
  const server = sluiceLong(['serve', '--port', '0', '--app', app, '--state', state, '--out', out, '--no-dht', '--no-webrtc', '--json']);
  track(server.child);
  return server;
}

describe('sluice serve: its torrent list survives a restart', () => {
  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    it(`after ${signal}: remote-list shows the torrent added through remote mode seeding and the paused one paused; libtorrent downloads the first byte-identical`, async () => {
      const state = tempDir('serve-restart-state');
      const out = tempDir('serve-restart-out');
      const album = writeFolder(out, 'album');
      const torrentPath = join(tempDir('serve-restart-t'), 'album.torrent');
      const made = sluice(['create', album, '-o', torrentPath, '--piece-length', '32K', '--json']);
      expect(made.status).toBe(0);
      const metainfo = await parseMetainfo(new Uint8Array(readFileSync(torrentPath)), nodeHasher);
      const waiting = randomBytes(20).toString('hex');

      const first = startServe(state, out);
      const firstInfo = JSON.parse(await first.firstLine) as { bridge: string };
      const client = await remoteClient(firstInfo.bridge);
      // The album by its info dictionary (as the app sends a .torrent file), the other by a magnet nobody serves.
      const albumHash = await client.act({ action: 'add', infoHash: null, source: { info: toBase64(metainfo.infoBytes), trackers: [] }, deleteData: false });
      await client.act({ action: 'add', infoHash: null, source: { magnet: `magnet:?xt=urn:btih:${waiting}&dn=waiting` }, deleteData: false });
      await client.act({ action: 'pause', infoHash: waiting, source: null, deleteData: false });
      await client.list((ts) => ts.find((t) => t.infoHash === albumHash)?.state === 'seeding', 'the album seeding');
      client.close();
      first.child.kill(signal);
      await first.exited;

      const second = startServe(state, out);
      const secondInfo = JSON.parse(await second.firstLine) as { bridge: string; peerPort: number };
      const again = await remoteClient(secondInfo.bridge);
      const listed = await again.list((ts) => ts.length === 2 && ts.some((t) => t.infoHash === albumHash && t.state === 'seeding'), 'both torrents back, the album seeding');
      expect(listed.torrents.map((t) => [t.infoHash, t.state])).toEqual([
        [albumHash, 'seeding'],
        [waiting, 'paused'],
      ]);
      again.close();

      const leechDir = tempDir('serve-restart-leech');
      const leecher = await startLibtorrent({ torrent: torrentPath, savePath: leechDir, peers: [secondInfo.peerPort] });
      await leecher.waitFor((l) => l.type === 'finished', GIVE_UP_MS);
      expect(hashTree(join(leechDir, 'album'))).toEqual(hashTree(album));
      expect(second.stderr()).toBe('');
    }, 4 * GIVE_UP_MS);
  }
});
