// The tracker plug point's contract: every TrackerClient implementation registers these tests with a
// factory, and they run against a real bittorrent-tracker server on loopback.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnnounceRequest, TrackerClient } from '../../src/core/ports/tracker.js';
import { TrackerError } from '../../src/core/tracker/errors.js';
import { REFUSAL_REASON, REFUSED_FIRST_BYTE, startTracker, type RunningTracker } from './tracker-server.js';

export interface TrackerContractTarget {
  readonly name: string;
  /** The announce URL of the running tracker for this protocol. */
  announceUrl(tracker: RunningTracker): string;
  /**
   * A client for `url`. `patient` (for a tracker that answers): timeouts of several seconds, so a
   * loaded machine cannot fail a reply that merely came late. `quick` (for a closed port or a silent
   * server): timeouts well under a second.
   */
  create(url: string, timeouts: 'patient' | 'quick'): TrackerClient;
  /** A URL on loopback where nothing listens. */
  closedUrl(): Promise<string>;
  /** A server on loopback that takes requests and never answers. */
  silentServer(): Promise<{ readonly url: string; close(): Promise<void> }>;
}

/** A fresh info hash the tracker accepts (tests never share swarms). */
function infoHash(): Uint8Array {
  const hash = randomBytes(20);
  if (hash[0] === REFUSED_FIRST_BYTE) hash[0] = 0;
  return new Uint8Array(hash);
}

function peer(hash: Uint8Array, port: number, overrides: Partial<AnnounceRequest> = {}): AnnounceRequest {
  return { infoHash: hash, peerId: new Uint8Array(randomBytes(20)), port, uploaded: 0, downloaded: 0, left: 1000, numWant: 50, ...overrides };
}

async function rejection(promise: Promise<unknown>): Promise<TrackerError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TrackerError);
    return error as TrackerError;
  }
  throw new Error('expected the request to fail');
}

const ports = (peers: readonly { host: string; port: number }[]): number[] => peers.map((p) => p.port).sort((a, b) => a - b);

export function registerTrackerContract(target: TrackerContractTarget): void {
  describe(`TrackerClient contract: ${target.name}`, () => {
    let tracker: RunningTracker;
    let client: TrackerClient;

    beforeAll(async () => {
      tracker = await startTracker();
      client = target.create(target.announceUrl(tracker), 'patient');
    });

    afterAll(async () => {
      await client?.close();
      await tracker?.close();
    });

    it('announce started returns the peers that announced before, with the interval and counts', async () => {
      const hash = infoHash();
      const first = await client.announce({ ...peer(hash, 6001), event: 'started' });
      expect(first.interval).toBe(tracker.intervalSeconds);
      expect(ports(first.peers)).toEqual([6001]); // bittorrent-tracker lists the announcer too

      const second = await client.announce({ ...peer(hash, 6002), event: 'started' });
      expect(second.peers).toContainEqual({ host: '127.0.0.1', port: 6001 });
      expect(ports(second.peers)).toEqual([6001, 6002]);
      expect(second.complete).toBe(0);
      expect(second.incomplete).toBe(2);
    });

    it('numWant bounds the peer list', async () => {
      const hash = infoHash();
      for (const port of [6101, 6102, 6103]) await client.announce({ ...peer(hash, port), event: 'started' });
      const reply = await client.announce({ ...peer(hash, 6104), event: 'started', numWant: 2 });
      expect(reply.peers).toHaveLength(2);
      expect(reply.incomplete).toBe(4);
    });

    it('completed is accepted and turns the leecher into a seeder', async () => {
      const hash = infoHash();
      const me = peer(hash, 6201);
      await client.announce({ ...me, event: 'started' });
      const done = await client.announce({ ...me, event: 'completed', left: 0, downloaded: 1000 });
      expect([done.complete, done.incomplete]).toEqual([1, 0]);
      const periodic = await client.announce({ ...me, left: 0, downloaded: 1000 });
      expect([periodic.complete, periodic.incomplete]).toEqual([1, 0]);
    });

    it('stopped is accepted and removes the peer from the swarm', async () => {
      const hash = infoHash();
      const leaving = peer(hash, 6301);
      const staying = peer(hash, 6302);
      await client.announce({ ...leaving, event: 'started' });
      await client.announce({ ...staying, event: 'started' });
      await client.announce({ ...leaving, event: 'stopped' });
      const after = await client.announce(staying);
      expect(ports(after.peers)).toEqual([6302]);
      expect(after.incomplete).toBe(1);
    });

    it('scrape counts seeders and leechers per hash, in request order', async () => {
      const busy = infoHash();
      const empty = infoHash();
      await client.announce({ ...peer(busy, 6401), event: 'started', left: 0 });
      await client.announce({ ...peer(busy, 6402), event: 'started' });
      await client.announce({ ...peer(busy, 6403), event: 'started' });
      const stats = await client.scrape([empty, busy]);
      expect(stats).toEqual([
        { infoHash: empty, complete: 0, downloaded: 0, incomplete: 0 },
        // bittorrent-tracker reports `downloaded` as the current seeder count.
        { infoHash: busy, complete: 1, downloaded: 1, incomplete: 2 },
      ]);
    });

    it("a tracker's refusal surfaces as tracker/failure-reason with its own words", async () => {
      const refused = infoHash();
      refused[0] = REFUSED_FIRST_BYTE;
      const error = await rejection(client.announce({ ...peer(refused, 6501), event: 'started' }));
      expect(error.code).toBe('tracker/failure-reason');
      expect(error.message).toBe(`tracker refused the request: ${REFUSAL_REASON}`);
      expect(error.details.reason).toBe(REFUSAL_REASON);
    });

    it('invalid requests fail as tracker/bad-request before anything is sent', async () => {
      const hash = infoHash();
      expect((await rejection(client.announce(peer(hash, 6601, { infoHash: new Uint8Array(19) })))).code).toBe('tracker/bad-request');
      expect((await rejection(client.announce(peer(hash, 6601, { left: -1 })))).code).toBe('tracker/bad-request');
      expect((await rejection(client.scrape([])))).toMatchObject({ code: 'tracker/bad-request' });
    });

    it('a closed port fails as tracker/unreachable or tracker/timeout', async () => {
      const dead = target.create(await target.closedUrl(), 'quick');
      try {
        const error = await rejection(dead.announce({ ...peer(infoHash(), 6701), event: 'started' }));
        expect(['tracker/unreachable', 'tracker/timeout']).toContain(error.code);
      } finally {
        await dead.close();
      }
    });

    it('a tracker that never answers fails as tracker/timeout', async () => {
      const silent = await target.silentServer();
      const quiet = target.create(silent.url, 'quick');
      try {
        expect((await rejection(quiet.announce({ ...peer(infoHash(), 6801), event: 'started' }))).code).toBe('tracker/timeout');
      } finally {
        await quiet.close();
        await silent.close();
      }
    });

    it('close ends an in-flight request with tracker/closed, and later requests too', async () => {
      const silent = await target.silentServer();
      const quiet = target.create(silent.url, 'quick');
      try {
        const pending = rejection(quiet.announce({ ...peer(infoHash(), 6901), event: 'started' }));
        // Let the request reach the wire before closing.
        await new Promise((resolve) => setTimeout(resolve, 50));
        await quiet.close();
        expect((await pending).code).toBe('tracker/closed');
        expect((await rejection(quiet.announce(peer(infoHash(), 6902)))).code).toBe('tracker/closed');
      } finally {
        await silent.close();
      }
    });
  });
}
