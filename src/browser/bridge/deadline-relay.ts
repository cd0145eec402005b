import type { Torrent } from '../../core/engine/torrent.js';

type DeadlineListener = {
  set(infoHash: string, piece: number, at: number): void;
  clear(infoHash: string, piece: number): void;
};

const relayed = new WeakSet<Torrent>();

/**
 * Lets the bridge hear the deadlines a torrent's readers set (the player's stream, the tail of an MP4),
 * so the sidecar's picker fetches the same pieces first. The torrent has no listener for them, and
 * src/core/engine/torrent.ts is being split, so the two methods are wrapped on this instance only: the
 * torrent still does exactly what it did, then the listener is told. (A deadline event on Torrent
 * would be the cleaner seam once the split has landed.)
 */
export function relayDeadlines(torrent: Torrent, listener: () => DeadlineListener | null): void {
  if (relayed.has(torrent)) return;
  relayed.add(torrent);
  const set = torrent.setPieceDeadline.bind(torrent);
  const clear = torrent.clearPieceDeadline.bind(torrent);
  torrent.setPieceDeadline = (piece: number, deadline: number) => {
    set(piece, deadline);
    listener()?.set(torrent.infoHashHex, piece, deadline);
  };
  torrent.clearPieceDeadline = (piece: number) => {
    clear(piece);
    listener()?.clear(torrent.infoHashHex, piece);
  };
}
