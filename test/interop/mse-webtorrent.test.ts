import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sluice, sluiceLong } from '../helpers/cli.js';
import { startWebTorrent, stopAllWebTorrent } from '../helpers/webtorrent.js';
import { cleanTemps, hashTree, jsonLines, killChildren, tempDir, track, writeFolder } from './fixture.js';
import { sluiceSeed } from './sluice-run.js';

afterEach(async () => {
  await stopAllWebTorrent();
  await killChildren();
  cleanTemps();
});

/** A TCP port nobody listens on right now (for a `sluice download` that webtorrent dials). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function sluiceCreate(folder: string, out: string): string {
  const r = sluice(['create', folder, '-o', out, '--piece-length', '32768', '--json']);
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { infoHash: string }).infoHash;
}

// webtorrent with `secure` opens every outgoing connection with an MSE handshake and never retries
// in plaintext: before MSE, these peers could not reach Sluice at all (docs/interop.md).
describe('webtorrent 3 dialling sluice with MSE/PE (secure: 1 and 2)', () => {
  for (const secure of [1, 2] as const) {
    it(`webtorrent at secure: ${secure} downloads a folder from \`sluice seed\` by magnet`, async () => {
      const src = tempDir('src');
      const album = writeFolder(src, 'album');
      const seed = await sluiceSeed(album);

      const out = tempDir('out');
      const wt = await startWebTorrent({ magnet: seed.magnet, out, peers: [`127.0.0.1:${seed.port}`], secure });
      await wt.waitFor((l) => l.type === 'done');
      expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
    });
  }

  it('webtorrent at its default secure: 1 seeds to `sluice download`, dialling it', async () => {
    const src = tempDir('src');
    const album = writeFolder(src, 'album');
    const torrent = join(tempDir('t'), 'album.torrent');
    const infoHash = sluiceCreate(album, torrent);

    const port = await freePort();
    const out = tempDir('out');
    // No --peer: the only way in is webtorrent dialling this port.
    const run = sluiceLong(['download', torrent, '--out', out, '--state', tempDir('state'), '--no-dht', '--json', '--port', String(port)]);
    track(run.child);
    await run.firstLine;
    const wt = await startWebTorrent({ torrent, out: src, peers: [`127.0.0.1:${port}`], secure: 1 });
    const watchdog = setTimeout(() => run.child.kill('SIGINT'), 40_000);
    const code = await run.exited;
    clearTimeout(watchdog);
    const lines = jsonLines(run.stdout());
    expect(code, `${JSON.stringify(lines.slice(-2))}\n${run.stderr()}\n${wt.transcript()}`).toBe(0);
    expect(lines.at(-1)).toMatchObject({ infoHash, state: 'done', progress: 1 });
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
  });
});
