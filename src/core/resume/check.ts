import { pieceSlices, type PieceLayout } from '../metainfo/layout.js';
import type { FileState } from '../ports/storage.js';
import { Bitfield, BitfieldError } from '../util/bitfield.js';
import { ResumeError } from './errors.js';
import type { ResumeData } from './resume-data.js';

export interface ResumeCheck {
  /** True when every piece the resume data claims is trusted: nothing needs rehashing. */
  readonly valid: boolean;
  /** Pieces to count as had without rehashing. */
  readonly trusted: Bitfield;
  /** Pieces the resume data claims but that touch a changed or missing file: hash them before use. */
  readonly recheck: readonly number[];
}

/**
 * Decides which pieces of saved resume data can be believed. A claimed piece is trusted only when
 * every non-padding file it touches is on disk with exactly the size and mtime recorded at save
 * time; anything else (a file changed, truncated, missing, or kept in a part file) sends the piece
 * to a recheck. Files no claimed piece touches do not matter.
 *
 * Throws `resume/wrong-torrent` or `resume/wrong-piece-count` when the resume data is not this
 * torrent's: it is then worthless, and the caller starts from a full recheck.
 */
export function checkResume(
  resume: ResumeData,
  current: readonly (FileState | null)[],
  layout: PieceLayout,
  infoHash: string,
): ResumeCheck {
  if (resume.infoHash !== infoHash.toLowerCase()) {
    throw new ResumeError('resume/wrong-torrent', `resume data is for torrent ${resume.infoHash}, not ${infoHash.toLowerCase()}`);
  }
  if (resume.pieceCount !== layout.pieceCount) {
    throw new ResumeError('resume/wrong-piece-count', `resume data has ${resume.pieceCount} pieces; the torrent has ${layout.pieceCount}`);
  }
  if (resume.files.length !== layout.files.length) {
    throw new ResumeError('resume/wrong-torrent', `resume data lists ${resume.files.length} files; the torrent has ${layout.files.length}`);
  }
  let have: Bitfield;
  try {
    have = Bitfield.fromWire(resume.have, resume.pieceCount);
  } catch (error) {
    if (error instanceof BitfieldError) throw new ResumeError('resume/bad-data', `resume data has a bad 'have' bitfield: ${error.message}`);
    throw error;
  }
  const unchanged = layout.files.map((file, i) => {
    if (file.padding) return true;
    const saved = resume.files[i];
    const now = current[i];
    return saved != null && now != null && saved.size === now.size && saved.mtime === now.mtime;
  });
  const trusted = new Bitfield(layout.pieceCount);
  const recheck: number[] = [];
  for (const piece of have.indices()) {
    if (pieceSlices(layout, piece).every((s) => unchanged[s.fileIndex])) trusted.set(piece);
    else recheck.push(piece);
  }
  return { valid: recheck.length === 0, trusted, recheck };
}
