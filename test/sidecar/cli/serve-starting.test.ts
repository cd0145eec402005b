import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sluice, sluiceLong } from '../../helpers/cli.js';

/**
 * `sluice serve` listens before its engine is up (the kept torrent list is restored and each torrent
 * checked against --out first). A page that asks `/bridge` in that window (its engine reconnecting
 * after the sidecar restarted) must hear "a bridge, not ready yet", never the app's index.html: a
 * page that gets HTML there decides it was not served by sluice serve and stops trying for good.
 */

const servers: ReturnType<typeof sluiceLong>[] = [];
afterAll(async () => {
  for (const s of servers) {
    s.child.kill('SIGKILL');
    await s.exited;
  }
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((done) => probe.close(() => done()));
  return port;
}

describe('sluice serve while its engine starts', () => {
  it('answers /bridge and /stream/ with 503 and JSON (Retry-After) until the engine is up, never with the app', async () => {
    // A torrent big enough that checking it at restore takes a while on any machine.
    const out = mkdtempSync(join(tmpdir(), 'sluice-starting-out-'));
    const data = join(out, 'big.bin');
    const fd = openSync(data, 'w');
    const chunk = Buffer.alloc(1 << 20);
    for (let i = 0; i < 192; i++) {
      chunk.fill(i);
      writeSync(fd, chunk);
    }
    closeSync(fd);
    const torrent = join(mkdtempSync(join(tmpdir(), 'sluice-starting-t-')), 'big.torrent');
    expect(sluice(['create', data, '-o', torrent, '--piece-length', '1M', '--json'], { timeoutMs: 120_000 }).status).toBe(0);
    const app = mkdtempSync(join(tmpdir(), 'sluice-app-'));
    writeFileSync(join(app, 'index.html'), '<!doctype html><title>Sluice</title>');
    const state = mkdtempSync(join(tmpdir(), 'sluice-starting-state-'));
    const port = await freePort();
    const serve = (operands: string[]) => {
      const s = sluiceLong(['serve', ...operands, '--port', String(port), '--app', app, '--out', out, '--state', state, '--no-dht', '--no-webrtc', '--json']);
      servers.push(s);
      return s;
    };

    // First run: the torrent goes into the kept list (and is checked).
    const first = serve([torrent]);
    await first.firstLine;
    for (let i = 0; i < 600 && !first.stdout().includes('"state":"seeding"'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(first.stdout()).toContain('"state":"seeding"');
    first.child.kill('SIGKILL');
    await first.exited;
    // Without resume data the restart hashes all 192 MiB before the engine is up: a window no poll misses.
    rmSync(join(state, 'resume'), { recursive: true, force: true });

    // Second run: ask /bridge and /stream/ over and over until the URL line says the engine is up.
    const second = serve([]);
    // The URL line (with "bridge") says the engine is up; requests answered before it are logged before it.
    const urlLine = () => second.stdout().split('\n').find((l) => l.includes('"bridge":'));
    let exited = false;
    void second.exited.then(() => (exited = true));
    const answers: { path: string; status: number; type: string | null; retry: string | null; body: string }[] = [];
    while (!urlLine() && !exited) {
      // Both paths at once, so one round falls in the window whole.
      await Promise.all(
        ['/bridge', '/stream/00/1/x?sidecar'].map(async (path) => {
          try {
            const r = await fetch(`http://127.0.0.1:${port}${path}`);
            answers.push({ path, status: r.status, type: r.headers.get('content-type'), retry: r.headers.get('retry-after'), body: await r.text() });
          } catch {
            // Not listening yet.
          }
        }),
      );
      await new Promise((r) => setTimeout(r, 2));
    }
    // The window was really hit (else this test proves nothing); nothing in it was the app's page.
    const notReady = { status: 503, type: 'application/json', retry: '1', body: JSON.stringify({ sluice: 'bridge', error: 'the sidecar is starting' }) };
    expect(answers.filter((a) => a.body.includes('<title>Sluice</title>'))).toEqual([]);
    expect(answers.filter((a) => a.status === 503).length).toBeGreaterThan(0);
    for (const a of answers.filter((x) => x.status === 503)) expect(a).toEqual({ path: a.path, ...notReady });
    // The rest came once the engine was up, just before the URL line: the bridge itself (and its 404 for no such torrent).
    for (const a of answers.filter((x) => x.status !== 503)) expect([a.path, a.status]).toEqual(a.path === '/bridge' ? ['/bridge', 200] : [a.path, 404]);
    const info = JSON.parse(urlLine() ?? `{"exited":"${second.stderr()}"}`) as { bridge: string };
    expect(info.bridge).toBe(`ws://127.0.0.1:${port}/bridge`);
    const ready = await fetch(`http://127.0.0.1:${port}/bridge`);
    expect(ready.status).toBe(200);
  }, 300_000);
});
