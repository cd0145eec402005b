import { describe, expect, it } from 'vitest';
import { DeadlineBudget } from '../../../src/core/engine/deadline-budget.js';
import { RequestPipeline } from '../../../src/core/pipeline/request-pipeline.js';
import { BLOCK, deadlineSwarm } from './deadline-swarm.js';

const PIECES = 60;

/**
 * A seeder that answers every request in order and ignores CANCEL (webtorrent), on a fake clock: what a
 * deadline waits behind once the engine knows the peer ignores CANCEL.
 */
function ignoringPeerStreaming() {
  const h = deadlineSwarm(PIECES);
  const s = h.peer('10.0.0.1:1', 100, 'ignores');
  h.fetcher.fill(s.link);
  h.deliver(s);
  expect(h.peers.get(s)!.queue).toHaveLength(100);
  // A stream opens at piece 50: its piece due now, read-ahead after it (as readFileStream sets them).
  const readAhead = [50, 51, 52, 53, 54, 55, 56, 57];
  readAhead.forEach((p, k) => h.picker.setDeadline(p, h.now() + k * 1000));
  h.fetcher.fill(s.link);
  h.deliver(s);
  // The cancels (the peer was not known yet) are ignored: the whole first queue still comes first.
  const first = h.serveUntil(s, 50);
  expect(first.length).toBeGreaterThanOrEqual(98);
  expect(s.link.pipeline.cancelVerdict).toBe('ignores');
  // The reader moves on to piece 51 and sets the read-ahead's deadlines again from now.
  readAhead.slice(1).forEach((p, k) => h.picker.setDeadline(p, h.now() + k * 1000));
  return { h, s, readAhead };
}

describe('DeadlineBudget: a peer not known to honour CANCEL keeps a short queue while deadlines exist', () => {
  it('a deadline set while others exist waits behind a few ordinary blocks, not the pipeline', () => {
    const { h, s } = ignoringPeerStreaming();
    // The player asks for another place (the moov at the end, say) while the read-ahead is still due.
    const target = h.freshPiece(20);
    h.picker.setDeadline(target, h.now());
    h.fetcher.fill(s.link);
    h.deliver(s);
    const before = h.serveUntil(s, target);
    const ordinary = before.filter((q) => h.picker.deadlineOf(q.index) === undefined && !(q.index >= 50 && q.index <= 57));
    // At most `ordinaryAhead` (4) ordinary blocks were queued there, plus the read-ahead's due earlier
    // (its piece 51, due now): 8 deadline requests at this peer's rate (200 KB/s × 500 ms, at least 8).
    expect(ordinary.length).toBeLessThanOrEqual(4);
    expect(before.length).toBeLessThanOrEqual(12);
  });

  it('after a seek, the old position’s deadline blocks still queued are few, and the new playhead comes next', () => {
    const { h, s, readAhead } = ignoringPeerStreaming();
    // Seek: the old stream drops its deadlines, the new one sets its own at piece 10.
    for (const p of readAhead) h.picker.clearDeadline(p);
    const seekTo = h.freshPiece(10);
    for (let k = 0; k < 8; k++) h.picker.setDeadline(seekTo + k, h.now() + k * 1000);
    h.fetcher.fill(s.link);
    h.deliver(s);
    const before = h.serveUntil(s, seekTo);
    // The old read-ahead's requests (8 at most) and a few ordinary ones.
    expect(before.length).toBeLessThanOrEqual(12);
  });

  it('restores the normal depth once the deadlines are gone, and never limits a peer that honours CANCEL', () => {
    const { h, s, readAhead } = ignoringPeerStreaming();
    const state = h.peers.get(s)!;
    for (let i = 0; i < 5; i++) h.serve(s);
    expect(state.queue.length).toBeLessThanOrEqual(12);
    for (const p of readAhead) h.picker.clearDeadline(p);
    h.serve(s);
    // The pipeline's own depth again (four unloaded round trips of this peer's rate), past the
    // budget's 4 ordinary requests: every queued request is an ordinary one now.
    expect(s.link.pipeline.depth).toBeGreaterThan(4);
    // (The fake peer's queue also holds what we cancelled and it ignored: at least the depth.)
    expect(state.queue.length).toBeGreaterThanOrEqual(s.link.pipeline.depth);

    const r = deadlineSwarm(PIECES);
    const honest = r.peer('10.0.0.2:1', 100, 'rejects');
    r.fetcher.fill(honest.link);
    r.deliver(honest);
    r.picker.setDeadline(50, r.now() + 500);
    r.picker.setDeadline(59, r.now() + 60_000);
    r.fetcher.fill(honest.link);
    r.deliver(honest);
    r.serveUntil(honest, 50);
    expect(honest.link.pipeline.cancelVerdict).toBe('honours');
    // Deadlines still exist (piece 59), and the queue is as deep as the pipeline wants.
    expect(r.picker.deadlineOf(59)).toBeDefined();
    // Far past the budget's cap (at most 12 while deadlines exist at a peer that ignores CANCEL).
    expect(r.peers.get(honest)!.queue.length).toBeGreaterThan(30);
  });
});

