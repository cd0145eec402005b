import { describe, expect, it } from 'vitest';
import { ChokeRounds } from '../../../src/core/engine/choke-rounds.js';
import type { PeerLink } from '../../../src/core/engine/peer-link.js';
import { UploadQueue } from '../../../src/core/engine/upload-queue.js';
import { ScriptedLink } from './scripted-link.js';

function rounds(slots: number) {
  const links = new Map<string, PeerLink>();
  const uploads = new UploadQueue({ now: () => 0, storage: () => null, has: () => true, buckets: [], sent: () => {} });
  const chokes = new ChokeRounds({ slots, random: () => 0.5, links, seeding: () => false, uploads });
  const peer = (address: string) => {
    const s = new ScriptedLink({ address, pieceCount: 4, pieceSize: () => 16384 });
    links.set(address, s.link);
    uploads.add(s.link);
    return s;
  };
  return { chokes, peer };
}

describe('ChokeRounds', () => {
  it('unchokes interested peers up to the slots (plus one optimistic) when a slot is offered, and no further', () => {
    const { chokes, peer } = rounds(1);
    const all = ['10.0.0.1:1', '10.0.0.2:1', '10.0.0.3:1'].map(peer);
    for (const s of all) s.feed({ type: 'interested' });
    chokes.offerSlot(0);
    const unchoked = all.filter((s) => !s.link.conn.amChoking);
    expect(unchoked).toHaveLength(2);
    for (const s of unchoked) expect(s.sentSummary()).toEqual(['unchoke']);
    // Every slot is taken: offering one again changes nothing.
    chokes.offerSlot(0);
    expect(all.filter((s) => !s.link.conn.amChoking)).toHaveLength(2);
  });

  it('an uninterested peer gets no slot', () => {
    const { chokes, peer } = rounds(1);
    const a = peer('10.0.0.1:1');
    chokes.offerSlot(0);
    expect(a.link.conn.amChoking).toBe(true);
    expect(a.sentSummary()).toEqual([]);
  });

  it('runs a round when one is due and says when the next is', () => {
    const { chokes, peer } = rounds(2);
    const a = peer('10.0.0.1:1');
    a.feed({ type: 'interested' });
    const next = chokes.tick(0);
    expect(a.link.conn.amChoking).toBe(false);
    expect(next).toBeGreaterThan(0);
    expect(chokes.tick(next - 1)).toBe(next);
  });

  it('a choked peer\'s queued requests are void: nothing is served after the choke', () => {
    const { chokes, peer } = rounds(1);
    const a = peer('10.0.0.1:1');
    a.feed({ type: 'interested' });
    chokes.offerSlot(0);
    expect(a.link.conn.amChoking).toBe(false);
    a.feed({ type: 'not-interested' });
    chokes.tick(Number.MAX_SAFE_INTEGER / 2);
    expect(a.link.conn.amChoking).toBe(true);
  });
});
