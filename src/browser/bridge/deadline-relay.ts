import type { Torrent } from '../../core/engine/torrent.js';

type DeadlineListener = {
  set(infoHash: string, piece: number, at: number): void;
  clear(infoHash: string, piece: number): void;
};

const relayed = new WeakSet<Torrent>();

/**
 * Lets the bridge hear the deadlines a torrent's readers set (the player's stream, the tail of an MP4),
 * so the sidecar's picker fetches the same pieces first. Subscribes once per torrent through
 * `Torrent.onPieceDeadline`; `listener` is asked each time, so a bridge that is down hears nothing.
 */
export function relayDeadlines(torrent: Torrent, listener: () => DeadlineListener | null): void {
  if (relayed.has(torrent)) return;
  relayed.add(torrent);
  torrent.onPieceDeadline((change) => {
    const l = listener();
    if (change.type === 'set') l?.set(torrent.infoHashHex, change.piece, change.deadline);
    else l?.clear(torrent.infoHashHex, change.piece);
  });
}
