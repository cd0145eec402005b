import { describe, expect, it } from 'vitest';
import { PieceBuffers } from '../../../src/core/engine/piece-buffers.js';

const MIB = 1024 * 1024;

describe('PieceBuffers', () => {
  it('assembles a piece from blocks and gives back exactly those bytes', () => {
    const b = new PieceBuffers(32 * MIB);
    b.put(3, 8, 4, Uint8Array.of(5, 6, 7, 8));
    b.put(3, 8, 0, Uint8Array.of(1, 2, 3, 4));
    expect(b.take(3)).toEqual(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    expect(b.take(3)).toBeUndefined();
  });

  it('counts a taken piece as held until it is released', () => {
    const b = new PieceBuffers(32 * MIB);
    b.put(0, MIB, 0, new Uint8Array(16));
    b.put(1, MIB, 0, new Uint8Array(16));
    expect(b.heldBytes).toBe(2 * MIB);
    const taken = b.take(0)!;
    expect(b.size).toBe(1);
    expect(b.heldBytes).toBe(2 * MIB);
    b.release(taken);
    expect(b.heldBytes).toBe(MIB);
    b.drop(1);
    expect(b.heldBytes).toBe(0);
  });

  it('reuses a released buffer for the next piece of the same length, overwritten by its blocks', () => {
    const b = new PieceBuffers(32 * MIB);
    b.put(0, 4, 0, Uint8Array.of(9, 9, 9, 9));
    const first = b.take(0)!;
    b.release(first);
    b.put(1, 4, 0, Uint8Array.of(1, 2));
    b.put(1, 4, 2, Uint8Array.of(3, 4));
    const second = b.take(1)!;
    expect(second).toBe(first);
    expect(second).toEqual(Uint8Array.of(1, 2, 3, 4));
    // A piece of another length (the last one) gets its own buffer.
    b.put(2, 2, 0, Uint8Array.of(7, 7));
    expect(b.take(2)).not.toBe(first);
  });

  it('keeps spare buffers only while held and spare bytes stay within the most ever held (at least the cap, at most twice it)', () => {
    const b = new PieceBuffers(12 * MIB);
    const taken: Uint8Array[] = [];
    for (let i = 0; i < 30; i++) {
      b.put(i, MIB, 0, new Uint8Array(1));
      taken.push(b.take(i)!);
    }
    // 30 MiB held at the peak, past twice the cap: the first 6 released are dropped, the last 24 kept.
    for (const t of taken) b.release(t);
    expect(b.heldBytes).toBe(0);
    expect(b.spareBytes).toBe(24 * MIB);
    const reused = new Set<Uint8Array>();
    for (let i = 0; i < 30; i++) {
      b.put(100 + i, MIB, 0, new Uint8Array(1));
      const t = b.take(100 + i)!;
      if (taken.includes(t)) reused.add(t);
    }
    expect(reused.size).toBe(24);
    expect([...reused].every((t) => taken.indexOf(t) >= 6)).toBe(true);
  });

  it('keeps every released buffer when the peak passed the cap by a few pieces (requests already in flight)', () => {
    const b = new PieceBuffers(12 * MIB);
    const taken: Uint8Array[] = [];
    for (let i = 0; i < 15; i++) {
      b.put(i, MIB, 0, new Uint8Array(1));
      taken.push(b.take(i)!);
    }
    for (const t of taken) b.release(t);
    expect(b.spareBytes).toBe(15 * MIB);
    for (let i = 0; i < 15; i++) b.put(100 + i, MIB, 0, new Uint8Array(1));
    expect(b.spareBytes).toBe(0);
    const again = Array.from({ length: 15 }, (_, i) => b.take(100 + i)!);
    expect(new Set(again).size).toBe(15);
    expect(again.every((t) => taken.includes(t))).toBe(true);
  });

  it('keeps no more spares than the cap when held bytes never passed it', () => {
    const b = new PieceBuffers(12 * MIB);
    const taken: Uint8Array[] = [];
    for (let i = 0; i < 10; i++) {
      b.put(i, MIB, 0, new Uint8Array(1));
      taken.push(b.take(i)!);
    }
    for (const t of taken) b.release(t);
    expect(b.spareBytes).toBe(10 * MIB);
  });

  it('lets the spares go on dropSpare', () => {
    const b = new PieceBuffers(32 * MIB);
    b.put(0, MIB, 0, new Uint8Array(1));
    const first = b.take(0)!;
    b.release(first);
    expect(b.spareBytes).toBe(MIB);
    b.dropSpare();
    expect(b.spareBytes).toBe(0);
    b.put(1, MIB, 0, new Uint8Array(1));
    // Identity, not toBe: a failing toBe diffs two 1 MiB arrays element by element (seconds).
    expect(b.take(1) === first).toBe(false);
  });

  it('clear forgets open pieces but still counts taken ones until they are released', () => {
    const b = new PieceBuffers(32 * MIB);
    b.put(0, 100, 0, new Uint8Array(1));
    b.put(1, 100, 0, new Uint8Array(1));
    const taken = b.take(0)!;
    b.clear();
    expect(b.size).toBe(0);
    expect(b.heldBytes).toBe(100);
    b.release(taken);
    expect(b.heldBytes).toBe(0);
    b.release(taken);
    expect(b.heldBytes).toBe(0);
  });
});
