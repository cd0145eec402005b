import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { sluice, sluiceLong } from '../../helpers/cli.js';

function rawStatus(base: string, path: string): Promise<number | undefined> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('sluice serve', () => {
  const app = mkdtempSync(join(tmpdir(), 'sluice-app-'));
  mkdirSync(join(app, 'assets'));
  writeFileSync(join(app, 'index.html'), '<!doctype html><title>Sluice</title>');
  writeFileSync(join(app, 'manifest.webmanifest'), '{"name":"Sluice"}');
  writeFileSync(join(app, 'assets', 'app-abc123.js'), 'console.log(1)');
  const server = sluiceLong(['serve', '--port', '0', '--app', app, '--json', '--no-bridge']);
  afterAll(() => {
    server.child.kill('SIGTERM');
  });

  it('prints its URL and serves the app with the right types and caching', async () => {
    const { url, tracker } = JSON.parse(await server.firstLine);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(tracker).toBe(`${url.replace('http:', 'ws:')}announce`);
    const index = await fetch(url);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toBe('<!doctype html><title>Sluice</title>');
    const manifest = await fetch(new URL('manifest.webmanifest', url));
    expect(manifest.headers.get('content-type')).toBe('application/manifest+json');
    const asset = await fetch(new URL('assets/app-abc123.js', url));
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // Client-side routes fall back to the app; missing files do not.
    expect((await fetch(new URL('torrents/abc', url))).status).toBe(200);
    expect((await fetch(new URL('assets/missing.js', url))).status).toBe(404);
    // A raw request line (fetch would normalise the dots away) cannot climb out of the app folder.
    expect(await rawStatus(url, '/..%2f..%2f..%2fetc%2fpasswd')).toBe(403);
  });

  it('has a tracker built in: /stats answers, and an HTTP announce gets a bencoded reply', async () => {
    const { url } = JSON.parse(await server.firstLine);
    const stats = await fetch(new URL('stats', url));
    expect(stats.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await stats.json()).toMatchObject({ torrents: 0 });
    const hash = '%AA'.repeat(20);
    const announce = await fetch(new URL(`announce?info_hash=${hash}&peer_id=${'-SL0100-abcdefghijkl'}&port=6881&uploaded=0&downloaded=0&left=0&compact=1`, url));
    expect(announce.status).toBe(200);
    expect(Buffer.from(await announce.arrayBuffer()).toString('latin1')).toMatch(/^d.*8:intervali\d+e/);
  });

  it('stops on SIGTERM with status 0', async () => {
    await server.firstLine;
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('says in one line when there is no built app', () => {
    const r = sluice(['serve', '--port', '0', '--app', join(app, 'nowhere')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd()).toBe(`sluice: no built app in '${join(app, 'nowhere')}' (run \`npm run build\` first, or pass --app DIR)`);
  });
});

describe('sluice serve --json --log --verbose', () => {
  it('logs each request and each tracker WebSocket, with the peer address, as event lines, log lines and stderr lines', async () => {
    const app = mkdtempSync(join(tmpdir(), 'sluice-app-log-'));
    writeFileSync(join(app, 'index.html'), '<!doctype html><title>Sluice</title>');
    const server = sluiceLong(['serve', '--port', '0', '--app', app, '--json', '--no-bridge', '--verbose', '--log', 'serve.log'], { cwd: app });
    try {
      const { url, tracker } = JSON.parse(await server.firstLine) as { url: string; tracker: string };
      expect((await fetch(new URL('missing.js', url))).status).toBe(404);
      const ws = new WebSocket(tracker);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.close();
      const lines = () => server.stdout().trim().split('\n').slice(1).map((l) => JSON.parse(l) as Record<string, unknown>);
      await until(() => lines().some((l) => l.event === 'ws-closed'));
      const all = lines();
      const [request, opened, closed] = ['http-request', 'ws-opened', 'ws-closed'].map((event) => all.find((l) => l.event === event));
      expect(all).toHaveLength(3);
      expect(request).toEqual({ event: 'http-request', time: expect.stringMatching(/Z$/), peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/), method: 'GET', path: '/missing.js', status: 404 });
      expect(opened).toMatchObject({ event: 'ws-opened', path: '/announce', peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
      expect(closed).toMatchObject({ event: 'ws-closed', path: '/announce', peer: opened!.peer });
      const text = new Map([
        [request, `http-request ${request!.peer}: GET /missing.js 404`],
        [opened, `ws-opened ${opened!.peer}: WebSocket /announce`],
        [closed, `ws-closed ${opened!.peer}: WebSocket /announce closed`],
      ]);
      const expected = all.map((l) => `${l.time} ${text.get(l)}\n`).join('');
      expect(readFileSync(join(app, 'serve.log'), 'utf8')).toBe(expected);
      expect(server.stderr()).toBe(expected);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      rmSync(app, { recursive: true, force: true });
    }
  });
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 20));
}
