import { describe, expect, it } from 'vitest';
import { PickerError, PiecePicker, type PickerOptions } from '../../../src/core/picker/index.js';
import { Bitfield } from '../../../src/core/util/bitfield.js';
import { seededRandom } from './prng.js';

const KiB = 1024;
const BLOCK = 16 * KiB;

function picker(pieceCount: number, pieceLength: PickerOptions['pieceLength'] = () => BLOCK, extra: Partial<PickerOptions> = {}) {
  return new PiecePicker({ pieceCount, pieceLength, random: seededRandom(1), ...extra });
}

const seed = { id: 'seed', has: 'all' } as const;

function pieces(requests: readonly { piece: number }[]): number[] {
  return requests.map((r) => r.piece);
}

function pickerError(fn: () => unknown): PickerError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PickerError) return e;
    throw e;
  }
  throw new Error('expected a PickerError');
}

describe('PiecePicker: rarest first', () => {
  /** Availability per piece: [3, 1, 2, 1, 3, 2] from three bitfield peers. */
  function sixPieces(random: () => number): PiecePicker {
    const p = new PiecePicker({ pieceCount: 6, pieceLength: () => BLOCK, random });
    p.peerBitfield(Bitfield.fromIndices(6, [0, 1, 2, 4, 5]));
    p.peerBitfield(Bitfield.fromIndices(6, [0, 2, 4]));
    p.peerBitfield(Bitfield.fromIndices(6, [0, 3, 4, 5]));
    return p;
  }

  it('requests the rarest pieces first', () => {
    const p = sixPieces(seededRandom(3));
    expect([0, 1, 2, 3, 4, 5].map((i) => p.availability(i))).toEqual([3, 1, 2, 1, 3, 2]);
    const order = [];
    for (let i = 0; i < 6; i++) order.push(...pieces(p.pick(seed, 1, 0)));
    expect(new Set(order.slice(0, 2))).toEqual(new Set([1, 3]));
    expect(new Set(order.slice(2, 4))).toEqual(new Set([2, 5]));
    expect(new Set(order.slice(4, 6))).toEqual(new Set([0, 4]));
  });

  it('breaks ties with the injected random: same seed same order, different seeds both orders', () => {
    const run = (s: number): number[] => {
      const p = sixPieces(seededRandom(s));
      const order = [];
      for (let i = 0; i < 6; i++) order.push(...pieces(p.pick(seed, 1, 0)));
      return order;
    };
    expect(run(11)).toEqual(run(11));
    const firsts = new Set<number>();
    const orders = new Set<string>();
    for (let s = 0; s < 40; s++) {
      const order = run(s);
      firsts.add(order[0]!);
      orders.add(order.join());
    }
    expect(firsts).toEqual(new Set([1, 3]));
    // 2 * 2 * 2 tie orders are possible; the random reaches more than one of them for every pair.
    expect(orders.size).toBeGreaterThan(4);
  });

  it('follows availability changes: a HAVE makes a piece commoner, a leaving peer rarer', () => {
    const p = picker(3);
    const a = Bitfield.fromIndices(3, [0, 1, 2]);
    p.peerBitfield(a);
    p.peerHave(0);
    p.peerHave(1);
    p.peerHave(1);
    // availability [2, 3, 1] -> 2, 0, 1
    const b = Bitfield.fromIndices(3, [1]);
    p.peerLeft(b);
    p.peerLeft(b);
    // availability [2, 1, 1]: piece 0 is now the commonest.
    const order = [];
    for (let i = 0; i < 3; i++) order.push(...pieces(p.pick({ id: 'a', has: a }, 1, 0)));
    expect(order[2]).toBe(0);
    expect(p.availability(0)).toBe(2);
  });

  it('counts HAVE ALL peers as seeds without touching every piece', () => {
    const p = picker(4);
    p.peerHaveAll();
    p.peerHaveAll();
    p.peerHave(2);
    expect([0, 1, 2, 3].map((i) => p.availability(i))).toEqual([2, 2, 3, 2]);
    p.peerLeft('all');
    expect(p.availability(2)).toBe(2);
    p.peerHaveNone();
    expect(p.availability(0)).toBe(1);
    p.peerLeft('all');
    expect(pickerError(() => p.peerLeft('all')).code).toBe('picker/availability-underflow');
    expect(pickerError(() => p.peerLeft(Bitfield.fromIndices(4, [1]))).message).toBe(
      'a peer left with piece 1 but no peer was counted for it',
    );
    // The failed peerLeft changed nothing.
    expect(p.availability(2)).toBe(1);
  });

  it('picks the rarest piece the peer has, also for sparse peers and after a long miss streak', () => {
    // 5000 pieces; 'common' peers hold pieces 0..4374, a lone peer holds the 625 commonest + 3 rare ones.
    const n = 5000;
    const p = new PiecePicker({ pieceCount: n, pieceLength: () => BLOCK, random: seededRandom(5) });
    const common = new Bitfield(n);
    for (let i = 0; i < 4375; i++) common.set(i);
    for (let k = 0; k < 3; k++) p.peerBitfield(common);
    const lone = new Bitfield(n);
    for (let i = 0; i < 625; i++) lone.set(i);
    p.peerBitfield(lone);
    // Its pieces have availability 4 (the commonest), so an ordered scan misses > 1024 times first.
    const first = pieces(p.pick({ id: 'lone', has: lone }, 1, 0));
    expect(first).toHaveLength(1);
    expect(first[0]!).toBeLessThan(625);
    // A sparse peer (8 pieces of 5000) with one rarer piece gets that one.
    const sparse = Bitfield.fromIndices(n, [10, 20, 30, 4000, 4001, 4002, 4003, 4999]);
    p.peerBitfield(sparse);
    expect(pieces(p.pick({ id: 'sparse', has: sparse }, 1, 0))).toEqual([4999]);
    expect(pieces(p.pick({ id: 'sparse', has: sparse }, 1, 0))).not.toContain(10);
  });
});

