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

  it('keeps spare buffers only while held and spare bytes together stay within the cap', () => {
    const b = new PieceBuffers(12 * MIB);
    const taken: Uint8Array[] = [];
    for (let i = 0; i < 20; i++) {
      b.put(i, MIB, 0, new Uint8Array(1));
      taken.push(b.take(i)!);
    }
    // 20 MiB held, over the cap: the first 8 released are dropped, the last 12 kept.
    for (const t of taken) b.release(t);
    expect(b.heldBytes).toBe(0);
    expect(b.spareBytes).toBe(12 * MIB);
    const reused = new Set<Uint8Array>();
    for (let i = 0; i < 20; i++) {
      b.put(100 + i, MIB, 0, new Uint8Array(1));
      const t = b.take(100 + i)!;
      if (taken.includes(t)) reused.add(t);
    }
    expect(reused.size).toBe(12);
    expect([...reused].every((t) => taken.indexOf(t) >= 8)).toBe(true);
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
    expect(b.take(1)).not.toBe(first);
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
