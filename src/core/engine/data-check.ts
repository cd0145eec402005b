import { pieceSize } from '../metainfo/layout.js';
import type { Metainfo } from '../metainfo/model.js';
import type { TorrentStorage } from '../ports/storage.js';
import { checkFromScratch, checkResume, decodeResume, isResumeError, type ResumeCheck, type ResumeData } from '../resume/index.js';
import type { Bitfield } from '../util/bitfield.js';
import type { ResumeStore } from './context.js';
import type { PieceVerifier } from './piece-verifier.js';

/** Resume data for a torrent, or null when there is none or it does not decode (then the data is rechecked). */
export async function loadResumeData(store: ResumeStore | null, key: string): Promise<ResumeData | null> {
  if (!store) return null;
  try {
    const bytes = await store.load(key);
    return bytes ? decodeResume(bytes) : null;
  } catch {
    return null;
  }
}

export interface DataCheckInput {
  readonly meta: Metainfo;
  readonly storage: TorrentStorage;
  readonly verifier: PieceVerifier;
  readonly resume: ResumeData | null;
  readonly infoHashHex: string;
  /** Stops the check early (the torrent was removed); the check then returns null. */
  readonly cancelled: () => boolean;
  /** Called after each hashed piece: how many bytes of the pieces to hash are done, of how many. */
  readonly progress?: (doneBytes: number, totalBytes: number) => void;
}

/**
 * Which pieces are on disk. Resume data saved for this torrent's data here is trusted for files that
 * did not change since; every piece touching a changed file is hashed, claimed or not. Without usable
 * resume data, every piece that touches a file present on disk is hashed. Pieces of missing files cost nothing.
 */
export async function checkTorrentData(input: DataCheckInput): Promise<Bitfield | null> {
  const { meta, storage, verifier, resume } = input;
  const disk = { infoHash: input.infoHashHex, location: storage.location, layout: meta, files: await storage.fileStates() };
  let plan: ResumeCheck;
  try {
    plan = resume ? checkResume(resume, disk) : checkFromScratch(disk);
  } catch (error) {
    // Another location's, or another torrent's: worthless here.
    if (!isResumeError(error)) throw error;
    plan = checkFromScratch(disk);
  }
  const have = plan.trusted;
  const recheck = plan.recheck;
  let totalBytes = 0;
  for (const index of recheck) totalBytes += pieceSize(meta, index);
  let doneBytes = 0;
  for (const index of recheck) {
    if (input.cancelled()) return null;
    const data = await storage.readPiece(index).catch(() => null);
    if (data && (await verifier.verify(index, data))) have.set(index);
    else have.clear(index);
    doneBytes += pieceSize(meta, index);
    input.progress?.(doneBytes, totalBytes);
  }
  return have;
}
