import { SluiceError } from '../../errors.js';

export type WsTrackerErrorCode =
  /** The frame is longer than the bound (message bytes). */
  | 'ws-tracker/too-large'
  /** The frame is not UTF-8, not JSON, or not a JSON object. */
  | 'ws-tracker/not-json'
  /** `action` is missing or not one this protocol knows. */
  | 'ws-tracker/bad-action'
  /** An info hash, peer id, offer id or to_peer_id is not 20 characters of code points 0-255. */
  | 'ws-tracker/bad-id'
  /** A field has the wrong type or value (an SDP that is not a string, an unknown event...). */
  | 'ws-tracker/bad-field'
  /** More offers in one announce than the bound. */
  | 'ws-tracker/too-many-offers'
  /** An SDP longer than the bound. */
  | 'ws-tracker/sdp-too-long';

/** Every failure of the WebSocket-tracker codec: one stable code, one line of text. */
export class WsTrackerError extends SluiceError<WsTrackerErrorCode> {
  override readonly name = 'WsTrackerError';
}

export function isWsTrackerError(value: unknown): value is WsTrackerError {
  return value instanceof WsTrackerError;
}

/** The part of the code after `ws-tracker/`: the label a tracker server counts rejections under. */
export function rejectionKind(error: WsTrackerError): string {
  return error.code.slice('ws-tracker/'.length);
}
