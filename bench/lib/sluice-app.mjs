// What bench/browser.mjs and bench/bridge.mjs share: the app built by `vite build` and served by
// `sluice serve`, a bittorrent-tracker ws:// server, and a .torrent (1 MiB pieces) of a bench file.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import bencode from 'bencode';
import { Server } from 'bittorrent-tracker';
import { createTorrentFromPath } from '../../build/sidecar/src/create/index.js';
import { MIB, ROOT } from './work.mjs';

export async function startTracker() {
  const server = new Server({ http: false, udp: false, ws: true, stats: false });
  server.on('warning', () => {});
  server.on('error', () => {});
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `ws://127.0.0.1:${server.http.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** `vite build` into dist/ (what `sluice serve` serves by default). */
export function buildApp() {
  const built = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('vite build failed');
}

/** `sluice serve --port 0 --json ...extra` serving dist/; its origin once it listens. */
export async function serveApp(extra = []) {
  const child = spawn(process.execPath, [join(ROOT, 'sidecar/bin/sluice.js'), 'serve', '--port', '0', '--json', ...extra, ...(process.env.BENCH_SERVE_LOG ? ['--log', process.env.BENCH_SERVE_LOG] : [])], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const first = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line)));
    exited.then((code) => reject(new Error(`sluice serve exited (${code})`)));
  });
  const url = first.app ?? first.url;
  return {
    origin: new URL(url).origin,
    async close() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** bench/.work/<file>.torrent with 1 MiB pieces, made once per data file; its path and v1 info hash. */
export async function ensureTorrent(file) {
  const path = `${file}.torrent`;
  if (!existsSync(path) || statSync(path).mtimeMs < statSync(file).mtimeMs) writeFileSync(path, (await createTorrentFromPath(file, { pieceLength: MIB })).torrent);
  const info = bencode.decode(readFileSync(path)).info;
  return { path, infoHash: createHash('sha1').update(bencode.encode(info)).digest('hex') };
}
