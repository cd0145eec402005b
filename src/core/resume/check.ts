import { filePieces, pieceSlices, type PieceLayout } from '../metainfo/layout.js';
import type { FileState } from '../ports/storage.js';
import { Bitfield, BitfieldError } from '../util/bitfield.js';
import { ResumeError } from './errors.js';
import type { ResumeData } from './resume-data.js';

/** A torrent's data as it is now: which torrent, where its data lives, and each file's state there. */
export interface DataOnDisk {
  /** Lower-case hex (upper case is accepted). */
  readonly infoHash: string;
  /** `TorrentStorage.location`: the data folder, or a storage backend's id. */
  readonly location: string;
  readonly layout: PieceLayout;
  /** `TorrentStorage.fileStates()` now, one per file of the layout. */
  readonly files: readonly (FileState | null)[];
}

export interface ResumeCheck {
  /** True when nothing needs hashing: every claimed piece is trusted and no file changed since the save. */
  readonly valid: boolean;
  /** Pieces to count as had without hashing. */
  readonly trusted: Bitfield;
  /** Pieces to hash before they are trusted or fetched, in ascending order. */
  readonly recheck: readonly number[];
}

/**
 * Decides what saved resume data lets us skip. Data on disk outranks it: a file whose size or mtime
 * differs from the save (or that appeared since) may hold anything, so every piece touching it is
 * hashed, claimed or not. A crash after the last save thus loses no verified piece that reached the
 * disk, and a file edited behind our back is never served unchecked. A claimed piece is trusted only
 * when every non-padding file it touches is on disk with exactly the recorded size and mtime (claimed
 * pieces in files not on disk as files, such as unwanted ones in a part file, are hashed too).
 * Unclaimed pieces of unchanged files are not on disk: nothing wrote them since the save.
 *
 * Throws `resume/wrong-torrent`, `resume/wrong-location` or `resume/wrong-piece-count` when the
 * resume data is not about this torrent's data here; the caller then checks the data from scratch
 * (`checkFromScratch`).
 */
export function checkResume(resume: ResumeData, disk: DataOnDisk): ResumeCheck {
  const { layout, files: current } = disk;
  const infoHash = disk.infoHash.toLowerCase();
  if (resume.infoHash !== infoHash) {
    throw new ResumeError('resume/wrong-torrent', `resume data is for torrent ${resume.infoHash}, not ${infoHash}`);
  }
  if (resume.location !== disk.location) {
    throw new ResumeError('resume/wrong-location', `resume data describes the data in ${resume.location}, not in ${disk.location}`);
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
  const toHash = new Bitfield(layout.pieceCount);
  for (const piece of have.indices()) {
    if (pieceSlices(layout, piece).every((s) => unchanged[s.fileIndex])) trusted.set(piece);
    else toHash.set(piece);
  }
  markPiecesOf(layout, toHash, (i) => !unchanged[i] && current[i] != null);
  const recheck = [...toHash.indices()];
  return { valid: recheck.length === 0, trusted, recheck };
}

/** With no usable resume data: nothing is trusted, and every piece touching a file on disk is hashed. */
export function checkFromScratch(disk: DataOnDisk): ResumeCheck {
  const toHash = new Bitfield(disk.layout.pieceCount);
  markPiecesOf(disk.layout, toHash, (i) => disk.files[i] != null);
  const recheck = [...toHash.indices()];
  return { valid: recheck.length === 0, trusted: new Bitfield(disk.layout.pieceCount), recheck };
}

/** Sets every piece holding a byte of a (non-padding) file that `selected` picks. */
function markPiecesOf(layout: PieceLayout, pieces: Bitfield, selected: (fileIndex: number) => boolean): void {
  layout.files.forEach((file, i) => {
    if (file.padding || file.length === 0 || !selected(i)) return;
    const { start, end } = filePieces(layout, i);
    for (let p = start; p < end; p++) pieces.set(p);
  });
}
