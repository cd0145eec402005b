import { afterEach, describe, expect, it } from 'vitest';
import { startTrackerServer, type RunningTrackerServer } from '../../../sidecar/src/tracker-server/server.js';
import { bin, rawWsClient, type RawWsClient } from './ws-client.js';

// Offers kept for peers that announce later, through real sockets: who gets which offer, and what does not.
const IH = bin(0xc3);
const S = bin(0x51);
const J = bin(0x4a);
const K = bin(0x4b);
const offer = (id: number) => ({ offer_id: bin(id), offer: { type: 'offer', sdp: `v=0 offer ${id}` } });
const relayed = (id: number, from: string) => ({ action: 'announce', offer: { type: 'offer', sdp: `v=0 offer ${id}` }, offer_id: bin(id), peer_id: from, info_hash: IH });

let server: RunningTrackerServer | undefined;
const clients: RawWsClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
});

async function client(): Promise<RawWsClient> {
  const c = await rawWsClient(server!.urls.ws);
  clients.push(c);
  return c;
}

/** Nothing more was sent to `c`: the next frame it gets is the reply to a scrape sent now. */
async function expectNothingPending(c: RawWsClient): Promise<void> {
  c.send({ action: 'scrape', info_hash: [IH] });
  expect(await c.next()).toMatchObject({ action: 'scrape' });
}

async function connectionsDownTo(count: number): Promise<void> {
  for (let i = 0; i < 200 && server!.stats().wsConnections > count; i++) await new Promise((r) => setTimeout(r, 10));
  expect(server!.stats().wsConnections).toBe(count);
}

describe('offers kept for late joiners', () => {
  it('a peer new to the swarm gets an offer nobody took, answers it, and its own offers skip that offerer', async () => {
    let now = 1_000_000;
    server = await startTrackerServer({ port: 0, clock: () => now });
    const seeder = await client();
    seeder.send({ action: 'announce', info_hash: IH, peer_id: S, numwant: 3, left: 0, event: 'started', offers: [offer(1), offer(2), offer(3)] });
    expect(await seeder.next()).toMatchObject({ action: 'announce', complete: 1, incomplete: 0 });
    expect(server.stats()).toMatchObject({ waitingOffers: 3, offersKept: 3, offersRelayed: 0 });

    const joiner = await client();
    joiner.send({ action: 'announce', info_hash: IH, peer_id: J, numwant: 2, left: 9, event: 'started', offers: [offer(11), offer(12)] });
    // The waiting offer comes before the reply: a Sluice client makes its own offers once the reply is in
    // and the offers before it are answered.
    expect(await joiner.next()).toEqual(relayed(3, S));
    expect(await joiner.next()).toMatchObject({ action: 'announce', complete: 1, incomplete: 1 });
    // The seeder is not sent the joiner's offers: it would take the second connection for a duplicate.
    await expectNothingPending(seeder);
    joiner.send({ action: 'announce', info_hash: IH, peer_id: J, to_peer_id: S, answer: { type: 'answer', sdp: 'v=0 answer' }, offer_id: bin(3) });
    expect(await seeder.next()).toEqual({ action: 'announce', answer: { type: 'answer', sdp: 'v=0 answer' }, offer_id: bin(3), peer_id: J, info_hash: IH });
    expect(server.stats()).toMatchObject({ waitingOffers: 4, offersKept: 5, offersHandedLate: 1, answersRelayed: 1 });

    // Its next announce soon after (a Sluice client's offers follow its joining announce) gets no kept
    // offer (it was in the swarm already), and its offers still skip the seeder: they are kept, in
    // place of its earlier two.
    now += 1_500;
    joiner.send({ action: 'announce', info_hash: IH, peer_id: J, numwant: 2, left: 9, offers: [offer(21), offer(22)] });
    expect(await joiner.next()).toMatchObject({ action: 'announce' });
    await expectNothingPending(seeder);
    await expectNothingPending(joiner);
    expect(server.stats()).toMatchObject({ waitingOffers: 4 });

    // A re-announce after the join window: its offers go to the seeder as usual, and the one left over
    // replaces the joiner's kept two.
    now += 10_000;
    joiner.send({ action: 'announce', info_hash: IH, peer_id: J, numwant: 2, left: 9, offers: [offer(13), offer(14)] });
    expect(await joiner.next()).toMatchObject({ action: 'announce' });
    expect(await seeder.next()).toEqual(relayed(13, J));
    await expectNothingPending(joiner);
    expect(server.stats()).toMatchObject({ waitingOffers: 3 });

    // A third peer gets one offer from each: the newest first.
    const third = await client();
    third.send({ action: 'announce', info_hash: IH, peer_id: K, numwant: 5, left: 9, event: 'started', offers: [] });
    expect(await third.next()).toEqual(relayed(14, J));
    expect(await third.next()).toEqual(relayed(2, S));
    expect(await third.next()).toMatchObject({ action: 'announce', complete: 1, incomplete: 2 });
    await expectNothingPending(third);
    expect(server.stats()).toMatchObject({ waitingOffers: 1, offersHandedLate: 3, offersDroppedUnhanded: 0 });
  });

  it('drops a peer’s kept offers when it stops or disconnects, and after the TTL', async () => {
    let now = 1_000_000;
    server = await startTrackerServer({ port: 0, clock: () => now });
    const seeder = await client();
    const late = async (peerId: string, others = 1): Promise<void> => {
      const c = await client();
      c.send({ action: 'announce', info_hash: IH, peer_id: peerId, numwant: 5, left: 9, event: 'started', offers: [] });
      expect(await c.next()).toMatchObject({ action: 'announce' });
      await expectNothingPending(c);
      // It leaves again, so the seeder's next offers have nobody to go to.
      c.close();
      await c.closed;
      await connectionsDownTo(others);
    };
    seeder.send({ action: 'announce', info_hash: IH, peer_id: S, numwant: 2, left: 0, offers: [offer(1), offer(2)] });
    await seeder.next();
    now += 40_000;
    await late(bin(0x61));
    expect(server.stats()).toMatchObject({ waitingOffers: 0, offersDroppedUnhanded: 2 });

    seeder.send({ action: 'announce', info_hash: IH, peer_id: S, numwant: 2, left: 0, offers: [offer(3)] });
    await seeder.next();
    seeder.send({ action: 'announce', info_hash: IH, peer_id: S, left: 0, event: 'stopped' });
    await seeder.next();
    await late(bin(0x62));

    seeder.send({ action: 'announce', info_hash: IH, peer_id: S, numwant: 2, left: 0, event: 'started', offers: [offer(4)] });
    await seeder.next();
    expect(server.stats()).toMatchObject({ waitingOffers: 1 });
    seeder.close();
    await seeder.closed;
    await connectionsDownTo(0);
    expect(server.stats()).toMatchObject({ waitingOffers: 0, offersHandedLate: 0 });
    await late(bin(0x63), 0);
  });
});
