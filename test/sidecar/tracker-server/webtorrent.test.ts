import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTrackerServer } from '../../../sidecar/src/tracker-server/server.js';

const PEER = join(import.meta.dirname, 'wt-peer.mjs');
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await stopPeers();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Starts a webtorrent peer; resolves with the first JSON line it prints. */
function webtorrentPeer(args: string[]): Promise<Record<string, unknown>> {
  return childJson(PEER, args);
}

/** Starts a Node script; resolves with the first JSON line it prints. It is killed after the test. */
function childJson(script: string, args: string[]): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as Record<string, unknown>);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}): ${err.slice(-500)}`)));
  });
}

/** A webtorrent seeder and a webtorrent leecher meeting through `trackerUrl`; the file must arrive intact over WebRTC. */
async function transferThrough(trackerUrl: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-wt-'));
  dirs.push(dir);
  const content = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251));
  writeFileSync(join(dir, 'small.bin'), content);
  const seeded = await webtorrentPeer(['seed', trackerUrl, join(dir, 'small.bin')]);
  expect(typeof seeded.magnet).toBe('string');
  const done = await webtorrentPeer(['leech', trackerUrl, seeded.magnet as string, join(dir, 'out')]);
  expect(done).toEqual({ done: true, wireTypes: ['webrtc'] });
  expect(readFileSync(join(dir, 'out', 'small.bin')).equals(content)).toBe(true);
  // End both peers (and a reference tracker) now, not after the test: each holds sockets and a port.
  await stopPeers();
}

async function stopPeers(): Promise<void> {
  await Promise.all(
    children.splice(0).map((child) => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGKILL'))))),
  );
}

describe('webtorrent peers over a WebSocket tracker (WebRTC on loopback)', () => {
  it("find each other through Sluice's tracker and transfer a file", async () => {
    const server = await startTrackerServer({ port: 0 });
    try {
      await transferThrough(server.urls.ws);
      const stats = server.stats();
      expect(stats.offersRelayed).toBeGreaterThanOrEqual(1);
      expect(stats.answersRelayed).toBeGreaterThanOrEqual(1);
      expect(stats.rejected).toEqual({});
    } finally {
      await server.close();
    }
  }, 120_000);

  it("find each other through bittorrent-tracker's server (the control)", async () => {
    // In its own process, as webtorrent peers meet it in the wild (and as the benchmark runs it).
    const reference = await childJson(join(import.meta.dirname, 'reference-tracker.mjs'), []);
    await transferThrough(`ws://127.0.0.1:${reference.port as number}`);
  }, 120_000);
});
