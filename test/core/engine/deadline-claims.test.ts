import { describe, expect, it } from 'vitest';
import { DeadlineClaims, deadlineClaimsOf } from '../../../src/core/engine/deadline-claims.js';

function recorder() {
  const due = new Map<number, number>();
  const target = { setPieceDeadline: (p: number, d: number) => void due.set(p, d), clearPieceDeadline: (p: number) => void due.delete(p) };
  return { due, target };
}

describe('DeadlineClaims', () => {
  it('a piece is due by the earliest deadline of its holders, and loses it when the last one lets go', () => {
    const { due, target } = recorder();
    const claims = new DeadlineClaims(target);
    const old = {};
    const seek = {};
    claims.hold(7, old, 500);
    claims.hold(7, seek, 100);
    expect(due.get(7)).toBe(100);
    // The old reader's cancel: the seek still waits for the piece.
    claims.release(7, old);
    expect(due.get(7)).toBe(100);
    // A holder that asks again replaces its own deadline.
    claims.hold(7, seek, 900);
    expect(due.get(7)).toBe(900);
    claims.release(7, seek);
    expect(due.has(7)).toBe(false);
    expect(claims.heldPieces).toBe(0);
  });

  it('a release by a reader that does not hold the piece changes nothing', () => {
    const { due, target } = recorder();
    const claims = new DeadlineClaims(target);
    claims.hold(3, {}, 10);
    claims.release(3, {});
    claims.release(4, {});
    expect(due.get(3)).toBe(10);
    expect(claims.heldPieces).toBe(1);
  });

  it('releaseAll lets go of every piece of one holder, and only of its own', () => {
    const { due, target } = recorder();
    const claims = new DeadlineClaims(target);
    const relay = {};
    const reader = {};
    claims.hold(1, relay, 10);
    claims.hold(2, relay, 20);
    claims.hold(2, reader, 50);
    claims.releaseAll(relay);
    expect([...due]).toEqual([[2, 50]]);
    expect(claims.heldPieces).toBe(1);
  });

  it('one set of claims per torrent', () => {
    const a = recorder().target;
    const b = recorder().target;
    expect(deadlineClaimsOf(a)).toBe(deadlineClaimsOf(a));
    expect(deadlineClaimsOf(a)).not.toBe(deadlineClaimsOf(b));
  });
});
