import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDontHave, encodeDontHave } from '../../../src/core/extensions/lt-donthave/codec.js';
import { Bitfield } from '../../../src/core/util/bitfield.js';
import { ConnectionPair } from '../peer/connection-pair.js';

describe('lt_donthave', () => {
  it('encodes a big-endian piece index and round-trips', () => {
    expect([...encodeDontHave(0x01020304)]).toEqual([1, 2, 3, 4]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (index) => {
        expect(decodeDontHave(encodeDontHave(index))).toBe(index);
      }),
    );
    expect(() => decodeDontHave(new Uint8Array(5))).toThrow(expect.objectContaining({ code: 'lt-donthave/bad-message' }) as Error);
    expect(() => encodeDontHave(-1)).toThrow(expect.objectContaining({ code: 'lt-donthave/bad-message' }) as Error);
  });

  it('clears the piece from the peer bitfield and reports it once', () => {
    const pair = new ConnectionPair();
    pair.open();
    pair.a.sendBitfield(Bitfield.fromIndices(10, [2, 3]));
    pair.flush();
    expect(pair.a.sendDontHave(3)).toBe(true);
    expect(pair.a.sendDontHave(3)).toBe(true);
    expect(pair.a.sendDontHave(5)).toBe(true);
    expect(pair.flush().b).toEqual([{ type: 'donthave', index: 3 }]);
    expect([...pair.b.peerBitfield!.indices()]).toEqual([2]);
  });

  it('is not sent to a peer that does not support it', () => {
    const pair = new ConnectionPair({}, { localExtensions: { ut_metadata: 2 } });
    pair.open();
    expect(pair.a.sendDontHave(1)).toBe(false);
    expect(pair.a.takeOutgoing()).toEqual([]);
  });
});
