import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FileState } from '../../../src/core/ports/storage.js';
import { checkFromScratch, checkResume, type DataOnDisk } from '../../../src/core/resume/check.js';
import { ResumeError } from '../../../src/core/resume/errors.js';
import type { ResumeData } from '../../../src/core/resume/resume-data.js';
import { Bitfield } from '../../../src/core/util/bitfield.js';
import { makeFixture, MULTI, multiFixture, PADDED, paddedFixture, v2Fixture, type StorageFixture } from '../../contracts/storage-layouts.js';

const HASH = 'ab'.repeat(20);
const HERE = '/home/user/Downloads';

function statesOf(fixture: StorageFixture): (FileState | null)[] {
  return fixture.layout.files.map((f, i) => (f.padding ? null : { size: f.length, mtime: 1_000 + i }));
}

function resumeFor(fixture: StorageFixture, have: Bitfield, files = statesOf(fixture)): ResumeData {
  return {
    version: 2,
    infoHash: HASH,
    pieceCount: fixture.layout.pieceCount,
    location: HERE,
    have: have.toWire(),
    files,
    peers: [],
    filePriorities: files.map(() => 4),
    sequential: false,
    savedAt: 0,
  };
}

/** The fixture's data as found now, in `location`. */
function disk(fixture: StorageFixture, files: readonly (FileState | null)[], infoHash = HASH, location = HERE): DataOnDisk {
  return { infoHash, location, layout: fixture.layout, files };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ResumeError);
    return (error as ResumeError).code;
  }
  throw new Error('expected a ResumeError');
}