describe('PiecePicker: priorities and modes', () => {
  it('never requests priority 0 pieces, even in endgame', () => {
    const p = picker(6);
    p.peerHaveAll();
    p.setPriorityRange(1, 3, 0);
    p.setPriority(5, 0);
    expect(p.wantedRemaining()).toBe(3);
    const got = pieces(p.pick(seed, 100, 0));
    expect(got.sort()).toEqual([0, 3, 4]);
    expect(p.isEndgame()).toBe(true);
    expect(pieces(p.pick({ id: 'other', has: 'all' }, 100, 0)).sort()).toEqual([0, 3, 4]);
    for (const i of [0, 3, 4]) p.pieceVerified(i);
    expect(p.isComplete()).toBe(true);
    expect(p.pick({ id: 'x', has: 'all' }, 100, 0)).toEqual([]);
  });

  it('serves higher priority classes before rarer pieces of lower classes', () => {
    const p = picker(4);
    p.peerHaveAll();
    p.peerHave(0);
    p.peerHave(1);
    p.peerHave(2);
    // Piece 3 is the rarest but priority 1; piece 0 is common but priority 7.
    p.setPriority(0, 7);
    p.setPriority(3, 1);
    expect(pieces(p.pick(seed, 4, 0))).toEqual([0, expect.any(Number), expect.any(Number), 3]);
  });

  it('keeps the order right after a bulk priority change (rebuild path)', () => {
    const n = 1000;
    const p = picker(n);
    p.peerHaveAll();
    p.setPriorityRange(0, 900, 0);
    p.setPriorityRange(100, 200, 6);
    expect(p.wantedRemaining()).toBe(200);
    const got = pieces(p.pick(seed, 200, 0));
    expect(got.slice(0, 100).every((i) => i >= 100 && i < 200)).toBe(true);
    expect(got.slice(100).every((i) => i >= 900)).toBe(true);
  });

  it('sequential mode takes the lowest wanted index first, within priority classes', () => {
    const p = picker(8, () => 2 * BLOCK);
    p.peerHaveAll();
    for (let i = 0; i < 8; i++) for (let k = 0; k < i; k++) p.peerHave(i); // higher index = commoner
    p.setSequential(true);
    p.setPriority(2, 0);
    p.setPriority(6, 5);
    const got = pieces(p.pick(seed, 16, 0));
    expect(got).toEqual([6, 6, 0, 0, 1, 1, 3, 3, 4, 4, 5, 5, 7, 7]);
    // A failed piece goes back to the front.
    for (const r of [0, BLOCK]) p.blockReceived('seed', 1, r);
    p.pieceFailed(1);
    expect(pieces(p.pick({ id: 'b', has: 'all' }, 1, 0))).toEqual([1]);
  });

  it('sequential mode works for bitfield peers that lack the first pieces', () => {
    const p = picker(50);
    const has = Bitfield.fromIndices(50, [7, 3, 40, 20]);
    p.peerBitfield(has);
    p.setSequential(true);
    expect(pieces(p.pick({ id: 'a', has }, 4, 0))).toEqual([3, 7, 20, 40]);
  });

  it('rejects bad priorities and ranges with typed errors', () => {
    const p = picker(4);
    expect(pickerError(() => p.setPriority(0, 8)).code).toBe('picker/invalid-priority');
    expect(pickerError(() => p.setPriority(0, 1.5)).code).toBe('picker/invalid-priority');
    expect(pickerError(() => p.setPriorityRange(2, 5, 1)).code).toBe('picker/piece-out-of-range');
    expect(pickerError(() => p.peerHave(4)).message).toBe('piece 4 is outside 0..3');
    expect(pickerError(() => p.peerBitfield(new Bitfield(5))).code).toBe('picker/bitfield-size');
  });
});

