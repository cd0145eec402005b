import type { SluiceError } from '../errors.js';
import type { MetadataMessage } from '../extensions/ut-metadata/codec.js';
import type { PexMessage } from '../extensions/ut-pex/codec.js';
import type { Bitfield } from '../util/bitfield.js';
import type { ExtendedHandshake } from '../wire/extended-handshake.js';

/**
 * What a PeerConnection reports from the peer's bytes and from the passing of time. Byte views (`block`,
 * `payload`, metadata `data`) point into the chunk given to receive(): consume them before reusing its memory.
 */
export type PeerEvent =
  | {
      readonly type: 'handshake';
      readonly peerId: Uint8Array;
      readonly reserved: Uint8Array;
      /** Client and version from the peer id, e.g. "qBittorrent 4.6.3" or "Unknown (-XY1234-)". */
      readonly clientName: string;
      /** BEP 10 negotiated (both sides set the bit). */
      readonly extended: boolean;
      /** BEP 6 negotiated. */
      readonly fast: boolean;
      /** The peer runs a DHT node (BEP 5 bit). */
      readonly dht: boolean;
    }
  | { readonly type: 'extended-handshake'; readonly handshake: ExtendedHandshake }
  /** The peer's pieces. For a magnet (piece count unknown) it comes from setPieceCount() instead. */
  | { readonly type: 'bitfield'; readonly bitfield: Bitfield }
  | { readonly type: 'have-all' }
  | { readonly type: 'have-none' }
  /** Only for a piece the peer did not already have, so the caller can count availability. */
  | { readonly type: 'have'; readonly index: number }
  | { readonly type: 'choke' }
  | { readonly type: 'unchoke' }
  | { readonly type: 'interested' }
  | { readonly type: 'not-interested' }
  /** A request the caller should serve with piece() or refuse with reject(). */
  | { readonly type: 'request'; readonly index: number; readonly begin: number; readonly length: number }
  /** The peer withdrew a pending request (with fast, the connection already sent the reject). */
  | { readonly type: 'cancel'; readonly index: number; readonly begin: number; readonly length: number }
  /** `block` is a view valid only until the next receive() (or until the chunk's memory is reused): copy what you keep. */
  | { readonly type: 'piece'; readonly index: number; readonly begin: number; readonly block: Uint8Array }
  | { readonly type: 'reject'; readonly index: number; readonly begin: number; readonly length: number }
  | { readonly type: 'allowed-fast'; readonly index: number }
  | { readonly type: 'suggest'; readonly index: number }
  | { readonly type: 'port'; readonly port: number }
  | { readonly type: 'metadata'; readonly message: MetadataMessage }
  | { readonly type: 'pex'; readonly message: PexMessage }
  /** BEP 54: the peer lost a piece it had (only for a piece it had). */
  | { readonly type: 'donthave'; readonly index: number }
  /** An extended message on an id we did not assign to any extension. */
  | { readonly type: 'extended'; readonly id: number; readonly payload: Uint8Array }
  | { readonly type: 'keep-alive' }
  /** The connection is finished: drop the peer. No event follows this one. */
  | { readonly type: 'protocol-error'; readonly error: SluiceError };

export type PeerEventType = PeerEvent['type'];
