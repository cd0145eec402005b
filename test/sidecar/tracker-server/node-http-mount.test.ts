import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { TrackerService } from '../../../sidecar/src/tracker-server/service.js';
import { bin, rawWsClient } from './ws-client.js';

// `sluice serve` mounts the tracker on its own node:http server: the same service must work there.
const service = new TrackerService({});
const server = createServer((req, res) => {
  if (service.handleHttp(req, res)) return;
  res.writeHead(404).end();
});
server.on('upgrade', (req, socket, head: Buffer) => service.handleUpgrade(req, socket, head));
const listening = new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

afterAll(async () => {
  service.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('TrackerService on a node:http server', () => {
  it('answers WebSocket announces and HTTP announces', async () => {
    const port = await listening;
    const client = await rawWsClient(`ws://127.0.0.1:${port}/announce`);
    client.send({ action: 'announce', info_hash: bin(0xc1), peer_id: bin(0xc2), left: 0, numwant: 0 });
    expect(await client.next()).toEqual({ action: 'announce', interval: 120, info_hash: bin(0xc1), complete: 1, incomplete: 0 });
    const res = await fetch(`http://127.0.0.1:${port}/announce?info_hash=${'%c1'.repeat(20)}&peer_id=${'%c3'.repeat(20)}&port=6881&left=5`);
    expect(Buffer.from(await res.arrayBuffer()).toString('latin1')).toBe('d8:completei1e10:incompletei1e8:intervali600e12:min intervali60e5:peers0:e');
    client.close();
    expect(await client.closed).toBe(1005);
  });
});
