import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sluice, sluiceLong } from '../../helpers/cli.js';

/**
 * `sluice serve`'s own `/stream/<infohash>/<n>/<name>` (remote mode's files) through real HTTP: a torrent
 * given on serve's command line, whose data is already in --out, answered by the pure range planner
 * with bytes read from the sidecar's Session.
 */

const SIZE = 300_001;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A folder torrent of two files (cover.png, data.bin) whose data sits in `out`, and serve started on it. */
async function serveWithData(extra: string[] = []) {
  const out = mkdtempSync(join(tmpdir(), 'sluice-serve-out-'));
  const album = join(out, 'album');
  mkdirSync(album);
  const bytes = Buffer.alloc(SIZE);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >> 8)) & 0xff;
  writeFileSync(join(album, 'data.bin'), bytes);
  writeFileSync(join(album, 'cover.png'), Buffer.from('not really a png'));
  const torrent = join(mkdtempSync(join(tmpdir(), 'sluice-serve-t-')), 'album.torrent');
  const made = sluice(['create', album, '-o', torrent, '--piece-length', '16K', '--json']);
  expect(made.status).toBe(0);
  const infoHash = (JSON.parse(made.stdout) as { infoHash: string }).infoHash;
  const app = mkdtempSync(join(tmpdir(), 'sluice-app-'));
  writeFileSync(join(app, 'index.html'), '<!doctype html><title>Sluice</title>');
  const state = mkdtempSync(join(tmpdir(), 'sluice-state-'));
  const server = sluiceLong(['serve', torrent, '--port', '0', '--app', app, '--out', out, '--state', state, '--no-dht', '--no-webrtc', '--json', ...extra]);
  const info = JSON.parse(await server.firstLine) as { url: string };
  return { server, base: info.url.replace(/\/$/, ''), infoHash, bytes };
}

async function ask(url: string, init: { range?: string; method?: string; origin?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.range !== undefined) headers['Range'] = init.range;
  if (init.origin !== undefined) headers['Origin'] = init.origin;
  const res = await fetch(url, { method: init.method ?? 'GET', headers });
  const body = new Uint8Array(await res.arrayBuffer());
  const h = (name: string) => res.headers.get(name) ?? '';
  return { status: res.status, body, headers: { 'accept-ranges': h('accept-ranges'), 'content-length': h('content-length'), 'content-range': h('content-range'), 'content-type': h('content-type') } };
}

describe("sluice serve: the sidecar's own /stream URLs", () => {
  const servers: ReturnType<typeof sluiceLong>[] = [];
  afterAll(() => servers.forEach((s) => s.child.kill('SIGTERM')));

  it('answers 200, 206 (closed, open, suffix, Safari 0-1), 416 and HEAD exactly, with the bytes of the file', async () => {
    const { server, base, infoHash, bytes } = await serveWithData();
    servers.push(server);
    // File numbers as `sluice info` prints them: cover.png is 1, data.bin 2.
    const url = `${base}/stream/${infoHash}/2/data.bin`;
    const slice = (start: number, end: number) => ({ length: end - start, sha256: sha256(bytes.subarray(start, end)) });
    const seen = async (range?: string, method?: string) => {
      const r = await ask(url, { ...(range === undefined ? {} : { range }), ...(method ? { method } : {}) });
      return { status: r.status, headers: r.headers, length: r.body.length, sha256: sha256(r.body) };
    };
    const common = { 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };

    expect(await seen()).toEqual({ status: 200, headers: { ...common, 'content-length': String(SIZE), 'content-range': '' }, ...slice(0, SIZE) });
    expect(await seen('bytes=1000-70999')).toEqual({ status: 206, headers: { ...common, 'content-length': '70000', 'content-range': `bytes 1000-70999/${SIZE}` }, ...slice(1000, 71000) });
    expect(await seen('bytes=250000-')).toEqual({ status: 206, headers: { ...common, 'content-length': String(SIZE - 250000), 'content-range': `bytes 250000-${SIZE - 1}/${SIZE}` }, ...slice(250000, SIZE) });
    expect(await seen('bytes=-500')).toEqual({ status: 206, headers: { ...common, 'content-length': '500', 'content-range': `bytes ${SIZE - 500}-${SIZE - 1}/${SIZE}` }, ...slice(SIZE - 500, SIZE) });
    expect(await seen('bytes=0-1')).toEqual({ status: 206, headers: { ...common, 'content-length': '2', 'content-range': `bytes 0-1/${SIZE}` }, ...slice(0, 2) });
    expect(await seen(`bytes=${SIZE}-`)).toEqual({ status: 416, headers: { ...common, 'content-length': '0', 'content-range': `bytes */${SIZE}` }, ...slice(0, 0) });
    expect(await seen('bytes=0-99', 'HEAD')).toEqual({ status: 206, headers: { ...common, 'content-length': '100', 'content-range': `bytes 0-99/${SIZE}` }, ...slice(0, 0) });
    // The other file, its type from its name.
    const cover = await ask(`${base}/stream/${infoHash}/1/cover.png`);
    expect([cover.status, cover.headers['content-type'], Buffer.from(cover.body).toString()]).toEqual([200, 'image/png', 'not really a png']);
    // Nothing outside the torrent's files.
    expect((await ask(`${base}/stream/${infoHash}/3/x`)).status).toBe(404);
    expect((await ask(`${base}/stream/${'0'.repeat(40)}/1/x`)).status).toBe(404);
  }, 120_000);

  it('holds /stream to the bridge rules: the token when one is set, and no foreign Origin', async () => {
    const { server, base, infoHash, bytes } = await serveWithData(['--token', 'the-stream-token']);
    servers.push(server);
    const url = `${base}/stream/${infoHash}/2/data.bin`;
    expect((await ask(url)).status).toBe(401);
    expect((await ask(`${url}?sidecar&token=wrong-token-1`)).status).toBe(401);
    expect((await ask(`${url}?sidecar&token=the-stream-token`, { origin: 'http://evil.example' })).status).toBe(403);
    const ok = await ask(`${url}?sidecar&token=the-stream-token`, { range: 'bytes=10-19' });
    expect([ok.status, sha256(ok.body)]).toEqual([206, sha256(bytes.subarray(10, 20))]);
  }, 120_000);
});
