import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PeerBook } from '../../../src/core/engine/peer-book.js';

describe('PeerBook', () => {
  it('hands out manual peers before tracker peers, each once until it disconnects', () => {
    const book = new PeerBook();
    book.add('10.0.0.1:1', 'tracker', 0);
    book.add('10.0.0.2:2', 'manual', 0);
    expect(book.takeDialable(1, 0)).toEqual(['10.0.0.2:2']);
    expect(book.takeDialable(5, 0)).toEqual(['10.0.0.1:1']);
    expect(book.takeDialable(5, 0)).toEqual([]);
  });

  it('backs off failed dials exponentially and forgets an address that keeps failing', () => {
    const book = new PeerBook({ retryBaseMs: 1000, maxFailures: 3 });
    book.add('a:1', 'dht', 0);
    book.takeDialable(1, 0);
    book.onDisconnected('a:1', true, 0);
    expect(book.nextDeadline()).toBe(1000);
    expect(book.takeDialable(1, 999)).toEqual([]);
    expect(book.takeDialable(1, 1000)).toEqual(['a:1']);
    book.onDisconnected('a:1', true, 1000);
    expect(book.nextDeadline()).toBe(3000);
    book.takeDialable(1, 3000);
    book.onDisconnected('a:1', true, 3000);
    expect(book.size).toBe(0);
  });

  it('never dials or re-adds a banned address', () => {
    const book = new PeerBook();
    book.add('bad:1', 'tracker', 0);
    book.ban('bad:1');
    expect(book.add('bad:1', 'pex', 0)).toBe(false);
    expect(book.takeDialable(10, 0)).toEqual([]);
    expect(book.isBanned('bad:1')).toBe(true);
  });

  it('stays within capacity whatever is added', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.boolean()), { maxLength: 400 }), (ops) => {
        const book = new PeerBook({ capacity: 50 });
        let now = 0;
        for (const [n, fail] of ops) {
          book.add(`h${n}:1`, 'pex', now);
          for (const a of book.takeDialable(1, now)) book.onDisconnected(a, fail, now);
          now += 100;
        }
        expect(book.size).toBeLessThanOrEqual(50);
      }),
    );
  });
});

describe('PeerBook: named peers', () => {
  it('retries a peer a person named within seconds, not the gossip back-off', () => {
    const book = new PeerBook({ retryBaseMs: 30_000, manualRetryBaseMs: 2_000 });
    book.add('named:1', 'manual', 0);
    book.add('gossip:1', 'pex', 0);
    book.takeDialable(2, 0);
    book.onDisconnected('named:1', true, 0);
    book.onDisconnected('gossip:1', true, 0);
    expect(book.takeDialable(2, 2_000)).toEqual(['named:1']);
    expect(book.takeDialable(2, 30_000)).toEqual(['gossip:1']);
  });
});