describe('PiecePicker: deadlines', () => {
  it('picks deadline pieces first, earliest deadline first, ahead of partial pieces', () => {
    const p = picker(10, () => 2 * BLOCK);
    p.peerHaveAll();
    const partial = p.pick(seed, 1, 0)[0]!.piece;
    const others = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((i) => i !== partial);
    p.setDeadline(others[5]!, 5000);
    p.setDeadline(others[2]!, 3000);
    const got = pieces(p.pick({ id: 'b', has: 'all' }, 5, 0));
    expect(got).toEqual([others[2], others[2], others[5], others[5], partial]);
  });

  it('duplicates blocks of a deadline piece only when the deadline is near', () => {
    const p = picker(3, () => 2 * BLOCK, { urgentWindowMs: 500, urgentMaxRequesters: 2 });
    p.peerHaveAll();
    p.setDeadline(1, 10_000);
    expect(pieces(p.pick({ id: 'a', has: 'all' }, 2, 0))).toEqual([1, 1]);
    // Far from the deadline, b gets other pieces.
    expect(pieces(p.pick({ id: 'b', has: 'all' }, 2, 0))).not.toContain(1);
    // Near it, c gets duplicates of piece 1's in-flight blocks; d finds them at the limit.
    expect(p.pick({ id: 'c', has: 'all' }, 2, 9_600)).toEqual([
      { piece: 1, begin: 0, length: BLOCK },
      { piece: 1, begin: BLOCK, length: BLOCK },
    ]);
    expect(p.requestersOf(1, 0)).toEqual(['a', 'c']);
    expect(pieces(p.pick({ id: 'd', has: 'all' }, 2, 9_600))).not.toContain(1);
    const r = p.blockReceived('c', 1, 0, BLOCK);
    expect(r).toEqual({ status: 'accepted', cancels: [{ peerId: 'a', piece: 1, begin: 0, length: BLOCK }], pieceComplete: false });
  });

  it('ignores deadlines on pieces that are skipped, had, or cleared', () => {
    const p = picker(4);
    p.peerHaveAll();
    p.setPriority(0, 0);
    p.setDeadline(0, 1);
    p.pieceVerified(1);
    p.setDeadline(1, 1);
    expect(p.deadlineOf(1)).toBeUndefined();
    p.setDeadline(3, 5);
    p.clearDeadline(3);
    p.setDeadline(2, 5);
    p.clearDeadlines();
    expect(p.deadlineOf(2)).toBeUndefined();
    expect(pieces(p.pick(seed, 4, 0)).sort()).toEqual([2, 3]);
  });
});

