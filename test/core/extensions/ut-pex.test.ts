import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBencode } from '../../../src/core/bencode/encode.js';
import { decodePexMessage, encodePexMessage, MAX_INCOMING_PEX_PEERS, PexFlags } from '../../../src/core/extensions/ut-pex/codec.js';
import type { PexPeer } from '../../../src/core/extensions/ut-pex/codec.js';
import { PexState } from '../../../src/core/extensions/ut-pex/pex-state.js';
import { ConnectionPair } from '../peer/connection-pair.js';

function peer(i: number, flags = 0): PexPeer {
  return { host: `10.0.${i >> 8}.${i & 0xff}`, port: 6881 + (i % 100), flags };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'none';
  } catch (error) {
    return (error as { code: string }).code;
  }
}

describe('ut_pex codec', () => {
  it('encodes compact lists with flags, byte for byte', () => {
    const payload = encodePexMessage({
      added: [{ host: '1.2.3.4', port: 0x1ae1, flags: PexFlags.seed | PexFlags.reachable }, { host: '::1', port: 80, flags: PexFlags.utp }],
      dropped: [{ host: '5.6.7.8', port: 1 }],
    });
    const v6 = '\0'.repeat(15) + '\x01\0\x50';
    expect(String.fromCharCode(...payload)).toBe(
      `d5:added6:\x01\x02\x03\x04\x1a\xe17:added.f1:\x126:added618:${v6}8:added6.f1:\x047:dropped6:\x05\x06\x07\x08\x00\x01e`,
    );
  });

  it('round-trips (property)', () => {
    const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'));
    const v6 = fc.ipV6().map((text) => {
      const parsed = decodePexMessage(encodePexMessage({ added: [{ host: text, port: 1, flags: 0 }], dropped: [] }));
      return parsed.added[0]!.host;
    });
    const entry = fc.record({ host: fc.oneof(v4, v6), port: fc.integer({ min: 1, max: 65535 }), flags: fc.nat(255) });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 50 }), fc.array(entry, { maxLength: 50 }), (added, dropped) => {
        const decoded = decodePexMessage(encodePexMessage({ added, dropped: dropped.map(({ host, port }) => ({ host, port })) }));
        const v4First = <T extends { host: string }>(list: T[]): T[] => [...list.filter((p) => !p.host.includes(':')), ...list.filter((p) => p.host.includes(':'))];
        expect(decoded.added).toEqual(v4First(added));
        expect(decoded.dropped).toEqual(v4First(dropped.map(({ host, port }) => ({ host, port }))));
      }),
      { numRuns: 100 },
    );
  });

  it('validates incoming messages and bounds their size', () => {
    expect(codeOf(() => decodePexMessage(encodeBencode([1])))).toBe('ut-pex/bad-message');
    expect(codeOf(() => decodePexMessage(encodeBencode({ added: 5 })))).toBe('ut-pex/bad-message');
    // Tolerated as libtorrent does: a ragged tail is ignored, a long list is read up to the bound.
    const ragged = new Uint8Array(18 + 17);
    ragged.set([0x20, 0x01, 0x0d, 0xb8], 0);
    ragged[17] = 80;
    expect(decodePexMessage(encodeBencode({ added6: ragged, 'added6.f': new Uint8Array([2]) }))).toEqual({ added: [{ host: '2001:db8::', port: 80, flags: 2 }], dropped: [] });
    const many = new Uint8Array(6 * (MAX_INCOMING_PEX_PEERS + 5)).map((_, i) => (i % 6 === 5 ? 1 : 7));
    expect(decodePexMessage(encodeBencode({ dropped: many })).dropped).toHaveLength(MAX_INCOMING_PEX_PEERS);
    // Port 0 entries are skipped; a missing or short flags string means no flags.
    const decoded = decodePexMessage(encodeBencode({ added: new Uint8Array([1, 1, 1, 1, 0, 0, 2, 2, 2, 2, 0, 9]), 'added.f': new Uint8Array(1) }));
    expect(decoded).toEqual({ added: [{ host: '2.2.2.2', port: 9, flags: 0 }], dropped: [] });
  });
});

describe('PexState', () => {
  it('sends the difference since the last message, at most 50 added and 50 dropped', () => {
    const state = new PexState({ enabled: true });
    const first = Array.from({ length: 70 }, (_, i) => peer(i));
    const m1 = state.build(first, 0)!;
    expect(m1.added).toEqual(first.slice(0, 50));
    expect(m1.dropped).toEqual([]);
    // Within the minute nothing goes out, whatever changed.
    expect(state.build(first.slice(10), 59_999)).toBeNull();
    expect(state.nextAllowedAt()).toBe(60_000);
    // Peers 0..9 left: they are dropped; the 20 that did not fit last time are added now.
    const m2 = state.build(first.slice(10), 60_000)!;
    expect(m2.added).toEqual(first.slice(50));
    expect(m2.dropped).toEqual(first.slice(0, 10).map(({ host, port }) => ({ host, port })));
    // Nothing changed: no message, and the clock is not reset.
    expect(state.build(first.slice(10), 120_000)).toBeNull();
    const m3 = state.build([], 120_001)!;
    expect(m3.added).toEqual([]);
    expect(m3.dropped).toHaveLength(50);
    expect(state.build([], 180_001)!.dropped).toHaveLength(10);
  });

  it('never sends when disabled (private torrents)', () => {
    const state = new PexState({ enabled: false });
    expect(state.build([peer(1)], 0)).toBeNull();
    expect(state.nextAllowedAt()).toBeNull();
  });

  it('ignores incoming messages that follow the previous one too closely', () => {
    const state = new PexState({ enabled: true });
    expect(state.acceptIncoming(0)).toBe(true);
    expect(state.acceptIncoming(29_999)).toBe(false);
    expect(state.acceptIncoming(30_000)).toBe(true);
  });

  it('travels between two connections', () => {
    const pair = new ConnectionPair();
    pair.open();
    const state = new PexState({ enabled: true });
    expect(pair.a.sendPex(state.build([peer(1, PexFlags.seed), { host: '2001:db8::1', port: 51413, flags: 0 }], 0)!)).toBe(true);
    expect(pair.flush().b).toEqual([
      { type: 'pex', message: { added: [peer(1, PexFlags.seed), { host: '2001:db8::1', port: 51413, flags: 0 }], dropped: [] } },
    ]);
    const privatePair = new ConnectionPair({}, { localExtensions: { ut_metadata: 2 } });
    privatePair.open();
    expect(privatePair.a.sendPex({ added: [peer(1)], dropped: [] })).toBe(false);
    expect(privatePair.a.takeOutgoing()).toEqual([]);
  });
});
