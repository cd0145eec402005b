import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toBase64 } from '../../../src/core/bridge/base64.js';
import type { ControlMessage } from '../../../src/core/bridge/control.js';
import { parseMetainfo } from '../../../src/core/metainfo/index.js';
import { nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';
import { bridgeClient } from '../../helpers/bridge-client.js';
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

/** A bridge client (as the app speaks it) whose remote requests must each succeed. */
async function remoteClient(url: string) {
  const client = await bridgeClient(url, GIVE_UP_MS);
  return {
    ...client,
    async act(fields: Omit<Remote, 'type' | 'request'>) {
      const done = await client.request(fields);
      expect(done.message).toBeNull();
      return done.infoHash!;
    },
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
