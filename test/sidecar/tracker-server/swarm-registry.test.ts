import { describe, expect, it } from 'vitest';
import { SwarmRegistry, type AnnounceInput } from '../../../sidecar/src/tracker-server/swarm-registry.js';

const limits = { maxSwarms: 2, maxPeersPerSwarm: 3, peerTtlMs: 10_000, wsPeerTtlMs: 4_000 };
const H = 'h'.repeat(20);

function classic(i: number, extra: Partial<AnnounceInput<string>> = {}): AnnounceInput<string> {
  return { infoHash: H, kind: 'classic', peerId: String(i).padStart(20, '0'), ip: '10.0.0.1', port: 1000 + i, left: 5, event: 'started', ...extra };
}

function ws(i: number, extra: Partial<AnnounceInput<string>> = {}): AnnounceInput<string> {
  return { infoHash: H, kind: 'ws', peerId: String(i).padStart(20, 'w'), ip: '10.0.0.2', port: 0, left: 5, event: 'started', link: `link${i}`, ...extra };
}

describe('SwarmRegistry', () => {
  it('counts seeders, leechers and completed downloads through a peer life cycle', () => {
    const r = new SwarmRegistry<string>(limits);
    r.announce(classic(1), 0);
    r.announce(classic(2, { left: 0 }), 0);
    expect(r.scrape(H)).toEqual({ complete: 1, incomplete: 1, downloaded: 0 });
    r.announce(classic(1, { event: 'completed', left: 0 }), 1);
    expect(r.scrape(H)).toEqual({ complete: 2, incomplete: 0, downloaded: 1 });
    r.announce(classic(1, { event: 'completed', left: 0 }), 2);
    expect(r.scrape(H)).toEqual({ complete: 2, incomplete: 0, downloaded: 1 });
    r.announce(classic(2, { event: 'stopped' }), 3);
    r.announce(classic(1, { event: 'stopped' }), 3);
    expect(r.scrape(H)).toEqual({ complete: 0, incomplete: 0, downloaded: 0 });
    expect(r.counts().torrents).toBe(0);
  });

  it('picks peers of the asked kind only, never the asker, at most the number wanted', () => {
    const r = new SwarmRegistry<string>({ ...limits, maxPeersPerSwarm: 100 });
    for (let i = 0; i < 20; i++) r.announce(classic(i), 0);
    for (let i = 0; i < 5; i++) r.announce(ws(i), 0);
    const me = r.announce(classic(3), 1);
    if (!me.ok) throw new Error('refused');
    for (const count of [0, 1, 5, 19, 50]) {
      const picked = r.pick(me.swarm, 'classic', count, me.peer);
      expect(picked.length).toBe(Math.min(count, 19));
      expect(new Set(picked).size).toBe(picked.length);
      expect(picked.every((p) => p.kind === 'classic' && p !== me.peer)).toBe(true);
    }
    expect(r.pick(me.swarm, 'ws', 10, me.peer).map((p) => p.link).sort()).toEqual(['link0', 'link1', 'link2', 'link3', 'link4']);
  });

  it('evicts the peer that announced least recently when a swarm is full', () => {
    const dropped: string[] = [];
    const r = new SwarmRegistry<string>(limits, Math.random, (p) => dropped.push(p.key));
    r.announce(classic(1), 0);
    r.announce(classic(2), 1);
    r.announce(classic(3), 2);
    r.announce(classic(1), 3); // 1 is fresh again; 2 is now the oldest
    r.announce(classic(4), 4);
    expect(dropped).toEqual(['c10.0.0.1:1002']);
    expect(r.evicted).toBe(1);
    expect(r.counts()).toMatchObject({ peers: 3, leechers: 3 });
  });

  it('refuses a torrent beyond the swarm limit', () => {
    const r = new SwarmRegistry<string>(limits);
    r.announce(classic(1, { infoHash: 'a'.repeat(20) }), 0);
    r.announce(classic(1, { infoHash: 'b'.repeat(20) }), 0);
    expect(r.announce(classic(1, { infoHash: 'c'.repeat(20) }), 0)).toEqual({ ok: false, reason: 'tracker is full: too many torrents' });
  });

  it('expires peers after their TTL on a fake clock, WebSocket peers sooner', () => {
    const r = new SwarmRegistry<string>({ ...limits, maxPeersPerSwarm: 10 });
    r.announce(classic(1), 0);
    r.announce(ws(1), 1000);
    r.announce(classic(2), 2000);
    expect(r.sweep(4_999)).toBe(0);
    expect(r.sweep(5_000)).toBe(1); // the ws peer, 4 s after its announce
    expect(r.counts()).toMatchObject({ wsPeers: 0, classicPeers: 2 });
    expect(r.sweep(10_000)).toBe(1);
    expect(r.sweep(12_000)).toBe(1);
    expect(r.counts().torrents).toBe(0);
    expect(r.expired).toBe(3);
  });

  it('lets only the owning connection stop a WebSocket peer', () => {
    const r = new SwarmRegistry<string>(limits);
    r.announce(ws(1), 0);
    r.announce(ws(1, { event: 'stopped', link: 'someone-else' }), 1);
    expect(r.counts().wsPeers).toBe(1);
    r.announce(ws(1, { event: 'stopped' }), 2);
    expect(r.counts().wsPeers).toBe(0);
  });
});
