import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTrackerServer, type RunningTrackerServer } from '../../../sidecar/src/tracker-server/server.js';
import { bin, rawWsClient, type RawWsClient } from './ws-client.js';

const IH = bin(0xa1);
const offer = (id: number) => ({ offer_id: bin(id), offer: { type: 'offer', sdp: `v=0 offer ${id}` } });

let server: RunningTrackerServer;
beforeAll(async () => {
  server = await startTrackerServer({ port: 0, maxMessageBytes: 4096, maxOffersPerAnnounce: 3, maxMessagesPerMinute: 20, maxBadMessages: 4 });
});
afterAll(async () => {
  await server.close();
});

/** Two well-behaved peers: A offers, B gets the offer and answers, A gets the answer. */
async function goodExchange(a: RawWsClient, b: RawWsClient, offerByte: number): Promise<void> {
  a.send({ action: 'announce', info_hash: IH, peer_id: bin(0x0a), numwant: 1, left: 10, offers: [offer(offerByte)] });
  expect(await a.next()).toMatchObject({ action: 'announce', info_hash: IH, interval: 120 });
  expect(await b.next()).toEqual({ action: 'announce', offer: { type: 'offer', sdp: `v=0 offer ${offerByte}` }, offer_id: bin(offerByte), peer_id: bin(0x0a), info_hash: IH });
  b.send({ action: 'announce', info_hash: IH, peer_id: bin(0x0b), to_peer_id: bin(0x0a), answer: { type: 'answer', sdp: 'v=0 answer' }, offer_id: bin(offerByte) });
  expect(await a.next()).toEqual({ action: 'announce', answer: { type: 'answer', sdp: 'v=0 answer' }, offer_id: bin(offerByte), peer_id: bin(0x0b), info_hash: IH });
}

describe('tracker under bad input', () => {
  it('refuses and counts bad messages by kind, closes abusers, and keeps serving good peers', async () => {
    const a = await rawWsClient(server.urls.ws);
    const b = await rawWsClient(server.urls.ws);
    b.send({ action: 'announce', info_hash: IH, peer_id: bin(0x0b), left: 0, event: 'started' });
    expect(await b.next()).toMatchObject({ action: 'announce', info_hash: IH, complete: 1, incomplete: 0 });
    await goodExchange(a, b, 1);

    const bad = await rawWsClient(server.urls.ws);
    bad.send('{"action": "announce", ');
    expect(await bad.next()).toEqual({ 'failure reason': 'message is not JSON' });
    bad.send({ action: 'announce', info_hash: 'short', peer_id: bin(3) });
    expect(await bad.next()).toEqual({ 'failure reason': 'info_hash must be 20 characters, got 5' });
    bad.send({ action: 'announce', info_hash: IH, peer_id: bin(3), offers: [offer(1), offer(2), offer(3), offer(4)] });
    expect(await bad.next()).toEqual({ 'failure reason': 'announce carries 4 offers, more than 3' });
    // An answer in the name of a peer this socket never announced is not relayed.
    bad.send({ action: 'announce', info_hash: IH, peer_id: bin(0x0b), to_peer_id: bin(0x0a), answer: { type: 'answer', sdp: 'x' }, offer_id: bin(1) });
    expect(await bad.next()).toMatchObject({ action: 'announce', 'failure reason': 'answer from a peer id not announced for this torrent on this connection' });
    // The fifth bad message is one too many.
    bad.send('null');
    expect(await bad.closed).toBe(1008);

    const huge = await rawWsClient(server.urls.ws);
    huge.send(JSON.stringify({ action: 'scrape', pad: 'x'.repeat(5000) }));
    expect(await huge.closed).toBe(1009);

    const flood = await rawWsClient(server.urls.ws);
    // 20 a minute are served, 20 more refused, the 41st closes the socket; the rest are never read.
    for (let i = 0; i < 45; i++) flood.send({ action: 'scrape', info_hash: IH });
    expect(await flood.closed).toBe(1008);

    // The good peers were never disturbed.
    await goodExchange(a, b, 2);
    a.send({ action: 'scrape', info_hash: [IH] });
    expect(await a.next()).toEqual({ action: 'scrape', files: { [IH]: { complete: 1, incomplete: 1, downloaded: 0 } }, flags: { min_request_interval: 120 } });

    const stats = server.stats();
    expect(stats.rejected).toEqual({ 'not-json': 2, 'bad-id': 1, 'too-many-offers': 1, 'answer-not-announced': 1, 'too-large': 1, 'rate-limited': 21 });
    expect(stats).toMatchObject({ offersRelayed: 2, answersRelayed: 2, wsClosedAbuse: 2 });
    const metrics = await (await fetch(server.urls.http.replace('/announce', '/metrics'))).text();
    expect(metrics).toContain('sluice_tracker_rejected_total{kind="too-many-offers"} 1\n');
    expect(metrics).toContain('sluice_tracker_rejected_total{kind="too-large"} 1\n');
    expect(metrics).toContain('sluice_tracker_announces_total{protocol="ws"} 3\n');
    const json = (await (await fetch(server.urls.http.replace('/announce', '/stats'))).json()) as { wsPeers: number };
    expect(json.wsPeers).toBe(2);

    a.close();
    b.close();
    await Promise.all([a.closed, b.closed]);
  });

  it('drops a WebSocket peer when its socket closes, and answers for it go nowhere', async () => {
    const ih = bin(0xb2);
    const gone = await rawWsClient(server.urls.ws);
    gone.send({ action: 'announce', info_hash: ih, peer_id: bin(0x21), left: 5 });
    await gone.next();
    gone.close();
    await gone.closed;
    const other = await rawWsClient(server.urls.ws);
    other.send({ action: 'announce', info_hash: ih, peer_id: bin(0x22), left: 5 });
    expect(await other.next()).toMatchObject({ complete: 0, incomplete: 1 });
    const before = server.stats().answersUndeliverable;
    other.send({ action: 'announce', info_hash: ih, peer_id: bin(0x22), to_peer_id: bin(0x21), answer: { type: 'answer', sdp: 'x' }, offer_id: bin(9) });
    other.send({ action: 'scrape', info_hash: ih });
    expect(await other.next()).toMatchObject({ action: 'scrape' });
    expect(server.stats().answersUndeliverable).toBe(before + 1);
    other.close();
  });
});

describe('connections from one address', () => {
  it('refuses the connection past the per-address bound, counts it, and takes the next once one closes', async () => {
    const bounded = await startTrackerServer({ port: 0, maxConnectionsPerAddress: 2 });
    try {
      const first = await rawWsClient(bounded.urls.ws);
      const second = await rawWsClient(bounded.urls.ws);
      await expect(rawWsClient(bounded.urls.ws)).rejects.toThrow();
      expect(bounded.stats().rejected).toEqual({ 'too-many-connections': 1 });
      first.close();
      await first.closed;
      await expect.poll(async () => {
        try {
          (await rawWsClient(bounded.urls.ws)).close();
          return true;
        } catch {
          return false;
        }
      }).toBe(true);
      second.close();
    } finally {
      await bounded.close();
    }
  });
});

describe('idle connections', () => {
  it('closes a WebSocket that stays silent past the idle timeout', async () => {
    const idle = await startTrackerServer({ port: 0, idleTimeoutMs: 300, sweepIntervalMs: 100 });
    try {
      const silent = await rawWsClient(idle.urls.ws);
      expect(await silent.closed).toBe(1001);
      expect(idle.stats()).toMatchObject({ wsClosedIdle: 1, wsConnections: 0 });
    } finally {
      await idle.close();
    }
  });
});
