import { describe, expect, it } from 'vitest';
import { WaitingOffers, type WaitingOffersLimits } from '../../../sidecar/src/tracker-server/waiting-offers.js';

const limits: WaitingOffersLimits = { waitingOfferTtlMs: 40_000, maxWaitingOffersPerPeer: 3, maxWaitingOffersPerSwarm: 5, maxWaitingOfferChars: 1_000 };
const H = 'h'.repeat(20);
const G = 'g'.repeat(20);
const peer = (n: number) => String(n).padStart(20, 'p');
const offers = (from: number, count: number, sdp = 'v=0') => Array.from({ length: count }, (_, i) => ({ offerId: String(from + i).padStart(20, 'o'), sdp: `${sdp} ${from + i}` }));
const always = () => true;
const ids = (list: readonly { offerId: string }[]) => list.map((o) => Number(o.offerId.replace(/^o+/, '')));

describe('WaitingOffers', () => {
  it('hands each offer to one joiner only, newest first, one per offering peer, never the offerer its own', () => {
    const w = new WaitingOffers<string>(limits);
    w.keep(H, peer(1), 'a', offers(10, 3), 0);
    w.keep(H, peer(2), 'b', offers(20, 2), 1);
    expect(w.take(H, peer(1), 5, 2, always).map((o) => [o.peerId, Number(o.offerId.replace(/^o+/, ''))])).toEqual([[peer(2), 21]]);
    const second = w.take(H, peer(3), 5, 2, always);
    expect(second.map((o) => o.peerId)).toEqual([peer(2), peer(1)]);
    expect(ids(second)).toEqual([20, 12]);
    expect(second[1]).toMatchObject({ infoHash: H, link: 'a', sdp: 'v=0 12', expiresAt: 40_000 });
    // Left: peer 1's offers 10 and 11; a joiner asking for 5 still gets one of them.
    expect(ids(w.take(H, peer(4), 5, 3, always))).toEqual([11]);
    expect(ids(w.take(H, peer(5), 1, 3, always))).toEqual([10]);
    expect(w.take(H, peer(6), 5, 3, always)).toEqual([]);
    expect(w.take(G, peer(6), 5, 3, always)).toEqual([]);
    expect({ size: w.size, kept: w.kept, handed: w.handed, dropped: w.dropped, chars: w.heldChars }).toEqual({ size: 0, kept: 5, handed: 5, dropped: 0, chars: 0 });
  });

  it('keeps at most the per-peer bound of one announce, and a new announce replaces what the peer had', () => {
    const w = new WaitingOffers<string>(limits);
    w.keep(H, peer(1), 'a', offers(10, 5), 0);
    expect(w.size).toBe(3);
    w.keep(H, peer(1), 'a', offers(30, 1), 1);
    expect(w.size).toBe(1);
    expect(ids(w.take(H, peer(2), 5, 2, always))).toEqual([30]);
    w.keep(H, peer(1), 'a', offers(40, 2), 3);
    w.keep(H, peer(1), 'a', [], 4); // an announce with no offers to spare withdraws them too
    expect(w.size).toBe(0);
  });

  it('gives nothing after the TTL, and the sweep drops what expired', () => {
    const w = new WaitingOffers<string>(limits);
    w.keep(H, peer(1), 'a', offers(10, 1), 0);
    w.keep(H, peer(2), 'b', offers(20, 1), 10_000);
    expect(w.take(H, peer(3), 5, 40_000, always).map((o) => o.peerId)).toEqual([peer(2)]);
    expect(w.dropped).toBe(1); // peer 1's, found expired on the way
    w.keep(H, peer(4), 'c', offers(40, 2), 20_000);
    expect(w.sweep(59_999)).toBe(0);
    expect(w.sweep(60_000)).toBe(2);
    expect({ size: w.size, dropped: w.dropped, chars: w.heldChars }).toEqual({ size: 0, dropped: 3, chars: 0 });
  });

  it('skips and drops offers whose peer is gone, and drops a peer on demand (only its own link when given)', () => {
    const w = new WaitingOffers<string>(limits);
    w.keep(H, peer(1), 'a', offers(10, 2), 0);
    w.keep(H, peer(2), 'b', offers(20, 2), 0);
    expect(ids(w.take(H, peer(3), 5, 1, (o) => o.link !== 'b'))).toEqual([11]);
    expect(w.size).toBe(1); // peer 2's are gone, 10 is left
    w.dropPeer(H, peer(1), 'other link');
    expect(w.size).toBe(1);
    w.dropPeer(H, peer(1), 'a');
    expect(w.size).toBe(0);
    w.keep(H, peer(1), 'a', offers(10, 2), 0);
    w.dropPeer(H, peer(1));
    expect(w.size).toBe(0);
  });

  it('bounds a swarm and the total, pushing out the oldest', () => {
    const w = new WaitingOffers<string>(limits);
    for (let p = 1; p <= 3; p++) w.keep(H, peer(p), `l${p}`, offers(p * 10, 3), p);
    expect(w.size).toBe(5); // 9 kept, the swarm holds 5: peer 3's three and peer 2's last two
    expect(w.dropped).toBe(4);
    expect(ids(w.take(H, peer(9), 5, 5, always))).toEqual([32, 22]);
    const big = new WaitingOffers<string>({ ...limits, maxWaitingOffersPerSwarm: 100, maxWaitingOfferChars: 100 });
    big.keep(H, peer(1), 'a', offers(10, 1, 'x'.repeat(60)), 0);
    big.keep(G, peer(2), 'b', offers(20, 1, 'y'.repeat(60)), 1);
    expect(big.size).toBe(1);
    expect(big.heldChars).toBe(63);
    expect(big.take(H, peer(3), 5, 2, always)).toEqual([]);
    expect(ids(big.take(G, peer(3), 5, 2, always))).toEqual([20]);
    big.keep(H, peer(1), 'a', offers(10, 1, 'z'.repeat(200)), 3); // larger than the whole bound: not kept
    expect(big.size).toBe(0);
  });

  it('keeps nothing with a TTL of 0', () => {
    const w = new WaitingOffers<string>({ ...limits, waitingOfferTtlMs: 0 });
    w.keep(H, peer(1), 'a', offers(10, 3), 0);
    expect(w.size).toBe(0);
    expect(w.take(H, peer(2), 5, 0, always)).toEqual([]);
  });
});