describe('PiecePicker: block bookkeeping', () => {
  it('finishes partially requested pieces before opening new ones', () => {
    const p = picker(5, () => 4 * BLOCK);
    const a = Bitfield.fromIndices(5, [0, 1, 2, 3, 4]);
    p.peerBitfield(a);
    p.peerHave(0);
    p.peerHave(1);
    p.peerHave(2); // pieces 3 and 4 are rarest
    const first = p.pick({ id: 'a', has: a }, 2, 0);
    const opened = first[0]!.piece;
    expect(first.map((r) => r.begin)).toEqual([0, BLOCK]);
    // b also has a rarer, untouched piece, but gets the rest of the open one first.
    const second = p.pick({ id: 'b', has: a }, 3, 0);
    expect(second.slice(0, 2)).toEqual([
      { piece: opened, begin: 2 * BLOCK, length: BLOCK },
      { piece: opened, begin: 3 * BLOCK, length: BLOCK },
    ]);
    expect(second[2]!.piece).not.toBe(opened);
    expect(p.availability(second[2]!.piece)).toBe(1);
  });

  it('emits exact block offsets and lengths for short pieces', () => {
    // A v2-like layout: a short piece at the end of each file.
    const lengths = [2 * BLOCK, BLOCK + 5, 3, 2 * BLOCK + 1];
    const p = picker(4, lengths);
    p.peerHaveAll();
    p.setSequential(true);
    expect(p.pick(seed, 10, 0)).toEqual([
      { piece: 0, begin: 0, length: BLOCK },
      { piece: 0, begin: BLOCK, length: BLOCK },
      { piece: 1, begin: 0, length: BLOCK },
      { piece: 1, begin: BLOCK, length: 5 },
      { piece: 2, begin: 0, length: 3 },
      { piece: 3, begin: 0, length: BLOCK },
      { piece: 3, begin: BLOCK, length: BLOCK },
      { piece: 3, begin: 2 * BLOCK, length: 1 },
    ]);
    expect(p.blockReceived('seed', 1, BLOCK, 6).status).toBe('unexpected');
    expect(p.blockReceived('seed', 1, 7, 5).status).toBe('unexpected');
    expect(p.blockReceived('seed', 1, 2 * BLOCK).status).toBe('unexpected');
    expect(p.blockReceived('seed', 9, 0).status).toBe('unexpected');
    expect(p.blockReceived('seed', 1, BLOCK, 5)).toEqual({ status: 'accepted', cancels: [], pieceComplete: false });
    expect(p.blockReceived('seed', 1, 0, BLOCK)).toEqual({ status: 'accepted', cancels: [], pieceComplete: true });
    expect(p.blockReceived('seed', 1, 0, BLOCK).status).toBe('duplicate');
  });

  it('peerGone releases the peer\'s blocks so another peer gets them', () => {
    const p = picker(1, () => 3 * BLOCK);
    p.peerHaveAll();
    expect(p.pick({ id: 'a', has: 'all' }, 2, 0)).toHaveLength(2);
    expect(p.blockReceived('a', 0, 0).status).toBe('accepted');
    expect(p.outstandingCount('a')).toBe(1);
    expect(p.peerGone('a')).toEqual([{ piece: 0, begin: BLOCK, length: BLOCK }]);
    expect(p.outstandingCount('a')).toBe(0);
    expect(p.pick({ id: 'b', has: 'all' }, 5, 0)).toEqual([
      { piece: 0, begin: BLOCK, length: BLOCK },
      { piece: 0, begin: 2 * BLOCK, length: BLOCK },
    ]);
    expect(p.peerGone('nobody')).toEqual([]);
  });

  it('an idle piece goes back to the pool after its only request is cancelled or rejected', () => {
    const p = picker(2, () => BLOCK);
    p.peerHaveAll();
    const [r] = p.pick({ id: 'a', has: 'all' }, 1, 0);
    expect(p.openPieceCount()).toBe(1);
    expect(p.requestRejected('a', r!.piece, r!.begin)).toBe(true);
    expect(p.requestRejected('a', r!.piece, r!.begin)).toBe(false);
    expect(p.openPieceCount()).toBe(0);
    expect(pieces(p.pick({ id: 'b', has: 'all' }, 2, 0)).sort()).toEqual([0, 1]);
    expect(p.requestCancelled('b', 0, 0)).toBe(true);
    expect(p.requestCancelled('b', 0, 1)).toBe(false);
    // c gets the released piece, then (endgame) a duplicate of b's request for piece 1.
    expect(pieces(p.pick({ id: 'c', has: 'all' }, 2, 0))).toEqual([0, 1]);
    expect(p.requestersOf(1, 0)).toEqual(['b', 'c']);
  });

  it('pieceFailed makes every block wanted again and names the contributors', () => {
    const p = picker(1, () => 3 * BLOCK);
    p.peerHaveAll();
    p.pick({ id: 'a', has: 'all' }, 2, 0);
    p.pick({ id: 'b', has: 'all' }, 2, 0);
    p.blockReceived('b', 0, 2 * BLOCK);
    p.blockReceived('a', 0, BLOCK);
    expect(p.blockReceived('a', 0, 0).pieceComplete).toBe(true);
    expect(p.pick({ id: 'c', has: 'all' }, 5, 0)).toEqual([]);
    expect(p.pieceFailed(0)).toEqual({ contributors: ['a', 'b'], cancels: [] });
    expect(p.isComplete()).toBe(false);
    expect(p.pick({ id: 'c', has: 'all' }, 5, 0)).toHaveLength(3);
    for (const begin of [0, BLOCK, 2 * BLOCK]) p.blockReceived('c', 0, begin);
    expect(p.pieceVerified(0)).toEqual([]);
    expect(p.isComplete()).toBe(true);
    expect(p.verifiedCount()).toBe(1);
    // A verified piece later found corrupt is wanted again.
    expect(p.pieceFailed(0)).toEqual({ contributors: [], cancels: [] });
    expect(p.wantedRemaining()).toBe(1);
  });

  it('never requests a piece the peer lacks, nor a piece we have', () => {
    const p = new PiecePicker({ pieceCount: 6, pieceLength: () => BLOCK, random: seededRandom(2), have: Bitfield.fromIndices(6, [1, 2]) });
    const has = Bitfield.fromIndices(6, [1, 2, 4]);
    p.peerBitfield(has);
    expect(p.wantedRemaining()).toBe(4);
    expect(pieces(p.pick({ id: 'a', has }, 10, 0))).toEqual([4]);
    expect(p.pick({ id: 'z', has: new Bitfield(6) }, 10, 0)).toEqual([]);
  });
});

