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
    expect(ledger.pieces('a')).toEqual(bits);
    ledger.gone('a');
    expect(availability(p)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(ledger.pieces('a')).toBeNull();
  });

  it('a HAVE ALL peer counts once, ignores DONT HAVE, and leaves as a whole', () => {
    const p = picker(4);
    const ledger = new AvailabilityLedger<string>(p);
    ledger.haveAll('s');
    ledger.haveAllIfUncounted('s');
    ledger.dontHave('s', 1);
    expect(availability(p)).toEqual([1, 1, 1, 1]);
    expect(ledger.pieces('s')).toBe('all');
    ledger.gone('s');
    expect(availability(p)).toEqual([0, 0, 0, 0]);
  });

  it('a HAVE ALL from before the picker existed is counted when the ledger starts; a peer that said nothing has nothing to give', () => {
    const p = picker(3);
    const ledger = new AvailabilityLedger<string>(p);
    ledger.haveAllIfUncounted('early');
    expect(availability(p)).toEqual([1, 1, 1]);
    expect(ledger.pieces('quiet')).toBeNull();
    ledger.gone('quiet');
    expect(availability(p)).toEqual([1, 1, 1]);
  });
});

describe('AvailabilityLedger: a late BITFIELD, HAVE ALL or HAVE NONE replaces what the peer said before', () => {
  it('HAVE NONE, then HAVEs, then a BITFIELD: the bitfield alone is counted', () => {
    const p = picker();
    const ledger = new AvailabilityLedger<string>(p);
    ledger.haveNone('a');
    expect(ledger.pieces('a')).toEqual(new Bitfield(8));
    ledger.have('a', 1);
    ledger.have('a', 6);
    expect(availability(p)).toEqual([0, 1, 0, 0, 0, 0, 1, 0]);
    ledger.bitfield('a', Bitfield.fromIndices(8, [0, 1, 2]));
    expect(availability(p)).toEqual([1, 1, 1, 0, 0, 0, 0, 0]);
    ledger.gone('a');
    expect(availability(p)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('HAVE ALL, then a partial BITFIELD: the seed count goes, the bitfield stays; then HAVE ALL again', () => {
    const p = picker(4);
    const ledger = new AvailabilityLedger<string>(p);
    ledger.haveAll('s');
    ledger.bitfield('s', Bitfield.fromIndices(4, [2]));
    expect(availability(p)).toEqual([0, 0, 1, 0]);
    expect(ledger.pieces('s')).toEqual(Bitfield.fromIndices(4, [2]));
    // Now the peer can take a piece back one by one, which a HAVE ALL peer cannot.
    ledger.dontHave('s', 2);
    expect(availability(p)).toEqual([0, 0, 0, 0]);
    ledger.have('s', 3);
    ledger.haveAll('s');
    expect(availability(p)).toEqual([1, 1, 1, 1]);
    ledger.gone('s');
    expect(availability(p)).toEqual([0, 0, 0, 0]);
    // Nothing was left behind: one more departure would underflow.
    expect(() => p.peerLeft('all')).toThrow(/seed left/);
  });

  it('a BITFIELD, then HAVE NONE: the peer has nothing to give and nothing to take away', () => {
    const p = picker(4);
    const ledger = new AvailabilityLedger<string>(p);
    ledger.bitfield('a', Bitfield.fromIndices(4, [0, 3]));
    ledger.bitfield('b', Bitfield.fromIndices(4, [0]));
    ledger.haveNone('a');
    expect(availability(p)).toEqual([1, 0, 0, 0]);
    ledger.gone('a');
    ledger.gone('b');
    expect(availability(p)).toEqual([0, 0, 0, 0]);
  });

  it('a second identical BITFIELD and repeated HAVEs are not counted twice', () => {
    const p = picker(4);
    const ledger = new AvailabilityLedger<string>(p);
    const bits = Bitfield.fromIndices(4, [1]);
    ledger.bitfield('a', bits);
    ledger.bitfield('a', bits);
    ledger.have('a', 1);
    ledger.have('a', 2);
    ledger.have('a', 2);
    expect(availability(p)).toEqual([0, 1, 1, 0]);
    // The ledger counted its own copy: the caller's bitfield changing later does not skew the books.
    bits.set(3);
    ledger.gone('a');
    expect(availability(p)).toEqual([0, 0, 0, 0]);
  });
});
