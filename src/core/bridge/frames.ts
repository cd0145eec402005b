import { parseControl, type ControlMessage } from './control.js';
import { BridgeError } from './errors.js';

/**
 * One bridge WebSocket carries every torrent the browser and the sidecar share. Each WebSocket
 * message is one frame, always binary:
 *
 *   0x01 CONTROL  UTF-8 JSON of one ControlMessage (at most MAX_CONTROL_BYTES)
 *   0x02 DATA     u32 channel (big-endian), then 1..MAX_DATA_PAYLOAD bytes of that channel's peer wire
 *
 * A channel is one torrent's BitTorrent connection between the two; its bytes are an ordered stream and
 * frame boundaries mean nothing.
 */
export const FRAME_CONTROL = 0x01;
export const FRAME_DATA = 0x02;
export const DATA_HEADER_BYTES = 5;
/** A sender splits longer writes; 256 KiB keeps one frame from holding up the others for long. */
export const MAX_DATA_PAYLOAD = 256 * 1024;
/** Room for a join that carries a 16 MiB info dictionary in base64, and nothing much more. */
export const MAX_CONTROL_BYTES = 23 * 1024 * 1024;
/** The largest frame either side accepts: what the WebSocket server's maxPayload is set to. */
export const MAX_FRAME_BYTES = 1 + MAX_CONTROL_BYTES;

export type Frame = { readonly kind: 'control'; readonly message: ControlMessage } | { readonly kind: 'data'; readonly channel: number; readonly payload: Uint8Array };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeControl(message: ControlMessage): Uint8Array {
  const json = encoder.encode(JSON.stringify(message));
  if (json.length > MAX_CONTROL_BYTES) throw new BridgeError('bridge/frame-too-large', `a ${message.type} message of ${json.length} bytes is over the bridge's ${MAX_CONTROL_BYTES}`);
  const frame = new Uint8Array(1 + json.length);
  frame[0] = FRAME_CONTROL;
  frame.set(json, 1);
  return frame;
}

/** A new frame holding a copy of `payload` (1..MAX_DATA_PAYLOAD bytes). */
export function encodeData(channel: number, payload: Uint8Array): Uint8Array {
  if (payload.length === 0 || payload.length > MAX_DATA_PAYLOAD) throw new BridgeError('bridge/frame-too-large', `a data frame holds 1..${MAX_DATA_PAYLOAD} bytes, not ${payload.length}`);
  const frame = new Uint8Array(DATA_HEADER_BYTES + payload.length);
  frame[0] = FRAME_DATA;
  new DataView(frame.buffer).setUint32(1, channel >>> 0);
  frame.set(payload, DATA_HEADER_BYTES);
  return frame;
}

/** One received frame. A data frame's payload is a view of `frame`. Throws BridgeError on anything else. */
export function decodeFrame(frame: Uint8Array): Frame {
  if (frame.length === 0) throw new BridgeError('bridge/bad-frame', 'an empty bridge frame');
  const type = frame[0];
  if (type === FRAME_DATA) {
    if (frame.length <= DATA_HEADER_BYTES) throw new BridgeError('bridge/bad-frame', `a data frame of ${frame.length} bytes has no payload`);
    if (frame.length - DATA_HEADER_BYTES > MAX_DATA_PAYLOAD) throw new BridgeError('bridge/frame-too-large', `a data frame of ${frame.length - DATA_HEADER_BYTES} bytes is over ${MAX_DATA_PAYLOAD}`);
    const channel = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(1);
    return { kind: 'data', channel, payload: frame.subarray(DATA_HEADER_BYTES) };
  }
  if (type === FRAME_CONTROL) {
    if (frame.length - 1 > MAX_CONTROL_BYTES) throw new BridgeError('bridge/frame-too-large', `a control frame of ${frame.length - 1} bytes is over ${MAX_CONTROL_BYTES}`);
    let value: unknown;
    try {
      value = JSON.parse(decoder.decode(frame.subarray(1)));
    } catch {
      throw new BridgeError('bridge/bad-control', 'a control frame is not UTF-8 JSON');
    }
    return { kind: 'control', message: parseControl(value) };
  }
  throw new BridgeError('bridge/bad-frame', `unknown bridge frame type ${type}`);
}
