import { describe, expect, it } from 'vitest';
import { AvailabilityLedger } from '../../../src/core/engine/availability-ledger.js';
import { PiecePicker } from '../../../src/core/picker/piece-picker.js';
import { Bitfield } from '../../../src/core/util/bitfield.js';

function picker(pieceCount = 8): PiecePicker {
  return new PiecePicker({ pieceCount, pieceLength: () => 16384, random: () => 0.5 });
}

const availability = (p: PiecePicker) => Array.from({ length: p.pieceCount }, (_, i) => p.availability(i));

describe('AvailabilityLedger: a peer\'s pieces leave the availability the way they came', () => {
  it('a bitfield peer, grown by HAVEs and shrunk by DONT HAVE, takes exactly its pieces away', () => {
    const p = picker();
    const ledger = new AvailabilityLedger<string>(p);
    const bits = Bitfield.fromIndices(8, [0, 2]);
    ledger.bitfield('a', bits);
    ledger.have('a', 5);
    bits.set(5);
    expect(availability(p)).toEqual([1, 0, 1, 0, 0, 1, 0, 0]);
    ledger.dontHave('a', 2);
    bits.clear(2);
    expect(availability(p)).toEqual([1, 0, 0, 0, 0, 1, 0, 0]);
    expect(ledger.pieces('a', bits)).toBe(bits);
    ledger.gone('a', bits);
    expect(availability(p)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(ledger.pieces('a', bits)).toBeNull();
  });

  it('a HAVE ALL peer counts once, ignores DONT HAVE, and leaves as a whole', () => {
    const p = picker(4);
    const ledger = new AvailabilityLedger<string>(p);
    ledger.haveAll('s');
    ledger.haveAllIfUncounted('s');
    ledger.dontHave('s', 1);
    expect(availability(p)).toEqual([1, 1, 1, 1]);
    expect(ledger.pieces('s', null)).toBe('all');
    ledger.gone('s', null);
    expect(availability(p)).toEqual([0, 0, 0, 0]);
  });

  it('a HAVE ALL from before the picker existed is counted when the ledger starts; a peer that said nothing has nothing to give', () => {
    const p = picker(3);
    const ledger = new AvailabilityLedger<string>(p);
    ledger.haveAllIfUncounted('early');
    expect(availability(p)).toEqual([1, 1, 1]);
    expect(ledger.pieces('quiet', Bitfield.fromIndices(3, []))).toBeNull();
    ledger.gone('quiet', null);
    expect(availability(p)).toEqual([1, 1, 1]);
  });
});
