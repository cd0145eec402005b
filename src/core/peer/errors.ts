import { SluiceError } from '../errors.js';

/**
 * Why a PeerConnection gave up on its peer (delivered as a `protocol-error` event; the caller drops the peer),
 * plus `peer/invalid-call` for a caller that uses the connection wrongly (thrown; a bug, not bad input).
 */
export type PeerErrorCode =
  /** The handshake names another torrent. */
  | 'peer/info-hash-mismatch'
  /** The handshake carries our own peer id: we dialled ourselves. */
  | 'peer/self-connection'
  /** bitfield / have all / have none after a message other than keep-alive, extended or port. */
  | 'peer/availability-not-first'
  /** A second bitfield / have all / have none. */
  | 'peer/duplicate-availability'
  /** A bitfield whose length is not ceil(pieceCount / 8). */
  | 'peer/bitfield-wrong-length'
  /** A bitfield with bits set after the last piece. */
  | 'peer/bitfield-spare-bits'
  /** have (or lt_donthave) for a piece index >= pieceCount. */
  | 'peer/have-out-of-range'
  /** A request for a block outside the torrent (or before we know its metadata). */
  | 'peer/request-out-of-range'
  /** A request of length 0 or more than 128 KiB. */
  | 'peer/bad-request-length'
  /** A piece message for a block outside the torrent, or empty, or before we know the metadata. */
  | 'peer/piece-out-of-range'
  /** have all, have none, reject, allowed fast or suggest without the fast extension negotiated (BEP 6). */
  | 'peer/fast-not-negotiated'
  /** An extended message without the extension protocol negotiated (BEP 10). */
  | 'peer/extended-not-negotiated'
  /** No handshake within the handshake timeout. */
  | 'peer/handshake-timeout'
  /** Nothing received for the inactivity timeout (keep-alives count). */
  | 'peer/timeout'
  /** The caller broke the connection's contract (e.g. sent a message before the handshake arrived). */
  | 'peer/invalid-call';

export class PeerError extends SluiceError<PeerErrorCode> {
  override readonly name: string = 'PeerError';
}
