import { describe, expect, it } from 'vitest';
import { deadlineSwarm as swarm, PIECE_LENGTH } from './deadline-swarm.js';

const PIECES = 40;

describe('DeadlinePreemption', () => {
  it('a deadline set behind 100 queued ordinary requests is served next: the ordinary ones ahead are cancelled and asked for again later', () => {
    const h = swarm();
    const s = h.peer('10.0.0.1:1', 100);
    h.fetcher.fill(s.link);
    h.deliver(s);
    const state = h.peers.get(s)!;
    expect(state.queue).toHaveLength(100);
    // A piece none of the queued requests is for (the picker picks at random among equals).
    const last = [...Array(PIECES).keys()].reverse().find((p) => !state.queue.some((q) => q.index === p))!;

    h.picker.setDeadline(last, h.now() + 500);
    h.fetcher.fill(s.link);
    h.deliver(s);
    // Everything but the two oldest requests (already being sent) made way: 98 cancels.
    expect(state.cancels).toBe(98);
    expect(h.fetcher.preemption.cancelled).toBe(98);
    const firstDeadline = state.queue.findIndex((q) => q.index === last);
    expect(firstDeadline).toBe(2);
    expect(state.queue.slice(2, 6).map((q) => q.index)).toEqual([last, last, last, last]);

    // Count the ordinary blocks that arrive before the deadline piece is whole.
    let ordinaryBefore = 0;
    while (!h.completed.includes(last)) {
      const q = h.serve(s)!;
      if (q.index !== last) ordinaryBefore++;
    }
    expect(ordinaryBefore).toBe(2);

    // The rest of the torrent still comes, every block once: the cancelled ones were asked for again.
    for (let i = 0; i < 1000 && h.completed.length < PIECES; i++) h.serve(s);
    expect(new Set(h.completed).size).toBe(PIECES);
    expect(h.picker.isComplete()).toBe(true);
    // No request leaks: nothing outstanding anywhere, and every block asked for is answered or cancelled.
    expect(state.queue).toEqual([]);
    expect(s.link.pipeline.outstanding).toBe(0);
    expect(h.picker.outstandingCount(s.link.address)).toBe(0);
    expect(state.requests.length - state.cancels).toBe(PIECES * 4);
    expect(h.fetcher.downloaded).toBe(PIECES * PIECE_LENGTH);
  });

  it('asks the fastest unchoked peer for a deadline piece, past its pipeline depth', () => {
    const h = swarm();
    const slow = h.peer('10.0.0.1:1', 30);
    const fast = h.peer('10.0.0.2:1', 30);
    h.fetcher.fill(slow.link);
    h.fetcher.fill(fast.link);
    h.deliver(slow);
    h.deliver(fast);
    // The fast peer sends three blocks for each one of the slow peer.
    for (let i = 0; i < 8; i++) {
      h.serve(slow);
      for (let k = 0; k < 3; k++) h.serve(fast);
    }
    const queued = h.peers.get(fast)!.queue.length;
    expect(queued).toBeGreaterThan(20);
    const free = [...Array(PIECES).keys()].find((p) => h.picker.requestersOf(p, 0).length === 0 && !h.completed.includes(p))!;
    h.picker.setDeadline(free, h.now() + 5000);
    h.fetcher.fill(slow.link);
    h.deliver(slow);
    h.deliver(fast);
    expect(h.peers.get(fast)!.queue.filter((q) => q.index === free)).toHaveLength(4);
    expect(h.peers.get(slow)!.queue.filter((q) => q.index === free)).toHaveLength(0);
  });

  it('a deadline the queue ahead of it meets anyway cancels nothing', () => {
    const h = swarm();
    const s = h.peer('10.0.0.1:1', 8);
    h.fetcher.fill(s.link);
    h.deliver(s);
    for (let i = 0; i < 40; i++) h.serve(s);
    const state = h.peers.get(s)!;
    const before = state.queue.length;
    expect(before).toBeGreaterThan(4);
    // The queue drains in well under a minute at this peer's rate.
    const free = [...Array(PIECES).keys()].find((p) => h.picker.requestersOf(p, 0).length === 0 && !h.completed.includes(p))!;
    h.picker.setDeadline(free, h.now() + 60_000);
    h.fetcher.fill(s.link);
    h.deliver(s);
    expect(state.cancels).toBe(0);
    expect(state.queue.slice(before).map((q) => q.index)).toEqual([free, free, free, free]);
  });

  it('a seek: the old position\'s read-ahead queued ahead of the new position\'s first piece (due earlier) makes way at a peer that honours CANCEL', () => {
    const h = swarm();
    const s = h.peer('10.0.0.1:1', 4, 'rejects');
    h.fetcher.fill(s.link);
    h.deliver(s);
    // The player read up to piece 10 and stopped: pieces 10-19 are its read-ahead, due in the past by now.
    for (let p = 10; p < 20; p++) h.picker.setDeadline(p, h.now() - 5_000 + (p - 10) * 10);
    h.fetcher.fill(s.link);
    h.deliver(s);
    // The peer rejects what was cancelled to make way: it honours CANCEL, so its queue may grow, and the
    // next look at the deadlines (250 ms on) asks for all of the read-ahead.
    for (let i = 0; i < 4; i++) h.serve(s);
    expect(s.link.pipeline.cancelVerdict).toBe('honours');
    const state = h.peers.get(s)!;
    expect(state.queue.filter((q) => q.index >= 10 && q.index < 20).length).toBeGreaterThan(20);
    // It seeks to piece 30: a startup piece, due an hour early (stream-deadlines.ts).
    h.picker.setDeadline(30, h.now() - 3_600_000);
    h.fetcher.fill(s.link);
    h.deliver(s);
    // Only the two oldest requests (already being sent) stay ahead of it.
    expect(h.serveUntil(s, 30).length).toBeLessThanOrEqual(2);
    // The old read-ahead is asked for again behind it, and every block comes once.
    for (let i = 0; i < 1000 && h.completed.length < PIECES; i++) h.serve(s);
    expect(h.picker.isComplete()).toBe(true);
    expect(h.fetcher.downloaded).toBe(PIECES * PIECE_LENGTH);
  });

  it('without deadlines the pipeline is left alone', () => {
    const h = swarm();
    const s = h.peer('10.0.0.1:1', 100);
    h.fetcher.fill(s.link);
    h.deliver(s);
    for (let i = 0; i < 50; i++) h.serve(s);
    expect(h.peers.get(s)!.cancels).toBe(0);
    expect(h.fetcher.preemption.requested).toBe(0);
  });
});
