import { afterEach, describe, expect, it } from 'vitest';
import { UdpTrackerClient, parseUdpTrackerUrl } from '../../../sidecar/src/tracker/udp-tracker-client.js';
import type { AnnounceRequest } from '../../../src/core/ports/tracker.js';
import { decodeUdpRequest, encodeUdpResponse, type UdpAnnounceRequest, type UdpRequest } from '../../../src/core/tracker/udp-packets.js';
import { registerTrackerContract } from '../../contracts/tracker.contract.js';
import { startTracker } from '../../contracts/tracker-server.js';
import { closedUdpPort, udpServer } from './loopback.js';

const SHORT = [150, 300];
/** Retransmits for a tracker that answers: a loaded machine may answer late, never not at all. */
const PATIENT = [2000, 4000, 8000];

registerTrackerContract({
  name: 'UDP (sidecar, dgram)',
  announceUrl: (tracker) => tracker.udpUrl,
  create: (url, timeouts) => new UdpTrackerClient(url, { retransmitScheduleMs: timeouts === 'quick' ? SHORT : PATIENT }),
  closedUrl: async () => `udp://127.0.0.1:${await closedUdpPort()}`,
  silentServer: async () => {
    const server = await udpServer();
    return { url: `udp://127.0.0.1:${server.port}`, close: server.close };
  },
});

const request: AnnounceRequest = {
  infoHash: new Uint8Array(20).fill(3),
  peerId: new Uint8Array(20).fill(4),
  port: 6881,
  uploaded: 1,
  downloaded: 2,
  left: 3,
};

/** A scripted BEP 15 tracker: answers connects with id 77 and announces with no peers; `drop` skips packets. */
async function scriptedTracker(drop: (request: UdpRequest, index: number) => boolean = () => false) {
  const seen: UdpRequest[] = [];
  const server = await udpServer((packet, reply) => {
    const parsed = decodeUdpRequest(packet);
    seen.push(parsed);
    if (drop(parsed, seen.length - 1)) return;
    if (parsed.action === 'connect') reply(encodeUdpResponse({ action: 'connect', transactionId: parsed.transactionId, connectionId: 77n }, 'ipv4'));
    if (parsed.action === 'announce') {
      reply(encodeUdpResponse({ action: 'announce', transactionId: parsed.transactionId, interval: 42, leechers: 1, seeders: 0, peers: [] }, 'ipv4'));
    }
  });
  return { ...server, seen };
}

describe('UdpTrackerClient', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('announces over IPv6 to a tracker on ::1', async () => {
    const tracker = await startTracker();
    const client = new UdpTrackerClient(tracker.udp6Url, { retransmitScheduleMs: SHORT });
    cleanups.push(() => client.close(), tracker.close);
    await client.announce({ ...request, event: 'started' });
    const reply = await client.announce({ ...request, peerId: new Uint8Array(20).fill(5), port: 6882, event: 'started' });
    expect([reply.interval, reply.complete, reply.incomplete]).toEqual([tracker.intervalSeconds, 0, 2]);
    // bittorrent-tracker puts only IPv4 peers in UDP replies, so peers from ::1 are not listed.
    expect(reply.peers).toEqual([]);
  });

  it('retransmits a lost connect and reuses the connection id for the next request', async () => {
    const tracker = await scriptedTracker((_request, index) => index === 0);
    const client = new UdpTrackerClient(`udp://127.0.0.1:${tracker.port}`, { retransmitScheduleMs: [100, 5000] });
    cleanups.push(() => client.close(), tracker.close);
    expect(await client.announce(request)).toEqual({ interval: 42, complete: 0, incomplete: 1, peers: [] });
    await client.announce({ ...request, event: 'stopped' });
    expect(tracker.seen.map((r) => r.action)).toEqual(['connect', 'connect', 'announce', 'announce']);
    expect(tracker.seen[0]!.transactionId).toBe(tracker.seen[1]!.transactionId);
    expect((tracker.seen[3] as UdpAnnounceRequest).connectionId).toBe(77n);
  });

  it('sends the path and query of the announce URL as BEP 41 URL data', async () => {
    const tracker = await scriptedTracker();
    const client = new UdpTrackerClient(`udp://127.0.0.1:${tracker.port}/announce?passkey=abc`, { retransmitScheduleMs: SHORT });
    cleanups.push(() => client.close(), tracker.close);
    await client.announce(request);
    const sent = tracker.seen[1] as UdpAnnounceRequest;
    expect(new TextDecoder().decode(sent.urlData)).toBe('/announce?passkey=abc');
    expect(sent).toMatchObject({ numWant: -1, key: 0, event: undefined, port: 6881, uploaded: 1, downloaded: 2, left: 3 });
  });

  it('parses udp:// URLs and refuses others', () => {
    expect(parseUdpTrackerUrl('udp://[::1]:6969')).toEqual({ host: '::1', port: 6969, urlData: undefined });
    expect(parseUdpTrackerUrl('udp://tracker.example:80/')).toEqual({ host: 'tracker.example', port: 80, urlData: undefined });
    for (const bad of ['http://t.example/announce', 'udp://t.example', 'udp://t.example:0', 'not a url']) {
      expect(() => parseUdpTrackerUrl(bad), bad).toThrow(expect.objectContaining({ code: 'tracker/bad-url' }));
    }
  });

  it('reports a host name that does not resolve as tracker/unreachable', async () => {
    const client = new UdpTrackerClient('udp://tracker.invalid:6969', {
      lookup: () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND tracker.invalid'), { code: 'ENOTFOUND' })),
    });
    cleanups.push(() => client.close());
    await expect(client.announce(request)).rejects.toMatchObject({
      code: 'tracker/unreachable',
      message: 'UDP tracker host did not resolve: getaddrinfo ENOTFOUND tracker.invalid',
    });
  });
});
