// A minimal, strictly bounded HTTP/1.1 request reader for the tracker's own TCP server: request line
// and headers only (the tracker takes no request bodies), keep-alive, pipelining (requests are answered
// in order, one at a time), and the response bytes in one buffer. node:http's parser and response
// objects cost more per announce than the announce itself (docs/benchmarks.md, tracker section).
import { Buffer } from 'node:buffer';

/** Request line plus headers, in bytes; a longer head is refused with 431. */
export const MAX_HEAD_BYTES = 8 * 1024;
/** Header lines; more is refused with 431. */
export const MAX_HEADERS = 64;

export interface HttpRequestHead {
  readonly method: string;
  /** The request target as sent (origin form: path and query). */
  readonly target: string;
  readonly version: '1.0' | '1.1';
  /** Lower-case names; a repeated header's values joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly keepAlive: boolean;
  /** A WebSocket upgrade (`Connection: upgrade` and `Upgrade: websocket`). */
  readonly upgrade: boolean;
}

export type HttpHeadResult =
  | { readonly kind: 'request'; readonly head: HttpRequestHead; /** Bytes of the head, CRLFCRLF included. */ readonly length: number }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'error'; readonly status: 400 | 413 | 431; readonly message: string };

const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\/[\x21-\x7e]*) HTTP\/1\.([01])$/;
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/;
const CRLFCRLF = Buffer.from('\r\n\r\n');

function error(status: 400 | 413 | 431, message: string): HttpHeadResult {
  return { kind: 'error', status, message };
}

const hasToken = (value: string | undefined, token: string): boolean =>
  value !== undefined && value.toLowerCase().split(',').some((part) => part.trim() === token);

/**
 * Reads the request head at the start of `bytes`. `incomplete` while no CRLFCRLF has arrived within
 * MAX_HEAD_BYTES; never reads past the head, so pipelined requests stay in the buffer for the next call.
 * Empty lines before a request line are skipped (RFC 9112 §2.2).
 */
export function parseHttpHead(bytes: Buffer): HttpHeadResult {
  let start = 0;
  while (start + 1 < bytes.length && bytes[start] === 0x0d && bytes[start + 1] === 0x0a && start < 8) start += 2;
  const end = bytes.indexOf(CRLFCRLF, start);
  if (end < 0 || end + 4 - start > MAX_HEAD_BYTES) {
    return bytes.length - start > MAX_HEAD_BYTES ? error(431, 'request head too large') : { kind: 'incomplete' };
  }
  const lines = bytes.toString('latin1', start, end).split('\r\n');
  const requestLine = REQUEST_LINE.exec(lines[0]!);
  if (!requestLine) return error(400, 'malformed request line');
  if (lines.length - 1 > MAX_HEADERS) return error(431, 'too many headers');
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 1; i < lines.length; i++) {
    const header = HEADER_LINE.exec(lines[i]!);
    if (!header) return error(400, 'malformed header line');
    const name = header[1]!.toLowerCase();
    const value = header[2]!;
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  if (headers['transfer-encoding'] !== undefined) return error(413, 'request bodies are not accepted');
  const contentLength = headers['content-length'];
  if (contentLength !== undefined) {
    if (!/^\d{1,15}$/.test(contentLength)) return error(400, 'malformed content-length');
    if (Number(contentLength) > 0) return error(413, 'request bodies are not accepted');
  }
  const version = requestLine[3] === '1' ? '1.1' : '1.0';
  const connection = headers.connection;
  const keepAlive = version === '1.1' ? !hasToken(connection, 'close') : hasToken(connection, 'keep-alive');
  const upgrade = hasToken(connection, 'upgrade') && hasToken(headers.upgrade, 'websocket');
  return { kind: 'request', head: { method: requestLine[1]!, target: requestLine[2]!, version, headers, keepAlive, upgrade }, length: end + 4 };
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Content Too Large',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Status line, headers and body in one buffer (one write, one segment on the wire for small replies). */
export function encodeHttpResponse(status: number, type: string, body: string | Uint8Array, keepAlive: boolean, withBody = true): Buffer {
  const bodyLength = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  const head =
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Unknown'}\r\ncontent-type: ${type}\r\ncontent-length: ${bodyLength}\r\n` +
    `connection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`;
  const out = Buffer.allocUnsafe(head.length + (withBody ? bodyLength : 0));
  out.write(head, 0, 'latin1');
  if (withBody) {
    if (typeof body === 'string') out.write(body, head.length, 'utf8');
    else out.set(body, head.length);
  }
  return out;
}
