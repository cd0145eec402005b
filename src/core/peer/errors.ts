import { SluiceError } from '../errors.js';

/**
 * Why a PeerConnection gave up on its peer (delivered as a `protocol-error` event; the caller drops the peer):
 * only what protects us (the wrong torrent, bounds, lengths, piece indexes, timeouts). Harmless quirks of real
 * clients are tolerated; docs/engine/peer.md lists what is kept and what was relaxed, and why.
 * Plus `peer/invalid-call` for a caller that uses the connection wrongly (thrown; a bug, not bad input).
 */
export type PeerErrorCode =
  /** The handshake names another torrent. */
  | 'peer/info-hash-mismatch'
  /** The handshake carries our own peer id: we dialled ourselves. */
  | 'peer/self-connection'
  /** A bitfield whose length is not ceil(pieceCount / 8). */
  | 'peer/bitfield-wrong-length'
  /** have (or lt_donthave) for a piece index >= pieceCount. */
  | 'peer/have-out-of-range'
  /** A request for a block outside the torrent (or before we know its metadata). */
  | 'peer/request-out-of-range'
  /** A request of length 0 or more than 128 KiB. */
  | 'peer/bad-request-length'
  /** A piece message for a block outside the torrent, or empty, or before we know the metadata. */
  | 'peer/piece-out-of-range'
  /** No handshake within the handshake timeout. */
  | 'peer/handshake-timeout'
  /** Nothing received for the inactivity timeout (keep-alives count). */
  | 'peer/timeout'
  /** The caller broke the connection's contract (e.g. sent a message before the handshake arrived). */
  | 'peer/invalid-call';

export class PeerError extends SluiceError<PeerErrorCode> {
  override readonly name: string = 'PeerError';
}
