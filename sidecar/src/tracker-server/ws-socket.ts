// The server side of RFC 6455 on any byte stream, as much as a tracker needs: the opening handshake,
// masked client frames read with a size bound, text frames sent in one write, ping/pong and the close
// handshake. The `ws` package does the same with more layers per message (docs/benchmarks.md).
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
export const PROTOCOL_ERROR = 1002;
export const MESSAGE_TOO_BIG = 1009;
/** How long a closing socket waits for the peer's close frame before it is destroyed. */
const CLOSE_TIMEOUT_MS = 2000;

export interface UpgradeRequest {
  /** Lower-case names, as node:http's IncomingMessage has them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

const header = (req: UpgradeRequest, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The `Sec-WebSocket-Accept` value for a client key. */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/**
 * Answers the opening handshake: 101 and true, or 400 and false (the socket is then ended). Only
 * version 13 and a key of 16 base64 bytes are accepted; no extensions or subprotocols are agreed.
 */
export function answerUpgrade(req: UpgradeRequest, socket: Duplex): boolean {
  const key = header(req, 'sec-websocket-key')?.trim();
  if (header(req, 'sec-websocket-version')?.trim() !== '13' || key === undefined || !/^[A-Za-z0-9+/]{22}==$/.test(key)) {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 26\r\n\r\nbad WebSocket handshake.\r\n');
    return false;
  }
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`);
  return true;
}

export interface WsSocketEvents {
  /** One whole message (text or binary), as bytes. */
  message(data: Buffer): void;
  /** The peer broke the protocol or sent too much: `too-large` or `ws-protocol`. The socket is closing. */
  error(kind: 'too-large' | 'ws-protocol'): void;
  /** Once, when the stream is gone. */
  close(): void;
}

/** A frame header's first two bytes, for a server (unmasked) frame of `length`. */
function frameHeader(opcode: number, length: number): Buffer {
  if (length < 126) return Buffer.from([0x80 | opcode, length]);
  if (length < 65536) return Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff]);
  const h = Buffer.alloc(10);
  h[0] = 0x80 | opcode;
  h[1] = 127;
  h.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
  h.writeUInt32BE(length >>> 0, 6);
  return h;
}

/** A whole unmasked text frame (what a server sends) for `text`. */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81;
  if (length < 126) frame[1] = length;
  else if (length < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(text, headerLength, 'utf8');
  return frame;
}

export class WsSocket {
  private buffer: Buffer | null = null;
  private fragments: Buffer[] = [];
  private fragmentBytes = 0;
  private fragmentOpcode = 0;
  private closing = false;
  private gone = false;

  constructor(
    private readonly socket: Duplex,
    private readonly maxPayload: number,
    private readonly events: WsSocketEvents,
    head: Buffer,
  ) {
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (this.gone) return;
      this.gone = true;
      this.closing = true;
      this.events.close();
    });
    if (head.length > 0) this.read(head);
  }

  get open(): boolean {
    return !this.closing;
  }

  /** Bytes written but not yet taken by the kernel. */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  send(text: string): void {
    if (this.closing) return;
    this.socket.write(textFrame(text));
  }

  /** Sends a frame made with `textFrame` (it may go to several sockets: it is never modified). */
  sendFrame(frame: Uint8Array): void {
    if (this.closing) return;
    this.socket.write(frame);
  }

  /** Sends a close frame and ends the stream; what the peer sends after it is not read. */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    const why = Buffer.from(reason.slice(0, 120), 'utf8');
    const payload = Buffer.alloc(2 + why.length);
    payload.writeUInt16BE(code, 0);
    why.copy(payload, 2);
    this.socket.write(Buffer.concat([frameHeader(0x8, payload.length), payload]));
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_TIMEOUT_MS).unref();
  }

  private fail(kind: 'too-large' | 'ws-protocol', code: number): void {
    this.buffer = null;
    this.fragments = [];
    this.events.error(kind);
    this.close(code, kind === 'too-large' ? 'message too big' : 'protocol error');
  }

  private read(chunk: Buffer): void {
    if (this.closing) return;
    let buf = this.buffer === null ? chunk : Buffer.concat([this.buffer, chunk]);
    this.buffer = null;
    // Replies to several frames of one chunk leave in one write.
    this.socket.cork();
    try {
      while (!this.closing) {
        const used = this.frame(buf);
        if (used === 0) break;
        buf = buf.subarray(used);
      }
    } finally {
      this.socket.uncork();
    }
    if (!this.closing && buf.length > 0) this.buffer = buf;
  }

  /** Handles the frame at the start of `buf`; returns its length, or 0 when it has not all arrived. */
  private frame(buf: Buffer): number {
    if (buf.length < 2) return 0;
    const b0 = buf[0]!;
    const b1 = buf[1]!;
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    if ((b0 & 0x70) !== 0 || (b1 & 0x80) === 0) {
      this.fail('ws-protocol', PROTOCOL_ERROR); // reserved bits, or an unmasked client frame
      return 0;
    }
    let length = b1 & 0x7f;
    let at = 2;
    if (length === 126) {
      if (buf.length < 4) return 0;
      length = buf.readUInt16BE(2);
      at = 4;
    } else if (length === 127) {
      if (buf.length < 10) return 0;
      const high = buf.readUInt32BE(2);
      length = high > 0 ? Infinity : buf.readUInt32BE(6);
      at = 10;
    }
    const control = opcode >= 0x8;
    if (control ? !fin || length > 125 : this.fragmentBytes + length > this.maxPayload) {
      if (control) this.fail('ws-protocol', PROTOCOL_ERROR);
      else this.fail('too-large', MESSAGE_TOO_BIG);
      return 0;
    }
    if (buf.length < at + 4 + length) return 0;
    // Unmasked in place: the chunk is ours alone (each socket read is a fresh buffer).
    const m0 = buf[at]!;
    const m1 = buf[at + 1]!;
    const m2 = buf[at + 2]!;
    const m3 = buf[at + 3]!;
    const used = at + 4 + length;
    let i = at + 4;
    for (; i + 3 < used; i += 4) {
      buf[i] = buf[i]! ^ m0;
      buf[i + 1] = buf[i + 1]! ^ m1;
      buf[i + 2] = buf[i + 2]! ^ m2;
      buf[i + 3] = buf[i + 3]! ^ m3;
    }
    const tail = [m0, m1, m2, m3];
    for (let k = 0; i < used; i++, k++) buf[i] = buf[i]! ^ tail[k]!;
    const payload = buf.subarray(at + 4, used);
    switch (opcode) {
      case 0x0:
        if (this.fragmentOpcode === 0) return this.fail('ws-protocol', PROTOCOL_ERROR), 0;
        this.fragments.push(payload);
        this.fragmentBytes += length;
        if (fin) this.deliver(Buffer.concat(this.fragments));
        return used;
      case 0x1:
      case 0x2:
        if (this.fragmentOpcode !== 0) return this.fail('ws-protocol', PROTOCOL_ERROR), 0;
        if (fin) this.events.message(payload);
        else {
          this.fragmentOpcode = opcode;
          this.fragments = [payload];
          this.fragmentBytes = length;
        }
        return used;
      case 0x8: {
        // Echo the peer's code (if any) and end.
        const code = length >= 2 ? payload.readUInt16BE(0) : 0;
        this.closing = true;
        this.socket.write(Buffer.concat([frameHeader(0x8, code ? 2 : 0), code ? payload.subarray(0, 2) : Buffer.alloc(0)]));
        this.socket.end();
        return used;
      }
      case 0x9:
        this.socket.write(Buffer.concat([frameHeader(0xa, length), payload]));
        return used;
      case 0xa:
        return used;
      default:
        this.fail('ws-protocol', PROTOCOL_ERROR);
        return 0;
    }
  }

  private deliver(message: Buffer): void {
    this.fragments = [];
    this.fragmentBytes = 0;
    this.fragmentOpcode = 0;
    this.events.message(message);
  }
}
