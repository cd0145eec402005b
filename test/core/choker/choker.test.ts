import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Choker, slotsForUploadLimit } from '../../../src/core/choker/index.js';
import type { ChokerPeerView, RechokeResult } from '../../../src/core/choker/index.js';

/** Deterministic PRNG (mulberry32) so draws are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function peer(id: string, over: Partial<ChokerPeerView> = {}): ChokerPeerView {
  return {
    id,
    interested: true,
    amChoking: true,
    downloadRate: 0,
    uploadRate: 0,
    snubbed: false,
    connectedAt: -1_000_000,
    isSeed: false,
    ...over,
  };
}

/** Applies a rechoke's decisions to the peers, as the coordinator would after sending CHOKE/UNCHOKE. */
function apply(peers: ChokerPeerView[], r: RechokeResult): ChokerPeerView[] {
  return peers.map((p) => ({ ...p, amChoking: !r.unchoked.has(p.id) }));
}

const sorted = (ids: Iterable<string>): string[] => [...ids].sort();

describe('Choker — leeching (tit-for-tat)', () => {
  it('unchokes the 4 fastest uploaders to us plus one optimistic peer from the rest', () => {
    const c = new Choker({ random: () => 0 });
    const peers = [
      peer('a', { downloadRate: 100 }),
      peer('b', { downloadRate: 600 }),
      peer('c', { downloadRate: 300 }),
      peer('d', { downloadRate: 500 }),
      peer('e', { downloadRate: 400 }),
      peer('f', { downloadRate: 200 }),
    ];
    const r = c.rechoke(peers, 0);
    // The optimistic draw comes first (random 0 → first choked candidate: 'a'), then the 4 best of the rest.
    expect(r.optimistic).toEqual(['a']);
    expect(sorted(r.unchoked)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(sorted(r.toUnchoke)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(r.toChoke).toEqual([]);
  });

  it('never unchokes uninterested peers or seeds, whatever their rate, and chokes them if unchoked', () => {
    const c = new Choker({ random: () => 0 });
    const peers = [
      peer('lazy', { interested: false, downloadRate: 9e9, amChoking: false }),
      peer('seed', { isSeed: true, downloadRate: 9e9 }),
      peer('x', { downloadRate: 10 }),
    ];
    const r = c.rechoke(peers, 0);
    expect(sorted(r.unchoked)).toEqual(['x']);
    expect(r.toChoke).toEqual(['lazy']);
  });

  it('keeps snubbed peers out of regular slots but lets them win the optimistic draw', () => {
    const c = new Choker({ random: () => 0 });
    const r = c.rechoke([peer('snub', { snubbed: true, downloadRate: 1e6 }), peer('ok', { downloadRate: 1 })], 0);
    expect(r.optimistic).toEqual(['snub']);
    expect(sorted(r.unchoked)).toEqual(['ok', 'snub']);
    const noOptimistic = new Choker({ optimisticSlots: 0 });
    const r2 = noOptimistic.rechoke([peer('snub', { snubbed: true, downloadRate: 1e6 }), peer('ok')], 0);
    expect(sorted(r2.unchoked)).toEqual(['ok']);
  });

  it('chokes a regular peer that fell behind and unchokes the one that overtook it', () => {
    const c = new Choker({ slots: 2, optimisticSlots: 0 });
    let peers = [peer('a', { downloadRate: 300 }), peer('b', { downloadRate: 200 }), peer('c', { downloadRate: 100 })];
    peers = apply(peers, c.rechoke(peers, 0));
    expect(peers.filter((p) => !p.amChoking).map((p) => p.id)).toEqual(['a', 'b']);
    peers = peers.map((p) => (p.id === 'c' ? { ...p, downloadRate: 1000 } : p));
    const r = c.rechoke(peers, 10_000);
    expect(r.toChoke).toEqual(['b']);
    expect(r.toUnchoke).toEqual(['c']);
  });

  it('on equal rates keeps the peers already unchoked (no flapping)', () => {
    const c = new Choker({ slots: 2, optimisticSlots: 0 });
    const peers = [peer('a'), peer('b'), peer('c', { amChoking: false }), peer('d', { amChoking: false })];
    const r = c.rechoke(peers, 0);
    expect(sorted(r.unchoked)).toEqual(['c', 'd']);
    expect(r.toUnchoke).toEqual([]);
    expect(r.toChoke).toEqual([]);
  });

  it('exposes the next rechoke deadline: due at once, then 10 s after each rechoke', () => {
    const c = new Choker();
    expect(c.nextRechokeAt).toBe(Number.NEGATIVE_INFINITY);
    c.rechoke([], 1234);
    expect(c.nextRechokeAt).toBe(11_234);
    c.rechoke([], 5000); // an early rechoke (e.g. a slot freed) restarts the period
    expect(c.nextRechokeAt).toBe(15_000);
  });

  it('ignores duplicate ids (first view wins)', () => {
    const c = new Choker({ slots: 4, optimisticSlots: 0 });
    const r = c.rechoke([peer('a', { downloadRate: 5 }), peer('a', { interested: false })], 0);
    expect(sorted(r.unchoked)).toEqual(['a']);
  });
});

describe('Choker — optimistic unchoke', () => {
  it('rotates every 30 s, not at every 10 s rechoke', () => {
    const c = new Choker({ slots: 0, random: seeded(1) });
    let peers = ['a', 'b', 'c', 'd'].map((id) => peer(id));
    const holders: string[] = [];
    for (let t = 0; t <= 90_000; t += 10_000) {
      const r = c.rechoke(peers, t);
      expect(r.optimistic).toHaveLength(1);
      holders.push(r.optimistic[0]!);
      peers = apply(peers, r);
    }
    // Periods [0,30), [30,60), [60,90), [90,…): constant inside, different across a boundary.
    for (const start of [0, 3, 6]) {
      expect(holders[start + 1]).toBe(holders[start]);
      expect(holders[start + 2]).toBe(holders[start]);
      expect(holders[start + 3]).not.toBe(holders[start]);
    }
  });

  it('keeps the slot with the only candidate rather than leaving it empty', () => {
    const c = new Choker({ slots: 0 });
    let peers = [peer('solo')];
    peers = apply(peers, c.rechoke(peers, 0));
    const r = c.rechoke(peers, 30_000);
    expect(r.optimistic).toEqual(['solo']);
    expect(r.toUnchoke).toEqual([]);
    expect(r.toChoke).toEqual([]);
  });

  it('refills an optimistic slot at once when its holder leaves or loses interest', () => {
    const c = new Choker({ slots: 0, random: () => 0 });
    let peers = [peer('a'), peer('b')];
    peers = apply(peers, c.rechoke(peers, 0));
    expect(peers.find((p) => !p.amChoking)?.id).toBe('a');
    peers = peers.map((p) => (p.id === 'a' ? { ...p, interested: false } : p));
    const r = c.rechoke(peers, 10_000);
    expect(r.optimistic).toEqual(['b']);
    expect(r.toChoke).toEqual(['a']);
  });

  it('weights newly connected peers 3x (mainline): the draw maps [0.5, 1) to the one new peer of four', () => {
    const now = 100_000;
    const peers = [
      peer('old1', { connectedAt: 0 }),
      peer('old2', { connectedAt: 0 }),
      peer('old3', { connectedAt: 0 }),
      peer('new', { connectedAt: now - 5_000 }),
    ];
    // Weights 1,1,1,3 out of 6: the new peer owns half of [0, 1).
    expect(new Choker({ slots: 0, random: () => 0.49 }).rechoke(peers, now).optimistic).toEqual(['old3']);
    expect(new Choker({ slots: 0, random: () => 0.5 }).rechoke(peers, now).optimistic).toEqual(['new']);
    expect(new Choker({ slots: 0, random: () => 0.999 }).rechoke(peers, now).optimistic).toEqual(['new']);

    const rnd = seeded(42);
    let wins = 0;
    const draws = 2000;
    for (let i = 0; i < draws; i++) {
      if (new Choker({ slots: 0, random: rnd }).rechoke(peers, now).optimistic[0] === 'new') wins++;
    }
    expect(wins / draws).toBeGreaterThan(0.45);
    expect(wins / draws).toBeLessThan(0.55);
  });

  it('does not count a peer as new once it has been connected for 30 s', () => {
    const peers = [peer('old', { connectedAt: 0 }), peer('older', { connectedAt: -50_000 })];
    // Equal weights: 0.5 falls on the second candidate.
    expect(new Choker({ slots: 0, random: () => 0.5 }).rechoke(peers, 30_000).optimistic).toEqual(['older']);
  });
});

describe('Choker — seeding', () => {
  const rates = { a: 100, b: 400, c: 300, d: 200, e: 500, f: 50 } as const;
  const makePeers = (): ChokerPeerView[] =>
    Object.entries(rates).map(([id, uploadRate]) => peer(id, { uploadRate, downloadRate: 0 }));

  it('fastest-upload keeps the peers we upload to fastest', () => {
    const c = new Choker({ slots: 3, optimisticSlots: 0, seedingAlgorithm: 'fastest-upload' });
    let peers = makePeers();
    for (let t = 0; t <= 120_000; t += 10_000) {
      const r = c.rechoke(peers, t, 'seeding');
      expect(sorted(r.unchoked)).toEqual(['b', 'c', 'e']);
      peers = apply(peers, r);
    }
  });

  it('round-robin (default) gives every interested peer a turn and keeps the slot count exact', () => {
    const c = new Choker({ slots: 2, optimisticSlots: 0 });
    let peers = makePeers();
    const served = new Set<string>();
    const timeline: string[][] = [];
    for (let t = 0; t <= 120_000; t += 10_000) {
      const r = c.rechoke(peers, t, 'seeding');
      expect(r.unchoked.size).toBe(2);
      for (const id of r.unchoked) served.add(id);
      timeline.push(sorted(r.unchoked));
      peers = apply(peers, r);
    }
    expect(sorted(served)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    // A holder keeps its slot for one 30 s quantum (3 rechokes) before it goes to the back.
    expect(timeline[0]).toEqual(timeline[1]);
    expect(timeline[1]).toEqual(timeline[2]);
    expect(timeline[3]).not.toEqual(timeline[0]);
  });

  it('ignores download rates and snubbing when seeding', () => {
    const c = new Choker({ slots: 1, optimisticSlots: 0, seedingAlgorithm: 'fastest-upload' });
    const r = c.rechoke(
      [peer('fastdown', { downloadRate: 1e9, uploadRate: 1 }), peer('snubbed', { snubbed: true, uploadRate: 9 })],
      0,
      'seeding',
    );
    expect(sorted(r.unchoked)).toEqual(['snubbed']);
  });
});

describe('Choker — slot count', () => {
  it('follows mainline thresholds for an upload limit', () => {
    expect(slotsForUploadLimit(null)).toBe(4);
    expect(slotsForUploadLimit(0)).toBe(4);
    expect(slotsForUploadLimit(8 * 1024)).toBe(2);
    expect(slotsForUploadLimit(10 * 1024)).toBe(3);
    expect(slotsForUploadLimit(20 * 1024)).toBe(4);
    expect(slotsForUploadLimit(100 * 1024)).toBe(7); // floor(sqrt(60))
    expect(slotsForUploadLimit(1024 * 1024)).toBe(24); // floor(sqrt(614.4))
  });

  it('sizes slots from the upload limit unless fixed', () => {
    const c = new Choker({ uploadLimit: 8 * 1024 });
    expect(c.slots).toBe(2);
    c.setUploadLimit(1024 * 1024);
    expect(c.slots).toBe(24);
    const fixed = new Choker({ slots: 5 });
    fixed.setUploadLimit(8 * 1024);
    expect(fixed.slots).toBe(5);
  });
});

describe('Choker — properties', () => {
  const arbPeer = fc.record({
    interested: fc.boolean(),
    downloadRate: fc.oneof(fc.nat(1e7), fc.constant(Number.NaN)),
    uploadRate: fc.nat(1e7),
    snubbed: fc.boolean(),
    connectedAt: fc.integer({ min: -100_000, max: 100_000 }),
    isSeed: fc.boolean(),
  });

  it('never unchokes more than slots + optimistic, nor an uninterested peer or a seed; decisions are consistent', () => {
    fc.assert(
      fc.property(
        fc.array(arbPeer, { maxLength: 30 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 2 }),
        fc.array(fc.record({ dt: fc.integer({ min: 0, max: 40_000 }), flip: fc.nat(40), seeding: fc.boolean() }), {
          maxLength: 15,
        }),
        fc.integer(),
        (views, slots, optimisticSlots, steps, seed) => {
          const c = new Choker({ slots, optimisticSlots, random: seeded(seed) });
          let peers: ChokerPeerView[] = views.map((v, i) => ({ ...v, id: `p${i}`, amChoking: true }));
          let t = 0;
          for (const step of steps) {
            t += step.dt;
            const target = peers[step.flip];
            if (target) peers = peers.map((p) => (p === target ? { ...p, interested: !p.interested } : p));
            const r = c.rechoke(peers, t, step.seeding ? 'seeding' : 'leeching');
            expect(r.unchoked.size).toBeLessThanOrEqual(slots + optimisticSlots);
            expect(r.optimistic.length).toBeLessThanOrEqual(optimisticSlots);
            for (const id of r.unchoked) {
              const p = peers.find((q) => q.id === id)!;
              expect(p.interested && !p.isSeed).toBe(true);
            }
            for (const id of r.toUnchoke) expect(peers.find((q) => q.id === id)!.amChoking).toBe(true);
            for (const id of r.toChoke) {
              expect(peers.find((q) => q.id === id)!.amChoking).toBe(false);
              expect(r.unchoked.has(id)).toBe(false);
            }
            expect(c.nextRechokeAt).toBe(t + 10_000);
            peers = apply(peers, r);
          }
        },
      ),
    );
  });

  it('optimistic slot rotates at every 30 s boundary when another candidate waits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.integer(), (n, seed) => {
        const c = new Choker({ slots: 0, random: seeded(seed) });
        let peers = Array.from({ length: n }, (_, i) => peer(`p${i}`));
        let previous: string | undefined;
        for (let t = 0; t <= 300_000; t += 30_000) {
          const r = c.rechoke(peers, t);
          expect(r.optimistic).toHaveLength(1);
          expect(r.optimistic[0]).not.toBe(previous);
          previous = r.optimistic[0];
          peers = apply(peers, r);
        }
      }),
    );
  });
});
