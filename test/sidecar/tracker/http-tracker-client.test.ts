import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpTrackerClient } from '../../../sidecar/src/tracker/http-tracker-client.js';
import { encodeBencode } from '../../../src/core/bencode/encode.js';
import { TrackerError } from '../../../src/core/tracker/errors.js';
import type { AnnounceRequest } from '../../../src/core/ports/tracker.js';
import { registerTrackerContract } from '../../contracts/tracker.contract.js';
import { startTracker } from '../../contracts/tracker-server.js';
import { closedTcpPort, silentTcpServer } from './loopback.js';

registerTrackerContract({
  name: 'HTTP (sidecar, fetch)',
  announceUrl: (tracker) => tracker.httpUrl,
  create: (url, timeouts) => new HttpTrackerClient(url, { timeoutMs: timeouts === 'quick' ? 500 : 15_000 }),
  closedUrl: async () => `http://127.0.0.1:${await closedTcpPort()}/announce`,
  silentServer: async () => {
    const server = await silentTcpServer();
    return { url: `http://127.0.0.1:${server.port}/announce`, close: server.close };
  },
});

const request: AnnounceRequest = {
  infoHash: new Uint8Array(20).fill(7),
  peerId: new Uint8Array(20).fill(8),
  port: 6881,
  uploaded: 0,
  downloaded: 0,
  left: 5,
};

/** An HTTP server answering every request with `handler`; remembers the request URLs. */
async function fakeTracker(handler: (res: http.ServerResponse) => void): Promise<{ base: string; urls: string[]; close(): Promise<void> }> {
  const urls: string[] = [];
  const server = http.createServer((req, res) => {
    urls.push(req.url ?? '');
    handler(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, urls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function rejection(promise: Promise<unknown>): Promise<TrackerError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TrackerError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe('HttpTrackerClient', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('gets IPv6 peers (BEP 7 peers6) from a tracker reached over ::1', async () => {
    const tracker = await startTracker({ http: '::1' });
    const client = new HttpTrackerClient(tracker.httpUrl, { timeoutMs: 2000 });
    cleanups.push(() => client.close(), tracker.close);
    await client.announce({ ...request, port: 7001, event: 'started' });
    const reply = await client.announce({ ...request, peerId: new Uint8Array(20).fill(9), port: 7002, event: 'started' });
    expect(reply.peers).toEqual(expect.arrayContaining([{ host: '::1', port: 7001 }, { host: '::1', port: 7002 }]));
    expect(reply.peers).toHaveLength(2);
  });

  it("keeps the announce URL's own query and sends the request fields", async () => {
    const fake = await fakeTracker((res) => res.end(encodeBencode({ interval: 30, peers: new Uint8Array(0) })));
    const client = new HttpTrackerClient(`${fake.base}/x/announce?passkey=abc`, { timeoutMs: 2000 });
    cleanups.push(() => client.close(), fake.close);
    expect(await client.announce({ ...request, event: 'completed', key: 1 })).toEqual({ interval: 30, peers: [] });
    expect(fake.urls).toEqual([
      `/x/announce?passkey=abc&info_hash=${'%07'.repeat(20)}&peer_id=${'%08'.repeat(20)}&port=6881&uploaded=0&downloaded=0&left=5&compact=1&event=completed&key=00000001`,
    ]);
    await client.scrape([request.infoHash]).catch(() => undefined);
    expect(fake.urls[1]).toBe(`/x/scrape?passkey=abc&info_hash=${'%07'.repeat(20)}`);
  });

  it('reads a failure reason from a 4xx body, and reports other bad statuses as tracker/bad-response', async () => {
    let status = 403;
    const fake = await fakeTracker((res) => {
      res.statusCode = status;
      res.end(status === 403 ? encodeBencode({ 'failure reason': 'unregistered torrent' }) : 'not found');
    });
    const client = new HttpTrackerClient(`${fake.base}/announce`, { timeoutMs: 2000 });
    cleanups.push(() => client.close(), fake.close);
    const refused = await rejection(client.announce(request));
    expect([refused.code, refused.message]).toEqual(['tracker/failure-reason', 'tracker refused the request: unregistered torrent']);
    status = 404;
    const missing = await rejection(client.announce(request));
    expect([missing.code, missing.message]).toEqual(['tracker/bad-response', 'HTTP tracker answered 404 Not Found']);
  });

  it('stops reading a reply that is over the size bound, declared or streamed', async () => {
    let declare = true;
    const fake = await fakeTracker((res) => {
      const body = encodeBencode({ interval: 1, peers: new Uint8Array(5000) });
      if (declare) {
        res.setHeader('content-length', body.length);
        res.end(body);
      } else {
        // Written in two parts, Node sends it chunked, with no length up front.
        res.write(body.subarray(0, 2000));
        res.end(body.subarray(2000));
      }
    });
    const client = new HttpTrackerClient(`${fake.base}/announce`, { timeoutMs: 2000, maxResponseBytes: 1000 });
    cleanups.push(() => client.close(), fake.close);
    const declared = await rejection(client.announce(request));
    expect([declared.code, declared.message]).toEqual(['tracker/bad-response', 'HTTP tracker reply of 5027 bytes is over the 1000-byte limit']);
    declare = false;
    const streamed = await rejection(client.announce(request));
    expect([streamed.code, streamed.message]).toEqual(['tracker/bad-response', 'HTTP tracker reply is over the 1000-byte limit']);
  });

  it('says scraping is unsupported when the URL has no announce segment (BEP 48)', async () => {
    const client = new HttpTrackerClient('http://127.0.0.1:1/tracker');
    cleanups.push(() => client.close());
    expect((await rejection(client.scrape([request.infoHash]))).code).toBe('tracker/scrape-unsupported');
  });

  it('refuses a URL that is not http(s)', () => {
    expect(() => new HttpTrackerClient('udp://127.0.0.1:1')).toThrow(expect.objectContaining({ code: 'tracker/bad-url' }));
  });
});
