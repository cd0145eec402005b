import { describe, expect, it } from 'vitest';
import type { PendingOffer, RtcConnector } from '../../../../src/core/ports/rtc.js';
import type { WebSocketHandlers } from '../../../../src/core/ports/websocket.js';
import { WsTrackerClient } from '../../../../src/core/tracker/ws-client/ws-tracker-client.js';
import { toHex } from '../../../../src/core/util/hex.js';

/** A tracker socket that records what is sent, and offers and answers whose ICE gathering ends when the test says. */
function setUp() {
  const sent: Record<string, unknown>[] = [];
  let handlers: WebSocketHandlers | null = null;
  const gathering: (() => void)[] = [];
  const answering: (() => void)[] = [];
  let made = 0;
  const rtc: RtcConnector = {
    createOffer: () =>
      new Promise<PendingOffer>((resolve) => {
        const sdp = `v=0 offer ${++made}`;
        gathering.push(() => resolve({ sdp, complete: () => new Promise(() => {}), cancel: () => {} }));
      }),
    acceptOffer: () =>
      new Promise((resolve) => {
        answering.push(() => resolve({ answerSdp: 'v=0 answer', connected: new Promise(() => {}), cancel: () => {} }));
      }),
    close: () => {},
  };
  let id = 0;
  const client = new WsTrackerClient('ws://tracker.test/announce', {
    socket: (_url, h) => {
      handlers = h;
      queueMicrotask(() => h.open());
      return { send: (text) => sent.push(JSON.parse(text) as Record<string, unknown>), close: () => {} };
    },
    rtc,
    timer: (ms, run) => {
      const t = setTimeout(run, ms);
      return () => clearTimeout(t);
    },
    random: (n) => new Uint8Array(n).fill(++id),
    onPeer: () => {},
  });
  const reply = (infoHash: Uint8Array) => handlers!.message(JSON.stringify({ action: 'announce', info_hash: String.fromCharCode(...infoHash), interval: 120, complete: 1, incomplete: 0 }));
  const offer = (infoHash: Uint8Array, from: Uint8Array) =>
    handlers!.message(JSON.stringify({ action: 'announce', info_hash: String.fromCharCode(...infoHash), peer_id: String.fromCharCode(...from), offer_id: String.fromCharCode(...new Uint8Array(20).fill(3)), offer: { type: 'offer', sdp: 'v=0 seeder' } }));
  const flush = async () => {
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { client, sent, gathering, answering, reply, offer, flush };
}

const INFO_HASH = new Uint8Array(20).fill(7);
const PEER_ID = new Uint8Array(20).fill(9);
const request = { infoHash: INFO_HASH, peerId: PEER_ID, port: 0, uploaded: 0, downloaded: 0, left: 100, offerCount: 3 };

describe('WsTrackerClient announces', () => {
  it("a torrent's first announce goes out before its offers are made, asking for as many waiting offers; the offers follow", async () => {
    const { client, sent, gathering, reply, flush } = setUp();
    const answered = client.announce({ ...request, event: 'started' });
    await flush();
    // Sent while every offer is still gathering: no offers, numwant 3, event started.
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ action: 'announce', event: 'started', numwant: 3, offers: [] });
    reply(INFO_HASH);
    await expect(answered).resolves.toMatchObject({ interval: 120, complete: 1 });
    await flush();
    for (const done of gathering.splice(0)) done();
    await flush();
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({ action: 'announce', numwant: 3 });
    expect(sent[1]).not.toHaveProperty('event');
    expect((sent[1]!.offers as { offer: { sdp: string } }[]).map((o) => o.offer.sdp)).toEqual(['v=0 offer 1', 'v=0 offer 2', 'v=0 offer 3']);
    expect(toHex(new Uint8Array([...(sent[1]!.info_hash as string)].map((c) => c.charCodeAt(0))))).toBe(toHex(INFO_HASH));
    await client.close();
  });

  it('a later announce waits for its offers and carries them', async () => {
    const { client, sent, gathering, reply, flush } = setUp();
    const answered = client.announce(request);
    await flush();
    expect(sent).toHaveLength(0);
    for (const done of gathering.splice(0)) done();
    await flush();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ action: 'announce', numwant: 3 });
    expect(sent[0]!.offers).toHaveLength(3);
    reply(INFO_HASH);
    await expect(answered).resolves.toMatchObject({ interval: 120 });
    await client.close();
  });

  it('makes its offers only once the reply is in and the offer handed with it is answered', async () => {
    const { client, sent, gathering, answering, reply, offer, flush } = setUp();
    const answered = client.announce({ ...request, event: 'started' });
    await flush();
    // Nothing gathers while the tracker has not replied.
    expect(gathering).toHaveLength(0);
    reply(INFO_HASH);
    offer(INFO_HASH, new Uint8Array(20).fill(5));
    await expect(answered).resolves.toMatchObject({ interval: 120 });
    await flush();
    // The seeder's offer is being answered: our own offers wait for it.
    expect(answering).toHaveLength(1);
    expect(gathering).toHaveLength(0);
    answering.splice(0)[0]!();
    await flush();
    expect(sent.filter((m) => 'answer' in m)).toHaveLength(1);
    expect(gathering).toHaveLength(3);
    for (const done of gathering.splice(0)) done();
    await flush();
    expect(sent.at(-1)).toMatchObject({ action: 'announce', numwant: 3 });
    expect(sent.at(-1)!.offers).toHaveLength(3);
    await client.close();
  });
});
