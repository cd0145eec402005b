import { SluiceError } from '../errors.js';

export type TorrentErrorCode = 'torrent/no-metadata' | 'torrent/bad-file' | 'torrent/removed' | 'torrent/bad-range' | 'torrent/stream-cancelled';

export class TorrentError extends SluiceError<TorrentErrorCode> {
  override readonly name = 'TorrentError';
}
