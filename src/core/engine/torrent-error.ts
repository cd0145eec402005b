import { isSluiceError, SluiceError } from '../errors.js';

export type TorrentErrorCode = 'torrent/no-metadata' | 'torrent/bad-file' | 'torrent/removed' | 'torrent/bad-range' | 'torrent/stream-cancelled';

export class TorrentError extends SluiceError<TorrentErrorCode> {
  override readonly name = 'TorrentError';
}

/** Anything a port threw, as the SluiceError a torrent reports (a foreign error becomes `torrent/internal`). */
export function asSluiceError(err: unknown): SluiceError {
  if (isSluiceError(err)) return err;
  return new SluiceError('torrent/internal', err instanceof Error ? err.message : String(err));
}
