import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PiecePicker, type BlockRequest, type PeerBlock } from '../../../src/core/picker/index.js';
import { Bitfield } from '../../../src/core/util/bitfield.js';
import { seededRandom } from './prng.js';

/**
 * A swarm on a fake clock, driven by one seed: peers with random bitfields join, gain pieces, get
 * picked for, deliver (some of them corrupt data), reject, get cancelled and disconnect, while
 * priorities, deadlines and the mode change under them. A model kept beside the picker checks every
 * request as it is made; at the end a good seed joins and the download must finish, every wanted
 * piece verified exactly once.
 */

const BLOCK = 16;

interface SimPeer {
  readonly id: string;
  readonly has: Bitfield | 'all';
  readonly bad: boolean;
}

interface Delivered {
  readonly peerId: string;
  readonly good: boolean;
  readonly length: number;
}

interface Config {
  readonly seed: number;
  readonly lengths: number[];
  readonly priorities: number[];
  readonly initialHave: boolean[];
  readonly endgameMaxRequesters: number;
  readonly urgentMaxRequesters: number;
  readonly steps: number;
}

const configArb: fc.Arbitrary<Config> = fc
  .integer({ min: 1, max: 110 })
  .chain((n) =>
    fc.record({
      seed: fc.integer(),
      lengths: fc.array(fc.integer({ min: 1, max: 5 * BLOCK }), { minLength: n, maxLength: n }),
      priorities: fc.array(fc.oneof(fc.constant(4), fc.constant(0), fc.integer({ min: 0, max: 7 })), { minLength: n, maxLength: n }),
      initialHave: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      endgameMaxRequesters: fc.integer({ min: 1, max: 3 }),
      urgentMaxRequesters: fc.integer({ min: 1, max: 3 }),
      steps: fc.integer({ min: 50, max: 600 }),
    }),
  );

/** A cheap assertion for the hot loop (vitest's expect is slow at hundreds of thousands of calls). */
function ok(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(what);
}

