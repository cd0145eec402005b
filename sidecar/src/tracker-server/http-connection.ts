// One TCP connection of the tracker's own HTTP server: requests read with http-wire.ts and answered
// in order (keep-alive and pipelining), WebSocket upgrades handed to the relay, bounded in time and bytes.
import { Buffer } from 'node:buffer';
import type { Socket } from 'node:net';
import { encodeHttpResponse, parseHttpHead, type HttpRequestHead } from './http-wire.js';
import type { TrackerService } from './service.js';

export interface HttpConnectionTimeouts {
  /** A connection with no request in progress is closed after this long. */
  readonly keepAliveMs: number;
  /** A request head must arrive whole within this long of its first byte (slow clients get 408). */
  readonly headMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpConnectionTimeouts = { keepAliveMs: 30_000, headMs: 10_000 };

export function serveHttpConnection(service: TrackerService, socket: Socket, timeouts: HttpConnectionTimeouts = DEFAULT_HTTP_TIMEOUTS): void {
  let buffer: Buffer | null = null;
  let headStartedAt = 0;
  socket.setNoDelay(true);
  socket.setTimeout(timeouts.keepAliveMs, () => socket.destroy());
  socket.on('error', () => socket.destroy());

  const finish = (status: number, message: string): void => {
    socket.off('data', onData);
    buffer = null;
    socket.end(encodeHttpResponse(status, 'text/plain', `${message}\n`, false));
  };

  const answer = (head: HttpRequestHead): Buffer => {
    let reply;
    try {
      reply = service.answerHttp(head.method, head.target, socket.remoteAddress) ?? { status: 404, type: 'text/plain', body: 'not found\n' };
    } catch {
      reply = { status: 500, type: 'text/plain', body: 'internal error\n' };
    }
    return encodeHttpResponse(reply.status, reply.type, reply.body, head.keepAlive, head.method !== 'HEAD');
  };

  const onData = (chunk: Buffer): void => {
    let buf: Buffer = buffer === null ? chunk : Buffer.concat([buffer, chunk]);
    buffer = null;
    // Replies to pipelined requests of one chunk leave in one write.
    socket.cork();
    try {
      for (;;) {
        const result = parseHttpHead(buf);
        if (result.kind === 'incomplete') {
          if (buf.length === 0) break;
          const now = Date.now();
          if (headStartedAt === 0) headStartedAt = now;
          else if (now - headStartedAt > timeouts.headMs) return finish(408, 'request head took too long');
          buffer = buf;
          break;
        }
        headStartedAt = 0;
        if (result.kind === 'error') {
          service.counters.reject('http-malformed');
          return finish(result.status, result.message);
        }
        const rest = buf.subarray(result.length);
        if (result.head.upgrade) {
          socket.off('data', onData);
          socket.setTimeout(0);
          service.handleUpgrade({ headers: result.head.headers, socket: { remoteAddress: socket.remoteAddress } }, socket, rest);
          return;
        }
        socket.write(answer(result.head));
        if (!result.head.keepAlive) {
          socket.off('data', onData);
          socket.end();
          return;
        }
        buf = rest;
      }
    } finally {
      socket.uncork();
    }
    // A client that does not read its replies stops being read.
    if (socket.writableLength > service.limits.maxBufferedBytes) {
      socket.pause();
      socket.once('drain', () => socket.resume());
    }
  };
  socket.on('data', onData);
}
