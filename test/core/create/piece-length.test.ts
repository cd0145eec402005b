import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { autoPieceLength, MAX_PIECE_LENGTH, MIN_PIECE_LENGTH } from '../../../src/core/create/piece-length.js';

const KiB = 1024;
const MiB = 1024 * KiB;

describe('autoPieceLength', () => {
  it('switches to the next power of two exactly when 2000 pieces would no longer do', () => {
    expect(autoPieceLength(1)).toBe(16 * KiB);
    expect(autoPieceLength(2000 * 16 * KiB)).toBe(16 * KiB);
    expect(autoPieceLength(2000 * 16 * KiB + 1)).toBe(32 * KiB);
    expect(autoPieceLength(2000 * 256 * KiB)).toBe(256 * KiB);
    expect(autoPieceLength(2000 * 256 * KiB + 1)).toBe(512 * KiB);
    expect(autoPieceLength(1024 * MiB)).toBe(1 * MiB);
    expect(autoPieceLength(2000 * 8 * MiB + 1)).toBe(16 * MiB);
    expect(autoPieceLength(2000 * 16 * MiB)).toBe(16 * MiB);
    expect(autoPieceLength(2000 * 16 * MiB + 1)).toBe(16 * MiB);
    expect(autoPieceLength(2 ** 50)).toBe(16 * MiB);
  });

  it('gives a power of two in range, and 1001–2000 pieces unless clamped', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 46 }), (total) => {
        const length = autoPieceLength(total);
        expect(length >= MIN_PIECE_LENGTH && length <= MAX_PIECE_LENGTH && (length & (length - 1)) === 0).toBe(true);
        const pieces = Math.ceil(total / length);
        if (length > MIN_PIECE_LENGTH && length < MAX_PIECE_LENGTH) {
          expect(pieces).toBeGreaterThan(1000);
          expect(pieces).toBeLessThanOrEqual(2000);
        }
        if (length === MIN_PIECE_LENGTH) expect(pieces).toBeLessThanOrEqual(2000);
        if (length === MAX_PIECE_LENGTH) expect(pieces).toBeGreaterThan(1000);
      }),
      { numRuns: 2000 },
    );
  });
});