function simulate(cfg: Config): void {
  const n = cfg.lengths.length;
  const rnd = seededRandom(cfg.seed ^ 0x5eed);
  const int = (k: number): number => Math.floor(rnd() * k);
  const chance = (p: number): boolean => rnd() < p;
  const urgentWindowMs = 300;
  const have = Bitfield.fromIndices(n, cfg.initialHave.flatMap((h, i) => (h && chance(0.3) ? [i] : [])));
  const picker = new PiecePicker({
    pieceCount: n,
    pieceLength: cfg.lengths,
    blockSize: BLOCK,
    random: seededRandom(cfg.seed),
    have,
    endgameMaxRequesters: cfg.endgameMaxRequesters,
    urgentMaxRequesters: cfg.urgentMaxRequesters,
    urgentWindowMs,
  });
  const blocksOf = (piece: number): number => Math.ceil(cfg.lengths[piece]! / BLOCK);
  const verified = new Int32Array(n);
  for (let i = 0; i < n; i++) if (have.get(i)) verified[i] = 1;
  for (let i = 0; i < n; i++) picker.setPriority(i, cfg.priorities[i]!);

  const received = new Map<number, Map<number, Delivered>>();
  const outstanding = new Map<string, Set<string>>();
  const late: PeerBlock[] = [];
  const peers: SimPeer[] = [];
  let nextPeer = 0;
  let now = 0;
  const maxRequesters = Math.max(cfg.endgameMaxRequesters, cfg.urgentMaxRequesters);

  const key = (piece: number, begin: number): string => `${piece}:${begin}`;
  const outOf = (id: string): Set<string> => {
    let s = outstanding.get(id);
    if (s === undefined) outstanding.set(id, (s = new Set()));
    return s;
  };
  const peerHas = (p: SimPeer, piece: number): boolean => p.has === 'all' || p.has.get(piece);

  function connect(kind: 'bitfield' | 'all' | 'none', bad: boolean): SimPeer {
    const id = `p${nextPeer++}`;
    if (kind === 'all') {
      picker.peerHaveAll();
      return { id, has: 'all', bad };
    }
    const has = new Bitfield(n);
    if (kind === 'bitfield') {
      const density = rnd();
      for (let i = 0; i < n; i++) if (chance(density)) has.set(i);
      picker.peerBitfield(has);
    } else {
      picker.peerHaveNone();
    }
    return { id, has, bad };
  }

  function handleCancels(cancels: readonly PeerBlock[]): void {
    for (const c of cancels) {
      expect(outOf(c.peerId).delete(key(c.piece, c.begin))).toBe(true);
      // Sometimes the data was already on the wire when our CANCEL went out.
      if (chance(0.3) && peers.some((p) => p.id === c.peerId)) late.push(c);
    }
  }

  function deliver(peer: SimPeer, req: BlockRequest, wasCancelled: boolean): void {
    const good = !(peer.bad && chance(0.5));
    const block = req.begin / BLOCK;
    const alreadyHad = verified[req.piece]! > 0 && picker.hasPiece(req.piece);
    const alreadyReceived = received.get(req.piece)?.has(block) ?? false;
    const r = picker.blockReceived(peer.id, req.piece, req.begin, req.length);
    // Late data for a cancelled request also answers a fresh request for the same block, if any.
    const wasOutstanding = outOf(peer.id).delete(key(req.piece, req.begin));
    if (!wasCancelled) expect(wasOutstanding).toBe(true);
    if (r.status === 'accepted') {
      expect(alreadyHad || alreadyReceived).toBe(false);
      let m = received.get(req.piece);
      if (m === undefined) received.set(req.piece, (m = new Map()));
      m.set(block, { peerId: peer.id, good, length: req.length });
    } else if (r.status === 'duplicate') {
      expect(alreadyHad || alreadyReceived).toBe(true);
    } else {
      // Only a block whose request was cancelled may turn up unexpected (its piece closed meanwhile).
      expect(wasCancelled).toBe(true);
    }
    handleCancels(r.cancels);
    if (!r.pieceComplete) return;
    const m = received.get(req.piece)!;
    expect(m.size).toBe(blocksOf(req.piece));
    let bytes = 0;
    for (const d of m.values()) bytes += d.length;
    expect(bytes).toBe(cfg.lengths[req.piece]);
    received.delete(req.piece);
    if ([...m.values()].every((d) => d.good)) {
      handleCancels(picker.pieceVerified(req.piece));
      verified[req.piece]!++;
      expect(verified[req.piece]).toBe(1);
    } else {
      const failed = picker.pieceFailed(req.piece);
      const deliverers = new Set([...m.values()].map((d) => d.peerId));
      expect(new Set(failed.contributors)).toEqual(deliverers);
      expect(failed.contributors).toHaveLength(deliverers.size);
      handleCancels(failed.cancels);
    }
  }

  function pickFor(peer: SimPeer, max: number): void {
    const reqs = picker.pick({ id: peer.id, has: peer.has }, max, now);
    ok(reqs.length <= max, 'too many requests');
    const endgame = picker.isEndgame();
    const seen = new Set<string>();
    for (const r of reqs) {
      const k = key(r.piece, r.begin);
      ok(!seen.has(k), `${k} twice in one pick`);
      seen.add(k);
      ok(peerHas(peer, r.piece), `${k} from a peer that lacks the piece`);
      ok(!picker.hasPiece(r.piece) && verified[r.piece] === 0, `${k} of a piece we have`);
      ok(picker.priority(r.piece) > 0, `${k} of a skipped piece`);
      ok(r.begin % BLOCK === 0 && r.begin < cfg.lengths[r.piece]!, `${k} is not a block boundary`);
      ok(r.length === Math.min(BLOCK, cfg.lengths[r.piece]! - r.begin), `${k} has length ${r.length}`);
      ok(!(received.get(r.piece)?.has(r.begin / BLOCK) ?? false), `${k} was already received`);
      ok(!outOf(peer.id).has(k), `${k} already in flight to the peer`);
      outOf(peer.id).add(k);
      const requesters = picker.requestersOf(r.piece, r.begin);
      ok(requesters.includes(peer.id), `${k} not recorded`);
      ok(requesters.length <= maxRequesters, `${k} has ${requesters.length} requesters`);
      if (requesters.length > 1) {
        const deadline = picker.deadlineOf(r.piece);
        const urgent = deadline !== undefined && deadline - now <= urgentWindowMs;
        ok(endgame || urgent, `${k} duplicated outside endgame and urgency`);
        if (!urgent) ok(requesters.length <= cfg.endgameMaxRequesters, `${k} over the endgame bound`);
      }
    }
  }

  function requestsOf(id: string): BlockRequest[] {
    return [...outOf(id)].map((k) => {
      const [piece, begin] = k.split(':').map(Number) as [number, number];
      return { piece, begin, length: Math.min(BLOCK, cfg.lengths[piece]! - begin) };
    });
  }

  function disconnect(index: number): void {
    const peer = peers[index]!;
    const released = picker.peerGone(peer.id).map((r) => key(r.piece, r.begin));
    expect(new Set(released)).toEqual(outOf(peer.id));
    expect(released).toHaveLength(outOf(peer.id).size);
    outstanding.delete(peer.id);
    picker.peerLeft(peer.has);
    peers.splice(index, 1);
    for (let i = late.length - 1; i >= 0; i--) if (late[i]!.peerId === peer.id) late.splice(i, 1);
  }

  function checkAvailability(piece: number): void {
    const expected = peers.filter((p) => peerHas(p, piece)).length;
    ok(picker.availability(piece) === expected, `availability of ${piece} is ${picker.availability(piece)}, expected ${expected}`);
  }

  for (let step = 0; step < cfg.steps; step++) {
    now += int(50);
    const action = int(100);
    if (action < 10 || peers.length === 0) {
      if (peers.length < 8) peers.push(connect(chance(0.15) ? 'all' : chance(0.1) ? 'none' : 'bitfield', chance(0.2)));
    } else if (action < 18) {
      const peer = peers[int(peers.length)]!;
      if (peer.has !== 'all') {
        const piece = int(n);
        if (peer.has.set(piece)) picker.peerHave(piece);
      }
    } else if (action < 45) {
      pickFor(peers[int(peers.length)]!, 1 + int(6));
    } else if (action < 75) {
      const withWork = peers.filter((p) => outOf(p.id).size > 0);
      if (withWork.length > 0) {
        const peer = withWork[int(withWork.length)]!;
        const reqs = requestsOf(peer.id);
        deliver(peer, reqs[int(reqs.length)]!, false);
      }
    } else if (action < 80) {
      if (late.length > 0) {
        const l = late.splice(int(late.length), 1)[0]!;
        deliver(peers.find((p) => p.id === l.peerId)!, l, true);
      }
    } else if (action < 85) {
      const withWork = peers.filter((p) => outOf(p.id).size > 0);
      if (withWork.length > 0) {
        const peer = withWork[int(withWork.length)]!;
        const reqs = requestsOf(peer.id);
        const r = reqs[int(reqs.length)]!;
        const ok = chance(0.5) ? picker.requestRejected(peer.id, r.piece, r.begin) : picker.requestCancelled(peer.id, r.piece, r.begin);
        expect(ok).toBe(true);
        outOf(peer.id).delete(key(r.piece, r.begin));
        if (chance(0.3)) late.push({ peerId: peer.id, ...r });
      }
    } else if (action < 90) {
      disconnect(int(peers.length));
    } else if (action < 94) {
      const start = int(n);
      const end = chance(0.2) ? n : Math.min(n, start + 1 + int(4));
      picker.setPriorityRange(chance(0.2) ? 0 : start, end, chance(0.3) ? 0 : 1 + int(7));
    } else if (action < 98) {
      const piece = int(n);
      if (chance(0.7)) picker.setDeadline(piece, now + int(1500));
      else if (chance(0.5)) picker.clearDeadline(piece);
      else picker.clearDeadlines();
    } else {
      picker.setSequential(!picker.isSequential());
    }
    checkAvailability(int(n));
  }
  for (let i = 0; i < n; i++) checkAvailability(i);
  for (const p of peers) expect(picker.outstandingCount(p.id)).toBe(outOf(p.id).size);

  // Drain: corrupt peers go, a good seed comes, late data lands, and everything wanted must finish.
  for (let i = peers.length - 1; i >= 0; i--) if (peers[i]!.bad) disconnect(i);
  peers.push(connect('all', false));
  while (late.length > 0) {
    const l = late.pop()!;
    deliver(peers.find((p) => p.id === l.peerId)!, l, true);
  }
  let rounds = 0;
  while (!picker.isComplete()) {
    expect(++rounds).toBeLessThan(200);
    now += 10;
    for (const peer of peers) pickFor(peer, 8);
    for (const peer of [...peers]) {
      for (const r of requestsOf(peer.id)) {
        // Earlier deliveries in this loop may have cancelled this one.
        if (outOf(peer.id).has(key(r.piece, r.begin))) deliver(peer, r, false);
      }
    }
  }
  expect(picker.wantedRemaining()).toBe(0);
  for (let i = 0; i < n; i++) {
    if (picker.priority(i) > 0) {
      expect(picker.hasPiece(i)).toBe(true);
      expect(verified[i]).toBe(1);
    }
    expect(verified[i]).toBeLessThanOrEqual(1);
  }
  for (const p of peers) expect(picker.outstandingCount(p.id)).toBe(outOf(p.id).size);
}

describe('PiecePicker in a simulated swarm', () => {
  it('completes every wanted piece exactly once, never asks for what the peer lacks or we have, never loses a block', () => {
    fc.assert(fc.property(configArb, (cfg) => simulate(cfg)), { numRuns: 300 });
  });
});
