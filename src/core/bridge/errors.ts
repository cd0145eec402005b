import { SluiceError } from '../errors.js';

export type BridgeErrorCode =
  /** A frame that is empty, of an unknown type, or too short for its header. */
  | 'bridge/bad-frame'
  /** A frame over its type's bound (control or data). */
  | 'bridge/frame-too-large'
  /** A control frame that is not UTF-8 JSON of a known message with valid fields. */
  | 'bridge/bad-control'
  /** The far side speaks another bridge protocol version, or broke its order (a join before hello). */
  | 'bridge/protocol'
  /** The sidecar would not join a torrent for the browser. */
  | 'bridge/refused'
  /** The WebSocket under the bridge closed. */
  | 'bridge/closed';

export class BridgeError extends SluiceError<BridgeErrorCode> {
  override readonly name = 'BridgeError';
}
