import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnnounceRequest } from '../../../src/core/ports/tracker.js';
import { encodeUdpRequest } from '../../../src/core/tracker/udp-packets.js';
import { buildAnnounceUrl } from '../../../src/core/tracker/http-url.js';
import { toHex } from '../../../src/core/util/hex.js';
import { parseHttpAnnounce, parseQuery } from '../../../sidecar/src/tracker-server/http-query.js';
import { startTrackerServer, type RunningTrackerServer } from '../../../sidecar/src/tracker-server/server.js';
import { HttpTrackerClient } from '../../../sidecar/src/tracker/http-tracker-client.js';
import { UdpTrackerClient } from '../../../sidecar/src/tracker/udp-tracker-client.js';
import { closedTcpPort } from '../tracker/loopback.js';
import { libtorrentAnnounce } from './libtorrent-announce.js';

const hashOf = (name: string) => new Uint8Array(createHash('sha1').update(name).digest());
const peerId = (tag: string) => new TextEncoder().encode(`-SL0001-${tag.padEnd(12, '0')}`);

function request(infoHash: Uint8Array, id: Uint8Array, port: number, extra: Partial<AnnounceRequest> = {}): AnnounceRequest {
  return { infoHash, peerId: id, port, uploaded: 0, downloaded: 0, left: 100, event: 'started', ...extra };
}

let server: RunningTrackerServer;
beforeAll(async () => {
  server = await startTrackerServer({ port: 0 });
});
afterAll(async () => {
  await server.close();
});

describe('HTTP announce query (server side)', () => {
  it('reads back exactly what the Sluice client builds, binary ids included', () => {
    const infoHash = Uint8Array.from({ length: 20 }, (_, i) => i * 13);
    const url = buildAnnounceUrl('http://t/announce', request(infoHash, peerId('q'), 6881, { numWant: 30, key: 0xdeadbeef, left: 7 }));
    const parsed = parseHttpAnnounce(parseQuery(url.slice('http://t'.length)));
    expect(parsed.request).toEqual({ infoHash, peerId: peerId('q'), port: 6881, uploaded: 0, downloaded: 0, left: 7, event: 'started', numWant: 30, key: 0xdeadbeef });
    expect(parsed.leftKnown).toBe(true);
  });
});

describe('Sluice tracker over HTTP and UDP', () => {
  it('Sluice HTTP and UDP clients see each other as peers, and scrape counts are right', async () => {
    const infoHash = hashOf('sluice-clients');
    const http = new HttpTrackerClient(server.urls.http);
    const udp = new UdpTrackerClient(server.urls.udp!, { retransmitScheduleMs: [2000, 2000] });
    try {
      const a = await http.announce(request(infoHash, peerId('a'), 7001));
      expect(a).toMatchObject({ interval: 600, complete: 0, incomplete: 1, peers: [] });
      const b = await udp.announce(request(infoHash, peerId('b'), 7002, { left: 0 }));
      expect(b).toMatchObject({ interval: 600, complete: 1, incomplete: 1, peers: [{ host: '127.0.0.1', port: 7001 }] });
      const again = await http.announce(request(infoHash, peerId('a'), 7001, { event: undefined }));
      expect(again.peers).toEqual([{ host: '127.0.0.1', port: 7002 }]);

      expect(await http.scrape([infoHash])).toEqual([{ infoHash, complete: 1, incomplete: 1, downloaded: 0 }]);
      await http.announce(request(infoHash, peerId('a'), 7001, { event: 'completed', left: 0 }));
      expect(await udp.scrape([infoHash, hashOf('unknown')])).toEqual([
        { infoHash, complete: 2, incomplete: 0, downloaded: 1 },
        { infoHash: hashOf('unknown'), complete: 0, incomplete: 0, downloaded: 0 },
      ]);
      await udp.announce(request(infoHash, peerId('b'), 7002, { event: 'stopped', left: 0 }));
      expect(await http.scrape([infoHash])).toEqual([{ infoHash, complete: 1, incomplete: 0, downloaded: 1 }]);
    } finally {
      await http.close();
      await udp.close();
    }
    expect(server.stats().announces).toMatchObject({ http: 3, udp: 2 });
  });

  it('refuses a bad HTTP announce with a failure reason and a bad UDP connection id with an error packet', async () => {
    const before = server.stats().rejected;
    const res = await fetch(`${server.urls.http}?info_hash=abc&peer_id=x&port=1`);
    expect(await res.text()).toBe('d14:failure reason33:info hash must be 20 bytes, got 3e');
    const packet = encodeUdpRequest({ action: 'scrape', connectionId: 12345n, transactionId: 77, infoHashes: [hashOf('x')] });
    const reply = await new Promise<Buffer>((resolve) => {
      const socket = dgram.createSocket('udp4');
      socket.once('message', (m) => {
        socket.close();
        resolve(m);
      });
      socket.send(packet, server.port, '127.0.0.1');
    });
    expect(reply.readUInt32BE(0)).toBe(3);
    expect(reply.readUInt32BE(4)).toBe(77);
    expect(reply.subarray(8).toString()).toBe('unknown or expired connection id');
    const after = server.stats().rejected;
    expect(after['http-bad-request']).toBe((before['http-bad-request'] ?? 0) + 1);
    expect(after['udp-bad-connection-id']).toBe((before['udp-bad-connection-id'] ?? 0) + 1);
  });

  for (const protocol of ['http', 'udp'] as const) {
    it(`libtorrent announces over ${protocol.toUpperCase()} and it and a Sluice client get each other`, async () => {
      const infoHash = hashOf(`libtorrent-${protocol}`);
      // Sluice's peer listens, so libtorrent dialling it proves libtorrent got it from the tracker.
      const listener = net.createServer();
      const dialled = new Promise<Buffer>((resolve) => {
        listener.on('connection', (socket) => {
          socket.on('error', () => {});
          socket.once('data', (data: Buffer) => {
            resolve(data);
            socket.destroy();
          });
        });
      });
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
      const sluicePort = (listener.address() as net.AddressInfo).port;
      const client = new HttpTrackerClient(server.urls.http);
      await client.announce(request(infoHash, peerId(protocol), sluicePort));
      const ltPort = await closedTcpPort();
      const lt = libtorrentAnnounce(protocol === 'http' ? server.urls.http : server.urls.udp!, toHex(infoHash), ltPort);
      expect(await lt.reply).toEqual({ peers: 1 });
      const handshake = await dialled;
      expect(handshake.subarray(0, 20).toString('latin1')).toBe('\x13BitTorrent protocol');
      expect(new Uint8Array(handshake.subarray(28, 48))).toEqual(infoHash);
      const seen = await client.announce(request(infoHash, peerId(protocol), sluicePort, { event: undefined }));
      expect(seen.peers).toEqual([{ host: '127.0.0.1', port: ltPort }]);
      const [stats] = await client.scrape([infoHash]);
      expect(stats!.complete + stats!.incomplete).toBe(2);
      await client.close();
      await lt.exited;
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    });
  }
});
