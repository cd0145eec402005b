import { describe, expect, it } from 'vitest';
import type { PeerLink } from '../../../src/core/engine/peer-link.js';
import { PeerInterest } from '../../../src/core/engine/peer-interest.js';
import { PiecePicker } from '../../../src/core/picker/piece-picker.js';
import { Bitfield } from '../../../src/core/util/bitfield.js';
import { ScriptedLink } from './scripted-link.js';

function setup() {
  const have = Bitfield.fromIndices(4, [0]);
  const picker = new PiecePicker({ pieceCount: 4, pieceLength: () => 16384, random: () => 0.5, have });
  const filled: PeerLink[] = [];
  const interest = new PeerInterest({ picker: () => picker, have: () => have, fill: (link) => filled.push(link) });
  const peer = (pieces: number[]) => {
    const s = new ScriptedLink({ pieceCount: 4, pieceSize: () => 16384 });
    s.feed({ type: 'bitfield', bits: Bitfield.fromIndices(4, pieces).toWire() });
    s.sent();
    return s;
  };
  return { picker, interest, filled, peer };
}

describe('PeerInterest', () => {
  it('wants exactly the pieces we lack whose priority is above 0', () => {
    const { picker, interest } = setup();
    picker.setPriority(3, 0);
    expect([0, 1, 2, 3].map((i) => interest.wants(i))).toEqual([false, true, true, false]);
  });

  it('is interested in a peer with a wanted piece, says so once, and asks it for blocks', () => {
    const { interest, filled, peer } = setup();
    const s = peer([0, 2]);
    interest.update(s.link);
    interest.update(s.link);
    expect(s.sentSummary()).toEqual(['interested']);
    expect(filled).toEqual([s.link]);
  });

  it('is not interested in a peer with only pieces we have or do not want, and withdraws interest when that changes', () => {
    const { picker, interest, peer } = setup();
    const s = peer([0, 3]);
    picker.setPriority(3, 0);
    interest.update(s.link);
    expect(s.sentSummary()).toEqual([]);
    picker.setPriority(3, 4);
    interest.update(s.link);
    picker.setPriority(3, 0);
    interest.update(s.link);
    expect(s.sentSummary()).toEqual(['interested', 'not-interested']);
  });
});