describe('checkResume', () => {
  it('trusts every claimed piece when no file changed', () => {
    const fixture = multiFixture();
    const have = Bitfield.fromIndices(5, [0, 2, 4]);
    const result = checkResume(resumeFor(fixture, have), disk(fixture, statesOf(fixture), HASH.toUpperCase()));
    expect(result.valid).toBe(true);
    expect([...result.trusted.indices()]).toEqual([0, 2, 4]);
    expect(result.recheck).toEqual([]);
  });

  it('rechecks exactly the claimed pieces touching a file whose mtime or size changed', () => {
    const fixture = multiFixture();
    const have = Bitfield.full(5);
    // b.bin (bytes 10..47) spans pieces 0, 1 and 2.
    const touched = statesOf(fixture).map((s, i) => (i === MULTI.b ? { size: s!.size, mtime: s!.mtime + 1 } : s));
    const byMtime = checkResume(resumeFor(fixture, have), disk(fixture, touched));
    expect(byMtime.valid).toBe(false);
    expect(byMtime.recheck).toEqual([0, 1, 2]);
    expect([...byMtime.trusted.indices()]).toEqual([3, 4]);
    // d.bin (52..72) spans pieces 3 and 4.
    const truncated = statesOf(fixture).map((s, i) => (i === MULTI.d ? { size: 3, mtime: s!.mtime } : s));
    expect(checkResume(resumeFor(fixture, have), disk(fixture, truncated)).recheck).toEqual([3, 4]);
  });

  it('rechecks pieces of a missing file, and of a file missing at save time', () => {
    const fixture = multiFixture();
    const have = Bitfield.fromIndices(5, [2, 3, 4]);
    const gone = statesOf(fixture).map((s, i) => (i === MULTI.c ? null : s)); // c.bin is in pieces 2 and 3
    expect(checkResume(resumeFor(fixture, have), disk(fixture, gone)).recheck).toEqual([2, 3]);
    const savedGone = checkResume(resumeFor(fixture, have, gone), disk(fixture, statesOf(fixture)));
    expect(savedGone.recheck).toEqual([2, 3]);
    expect([...savedGone.trusted.indices()]).toEqual([4]);
  });

  it('ignores padding files and files no claimed piece touches', () => {
    const fixture = paddedFixture();
    const have = Bitfield.fromIndices(5, [0, 1, 3, 4]);
    const states = statesOf(fixture).map((s, i) => (i === PADDED.f2 ? null : s)); // f2 lives in piece 2 only
    const result = checkResume(resumeFor(fixture, have), disk(fixture, states));
    expect(result.valid).toBe(true);
    expect(result.trusted.count()).toBe(4);
  });

  it('works on a v2 layout with implicit gaps', () => {
    const fixture = v2Fixture();
    const states = statesOf(fixture).map((s, i) => (i === 1 ? { size: 6, mtime: 0 } : s)); // y.bin: piece 2
    expect(checkResume(resumeFor(fixture, Bitfield.full(6)), disk(fixture, states)).recheck).toEqual([2]);
  });

  it('refuses another torrent\'s resume data', () => {
    const fixture = multiFixture();
    const resume = resumeFor(fixture, new Bitfield(5));
    expect(codeOf(() => checkResume(resume, disk(fixture, statesOf(fixture), 'cd'.repeat(20))))).toBe('resume/wrong-torrent');
    const other = makeFixture('other', 'v1', 16, [{ path: ['x'], length: 100 }]);
    expect(codeOf(() => checkResume(resume, disk(other, statesOf(fixture))))).toBe('resume/wrong-piece-count');
    const sameCount = makeFixture('other', 'v1', 16, [{ path: ['x'], length: 72 }]);
    expect(codeOf(() => checkResume(resume, disk(sameCount, statesOf(fixture))))).toBe('resume/wrong-torrent');
    expect(codeOf(() => checkResume({ ...resume, have: new Uint8Array(2) }, disk(fixture, statesOf(fixture))))).toBe('resume/bad-data');
  });

  it('hashes the unclaimed pieces of a file that changed since the save, not only the claimed ones', () => {
    const fixture = multiFixture();
    // Saved with pieces 0 and 1 verified; then pieces 2..4 were written and the process was killed.
    const saved = statesOf(fixture);
    const now = saved.map((s, i) => (i === MULTI.b || i === MULTI.c || i === MULTI.d ? { size: s!.size, mtime: s!.mtime + 5 } : s));
    const result = checkResume(resumeFor(fixture, Bitfield.fromIndices(5, [0, 1]), saved), disk(fixture, now));
    // b.bin (pieces 0..2) changed: its claimed pieces are hashed as well; c.bin and d.bin bring 3 and 4.
    expect(result.recheck).toEqual([0, 1, 2, 3, 4]);
    expect(result.trusted.count()).toBe(0);
    expect(result.valid).toBe(false);
  });

  it('hashes every piece of files that appeared after a save made before anything was written', () => {
    const fixture = multiFixture();
    const nothingYet = statesOf(fixture).map((s, i) => (i === MULTI.empty || i === MULTI.emptyInDir ? s : null));
    const now = statesOf(fixture).map((s, i) => (i === MULTI.d ? null : s)); // d.bin (pieces 3, 4) never written
    const result = checkResume(resumeFor(fixture, new Bitfield(5), nothingYet), disk(fixture, now));
    // Piece 3 holds c.bin's bytes too; piece 4 is d.bin's alone and nothing is there to hash.
    expect(result.recheck).toEqual([0, 1, 2, 3]);
    expect(result.trusted.count()).toBe(0);
  });

  it('trusts unchanged files, and hashes nothing of them that was not claimed', () => {
    const fixture = multiFixture();
    // a.bin changed (piece 0); the rest did not, so unclaimed piece 1 stays unclaimed and is not read.
    const now = statesOf(fixture).map((s, i) => (i === MULTI.a ? { size: s!.size, mtime: 1 } : s));
    const result = checkResume(resumeFor(fixture, Bitfield.fromIndices(5, [2, 3, 4])), disk(fixture, now));
    expect(result.recheck).toEqual([0]);
    expect([...result.trusted.indices()]).toEqual([2, 3, 4]);
  });

  it('refuses resume data saved for the data in another location, even with identical file states', () => {
    const fixture = multiFixture();
    const resume = resumeFor(fixture, Bitfield.full(5));
    expect(codeOf(() => checkResume(resume, disk(fixture, statesOf(fixture), HASH, '/mnt/other')))).toBe('resume/wrong-location');
    expect(codeOf(() => checkResume(resume, disk(fixture, statesOf(fixture), HASH, 'opfs:sluice')))).toBe('resume/wrong-location');
    expect(checkResume(resume, disk(fixture, statesOf(fixture), HASH, HERE)).trusted.hasAll()).toBe(true);
  });

  it('from scratch: trusts nothing and hashes every piece touching a file on disk', () => {
    const fixture = multiFixture();
    const states = statesOf(fixture).map((s, i) => (i === MULTI.b ? null : s));
    const result = checkFromScratch(disk(fixture, states));
    expect(result.trusted.count()).toBe(0);
    // b.bin alone fills piece 1; pieces 0 and 2 also hold a.bin and c.bin.
    expect(result.recheck).toEqual([0, 2, 3, 4]);
    expect(checkFromScratch(disk(fixture, states.map(() => null))).recheck).toEqual([]);
  });

  it('trusts a claimed piece iff every byte of it lies in an unchanged file; hashes the rest of what is claimed or in a changed file on disk (property)', () => {
    const fixture = multiFixture();
    const { layout } = fixture;
    const owner = new Int32Array(layout.pieceSpaceLength);
    layout.files.forEach((f, i) => owner.fill(i, f.offset, f.offset + f.length));
    fc.assert(fc.property(
      fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
      fc.array(fc.constantFrom('same', 'mtime', 'size', 'gone'), { minLength: 6, maxLength: 6 }),
      (bits, changes) => {
        const have = Bitfield.fromIndices(5, bits.flatMap((b, i) => (b ? [i] : [])));
        const current = statesOf(fixture).map((s, i) => {
          switch (changes[i]) {
            case 'mtime': return { size: s!.size, mtime: s!.mtime + 7 };
            case 'size': return { size: s!.size + 1, mtime: s!.mtime };
            case 'gone': return null;
            default: return s;
          }
        });
        const result = checkResume(resumeFor(fixture, have), disk(fixture, current));
        for (let p = 0; p < 5; p++) {
          const bytes = owner.subarray(p * 16, Math.min((p + 1) * 16, layout.pieceSpaceLength));
          const clean = [...bytes].every((f) => changes[f] === 'same');
          const changedOnDisk = [...bytes].some((f) => changes[f] === 'mtime' || changes[f] === 'size');
          expect(result.trusted.get(p)).toBe(bits[p]! && clean);
          expect(result.recheck.includes(p)).toBe((bits[p]! && !clean) || changedOnDisk);
        }
        expect(result.valid).toBe(result.recheck.length === 0);
      },
    ));
  });
});