/**
 * A peer that serves requests in order at `bytesPerMs`, `roundTripMs` away (half each way), on a fake
 * clock; only deadline requests, as many as the budget gives, as a stream's read-ahead asks them. The
 * real pipeline measures the rate and the round trip. Returns the bytes delivered in `forMs`, and the
 * most requests that were ever queued at the peer (sent, not yet being answered).
 */
function streamOverRoundTrip(roundTripMs: number, bytesPerMs: number, forMs: number): { delivered: number; mostQueued: number } {
  const pipeline = new RequestPipeline();
  const budget = new DeadlineBudget();
  const everyPieceDue = { deadlineOf: () => 0 };
  pipeline.onUnchoked(0);
  let next = 0;
  let peerFreeAt = 0;
  const inFlight: { key: number; at: number }[] = [];
  let delivered = 0;
  let mostQueued = 0;
  for (let now = 0; now <= forMs; now += 5) {
    for (const b of inFlight.filter((f) => f.at <= now)) {
      pipeline.onBlockReceived(b.key, 0, BLOCK, now);
      delivered += BLOCK;
    }
    inFlight.splice(0, inFlight.length, ...inFlight.filter((f) => f.at > now));
    const room = budget.room(everyPieceDue, pipeline, now)!;
    for (let k = 0; k < room.deadline; k++) {
      const key = next++;
      pipeline.onRequestSent(key, 0, now, BLOCK);
      peerFreeAt = Math.max(now + roundTripMs / 2, peerFreeAt) + BLOCK / bytesPerMs;
      inFlight.push({ key, at: peerFreeAt + roundTripMs / 2 });
    }
    // Requests that reached the peer and wait there behind the one it is sending.
    mostQueued = Math.max(mostQueued, inFlight.filter((f) => f.at - roundTripMs / 2 - BLOCK / bytesPerMs > now && f.at - roundTripMs > now - roundTripMs / 2).length);
  }
  return { delivered, mostQueued };
}

describe('DeadlineBudget over a long round trip', () => {
  it('lets the rate grow to the peer\'s when the round trip nears the horizon (the app\'s worker under load)', () => {
    // 4 MB/s, 400 ms round trip: sized by 500 ms of the measured rate alone, the queue could hold
    // little more than the last round trip brought, and 2.5 MB came in 3 s; with the round trip
    // counted on top of the horizon, 6.5 MB.
    const { delivered, mostQueued } = streamOverRoundTrip(400, 4000, 3000);
    expect(delivered).toBeGreaterThan(4_500_000);
    // What a deadline set now waits behind at the peer stays within the horizon (here the round trip, 400 ms) of its rate.
    expect(mostQueued * BLOCK).toBeLessThanOrEqual(4000 * 400);
  });

  it('over a short round trip keeps about 100-200 ms of the rate queued (what a seek waits behind), and still gets the peer\'s rate', () => {
    // 4 MB/s, 100 ms away (the app's worker on a quiet machine). With the old 500 ms horizon, a seek's
    // first block waited behind ~550 ms of the old position's blocks at a webtorrent peer (the bench's
    // seek took 0.56-0.85 s); now ~250 ms.
    const { delivered, mostQueued } = streamOverRoundTrip(100, 4000, 3000);
    expect(delivered).toBeGreaterThan(10_000_000);
    expect(mostQueued * BLOCK).toBeLessThanOrEqual(4000 * 260);
  });
});
