import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { Server } from 'bittorrent-tracker';
import { afterEach, describe, expect, it } from 'vitest';
import { content, makeTorrent } from '../../helpers/engine.js';
import { Swarm } from './swarm.js';

interface Announce {
  readonly event: string;
  readonly infoHash: string;
  readonly left: number;
  readonly port: number;
}

/** A real bittorrent-tracker on loopback (HTTP and UDP, no WebSocket) that records every announce. */
async function startTracker() {
  const server = new Server({ http: true, udp: true, ws: false, stats: false });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ http: 0, udp: 0 }, { http: '127.0.0.1', udp: '127.0.0.1', udp6: '::1' }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('warning', () => {});
  const announces: Announce[] = [];
  for (const event of ['start', 'update', 'complete', 'stop']) {
    server.on(event, (_addr: string, params: { info_hash: string; left: number; port: number }) => {
      announces.push({ event, infoHash: params.info_hash, left: Number(params.left), port: Number(params.port) });
    });
  }
  return {
    announces,
    http: `http://127.0.0.1:${(server.http!.address() as AddressInfo).port}/announce`,
    udp: `udp://127.0.0.1:${server.udp4!.address().port}`,
    /** Resolves once an announce matching `match` has arrived. */
    async heard(match: (a: Announce) => boolean): Promise<void> {
      while (!announces.some(match)) await new Promise((r) => setTimeout(r, 20));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(data: Uint8Array) {
  const tracker = await startTracker();
  cleanups.push(() => tracker.close());
  const swarm = new Swarm(data);
  cleanups.push(() => swarm.close());
  return { tracker, swarm };
}

describe('peers found through a real tracker (no --peer)', () => {
  it('over HTTP: a bare info hash plus --tracker fetches the metadata and the data', async () => {
    const { tracker, swarm } = await setup(content(97, 700_001));
    const { line } = await swarm.seed([swarm.dataPath, '--tracker', tracker.http, '--no-dht']);
    expect(line.magnet).toContain(`tr=${encodeURIComponent(tracker.http)}`);
    await tracker.heard((a) => a.infoHash === line.infoHash && a.event === 'start' && a.left === 0);
    await swarm.download([line.infoHash, '--tracker', tracker.http, '--no-dht']);
    // The downloader announced itself as a leecher (before the metadata it cannot know `left`).
    const downloader = tracker.announces.filter((a) => a.infoHash === line.infoHash && a.port !== line.port);
    expect(downloader[0]).toMatchObject({ event: 'start' });
    expect(downloader[0]!.left).toBeGreaterThan(0);
  });

  it('over UDP: a .torrent without announce URLs, --tracker on both sides', async () => {
    const t = await makeTorrent([{ path: ['data.bin'], length: 900_000 }], { name: 'data.bin', pieceLength: 32768 });
    const { tracker, swarm } = await setup(t.files[0]!);
    writeFileSync(join(swarm.dir, 'data.torrent'), t.bytes);
    const { line } = await swarm.seed([join(swarm.dir, 'data.torrent'), '--data', swarm.dir, '--tracker', tracker.udp, '--no-dht']);
    await tracker.heard((a) => a.infoHash === line.infoHash && a.event === 'start' && a.left === 0);
    await swarm.download([join(swarm.dir, 'data.torrent'), '--tracker', tracker.udp, '--no-dht']);
    expect(tracker.announces.filter((a) => a.infoHash === line.infoHash && a.event === 'start').map((a) => a.left)).toEqual([0, 900_000]);
  });
});
