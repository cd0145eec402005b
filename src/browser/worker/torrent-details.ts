import type { Torrent } from '../../core/engine/torrent.js';
import type { TorrentDetails, TorrentRateLimits } from '../client/protocol.js';

/** What the page's details view of one torrent shows, read from the torrent as it is now. */
export function torrentDetails(torrent: Torrent, rateLimits: TorrentRateLimits): TorrentDetails {
  const count = torrent.metainfo?.pieceCount ?? 0;
  return {
    files: torrent.files(),
    peers: torrent.peers(),
    trackers: torrent.trackers(),
    webSeeds: torrent.webSeeds(),
    pieces: { count, have: pieceBitfield(count, (piece) => torrent.hasPiece(piece)) },
    rateLimits,
  };
}

/** The verified pieces as a bitfield, most significant bit first (the wire's order): 1 bit a piece. */
export function pieceBitfield(count: number, has: (piece: number) => boolean): Uint8Array {
  const bits = new Uint8Array(Math.ceil(count / 8));
  for (let piece = 0; piece < count; piece++) if (has(piece)) bits[piece >> 3]! |= 0x80 >> (piece & 7);
  return bits;
}

/** A rate limit from the page: a whole number of bytes per second, 0 (none) for anything else. */
export function validRate(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}