describe('PiecePicker: endgame', () => {
  it('duplicates in-flight blocks, bounded per block, and reports the cancels', () => {
    const p = picker(2, () => 2 * BLOCK);
    p.peerHaveAll();
    expect(p.pick({ id: 'a', has: 'all' }, 4, 0)).toHaveLength(4);
    expect(p.isEndgame()).toBe(true);
    const b = p.pick({ id: 'b', has: 'all' }, 10, 0);
    expect(b).toHaveLength(4);
    expect(p.pick({ id: 'c', has: 'all' }, 10, 0)).toEqual([]); // every block has 2 requesters
    const first = b[0]!;
    expect(p.blockReceived('b', first.piece, first.begin)).toEqual({
      status: 'accepted',
      cancels: [{ peerId: 'a', ...first }],
      pieceComplete: false,
    });
    // a's copy crossed our CANCEL: it is a duplicate.
    expect(p.blockReceived('a', first.piece, first.begin).status).toBe('duplicate');
    const second = b.find((r) => r.piece === first.piece && r.begin !== first.begin)!;
    expect(p.blockReceived('a', second.piece, second.begin).cancels).toEqual([{ peerId: 'b', ...second }]);
    // Verifying the other piece cancels both peers' requests for it.
    const other = 1 - first.piece;
    const cancels = p.pieceVerified(other);
    expect(cancels.map((c) => c.peerId).sort()).toEqual(['a', 'a', 'b', 'b']);
    expect(p.outstandingCount('a')).toBe(0);
    expect(p.outstandingCount('b')).toBe(0);
  });

  it('fills the least-duplicated blocks first and respects a higher bound', () => {
    const p = picker(1, () => 3 * BLOCK, { endgameMaxRequesters: 3 });
    p.peerHaveAll();
    p.pick({ id: 'a', has: 'all' }, 3, 0);
    p.pick({ id: 'b', has: 'all' }, 1, 0);
    expect(p.pick({ id: 'c', has: 'all' }, 3, 0).map((r) => r.begin)).toEqual([BLOCK, 2 * BLOCK, 0]);
    expect(p.requestersOf(0, 0)).toEqual(['a', 'b', 'c']);
    expect(p.pick({ id: 'd', has: 'all' }, 3, 0).map((r) => r.begin)).toEqual([BLOCK, 2 * BLOCK]);
  });

  it('is not endgame while an available block is unrequested, but ignores pieces nobody has', () => {
    const p = picker(3);
    const a = Bitfield.fromIndices(3, [0, 1]);
    p.peerBitfield(a);
    p.pick({ id: 'a', has: a }, 1, 0);
    expect(p.isEndgame()).toBe(false);
    p.pick({ id: 'a', has: a }, 1, 0);
    // Piece 2 is wanted but no peer has it.
    expect(p.isEndgame()).toBe(true);
    expect(p.pick({ id: 'b', has: a }, 5, 0)).toHaveLength(2);
  });
});
