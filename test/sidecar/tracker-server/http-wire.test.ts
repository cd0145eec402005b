import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serveHttpConnection } from '../../../sidecar/src/tracker-server/http-connection.js';
import { MAX_HEAD_BYTES, MAX_HEADERS, encodeHttpResponse, parseHttpHead } from '../../../sidecar/src/tracker-server/http-wire.js';
import { TrackerService } from '../../../sidecar/src/tracker-server/service.js';
import { FakeSocket } from './fake-socket.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Requests with fixed replies: a path that is not the tracker's, and an announce without peer_id. */
const NOT_FOUND = 'GET /nothing HTTP/1.1\r\nHost: t\r\n\r\n';
const BAD_ANNOUNCE = 'GET /announce?info_hash=abc HTTP/1.1\r\nHost: t\r\n\r\n';

function reply(status: string, body: string, connection: 'keep-alive' | 'close'): string {
  return `HTTP/1.1 ${status}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: ${connection}\r\n\r\n${body}`;
}

function connection(): { socket: FakeSocket; service: TrackerService } {
  const service = new TrackerService({ clock: () => 0 });
  const socket = new FakeSocket();
  serveHttpConnection(service, socket.asSocket());
  return { socket, service };
}

describe('parseHttpHead', () => {
  it('reads method, target, version, lower-case headers, keep-alive and upgrade', () => {
    const r = parseHttpHead(bytes('GET /announce?x=%01 HTTP/1.1\r\nHost: a\r\nX-Two: 1\r\nx-two: 2\r\n\r\nNEXT'));
    expect(r).toEqual({
      kind: 'request',
      head: { method: 'GET', target: '/announce?x=%01', version: '1.1', headers: { host: 'a', 'x-two': '1, 2' }, keepAlive: true, upgrade: false },
      length: 'GET /announce?x=%01 HTTP/1.1\r\nHost: a\r\nX-Two: 1\r\nx-two: 2\r\n\r\n'.length,
    });
    expect(parseHttpHead(bytes('GET / HTTP/1.0\r\n\r\n'))).toMatchObject({ head: { version: '1.0', keepAlive: false } });
    expect(parseHttpHead(bytes('GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n'))).toMatchObject({ head: { keepAlive: true } });
    expect(parseHttpHead(bytes('GET / HTTP/1.1\r\nConnection: close\r\n\r\n'))).toMatchObject({ head: { keepAlive: false } });
    expect(parseHttpHead(bytes('GET / HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\nUpgrade: WebSocket\r\n\r\n'))).toMatchObject({ head: { upgrade: true } });
    expect(parseHttpHead(bytes('\r\nGET / HTTP/1.1\r\n\r\n'))).toMatchObject({ kind: 'request', length: 20 });
    expect(parseHttpHead(bytes('GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n'))).toMatchObject({ kind: 'request' });
  });

  it('waits for the whole head, and refuses malformed or oversized heads with an exact status', () => {
    expect(parseHttpHead(bytes('GET / HTTP/1.1\r\nHost: a\r\n'))).toEqual({ kind: 'incomplete' });
    const cases: [string, number, string][] = [
      ['GET / HTTP/1.1 extra\r\n\r\n', 400, 'malformed request line'],
      ['GET http://a/ HTTP/1.1\r\n\r\n', 400, 'malformed request line'],
      ['GET / HTTP/2.0\r\n\r\n', 400, 'malformed request line'],
      ['GET /a b HTTP/1.1\r\n\r\n', 400, 'malformed request line'],
      ['GET / HTTP/1.1\r\nno colon\r\n\r\n', 400, 'malformed header line'],
      ['GET / HTTP/1.1\r\nA: 1\r\n folded\r\n\r\n', 400, 'malformed header line'],
      ['GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n', 400, 'malformed content-length'],
      ['GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello', 413, 'request bodies are not accepted'],
      ['GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n', 413, 'request bodies are not accepted'],
      [`GET / HTTP/1.1\r\n${'A: b\r\n'.repeat(MAX_HEADERS + 1)}\r\n`, 431, 'too many headers'],
      [`GET /${'a'.repeat(MAX_HEAD_BYTES)} HTTP/1.1\r\n\r\n`, 431, 'request head too large'],
      [`GET /${'a'.repeat(MAX_HEAD_BYTES)}`, 431, 'request head too large'],
    ];
    for (const [text, status, message] of cases) expect(parseHttpHead(bytes(text)), text.slice(0, 40)).toEqual({ kind: 'error', status, message });
  });

  it('on any bytes returns a result, and waits only while the head is within its bound', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: MAX_HEAD_BYTES + 200 }), (input) => {
        const r = parseHttpHead(Buffer.from(input));
        if (r.kind === 'incomplete') expect(input.length).toBeLessThanOrEqual(MAX_HEAD_BYTES + 8);
        if (r.kind === 'request') expect(r.length).toBeLessThanOrEqual(input.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('encodeHttpResponse', () => {
  it('writes status line, headers and body in one buffer', () => {
    expect(encodeHttpResponse(200, 'text/plain', 'héllo', true).toString('latin1')).toBe(
      'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 6\r\nconnection: keep-alive\r\n\r\nh\xc3\xa9llo',
    );
    expect(encodeHttpResponse(404, 'text/plain', new Uint8Array([1, 2]), false, false).toString('latin1')).toBe(
      'HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nconnection: close\r\n\r\n',
    );
  });
});

describe('serveHttpConnection', () => {
  it('answers pipelined requests in order, whatever the chunking, and closes after Connection: close', async () => {
    const stream = NOT_FOUND + BAD_ANNOUNCE + NOT_FOUND.replace('Host: t', 'Connection: close');
    const expected =
      reply('404 Not Found', 'not found\n', 'keep-alive') +
      reply('200 OK', 'd14:failure reason15:missing peer_ide', 'keep-alive') +
      reply('404 Not Found', 'not found\n', 'close');
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 12 }), async (cuts) => {
        const { socket } = connection();
        const points = [0, ...cuts.sort((a, b) => a - b), stream.length];
        for (let i = 1; i < points.length; i++) socket.feed(bytes(stream.slice(points[i - 1], points[i])));
        await tick();
        expect(socket.written().toString('latin1')).toBe(expected);
        expect(socket.ended).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('replies to a malformed request with its status, closes, and counts it', async () => {
    const { socket, service } = connection();
    socket.feed(bytes('GET / HTTP/1.1\r\nbad header\r\n\r\nGET / HTTP/1.1\r\n\r\n'));
    await tick();
    expect(socket.written().toString('latin1')).toBe(reply('400 Bad Request', 'malformed header line\n', 'close'));
    expect(socket.ended).toBe(true);
    expect(service.stats().rejected).toEqual({ 'http-malformed': 1 });
  });

  it('refuses a method other than GET on announce with 405, and keeps the connection', async () => {
    const { socket } = connection();
    socket.feed(bytes('POST /announce HTTP/1.1\r\nContent-Length: 0\r\n\r\n'));
    await tick();
    expect(socket.written().toString('latin1')).toBe(reply('405 Method Not Allowed', 'GET only\n', 'keep-alive'));
    expect(socket.ended).toBe(false);
  });

  it('never holds more than its bound of a head that does not end: random bytes in random chunks get 431 and a close', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 3000 }).map((b) => b.map((x) => (x === 0x0a ? 0x20 : x))), { minLength: 1, maxLength: 12 }),
        async (chunks) => {
          const { socket } = connection();
          let fed = 0;
          for (const chunk of chunks) {
            if (socket.ended || socket.written().length > 0) break;
            socket.feed(chunk);
            fed += chunk.length;
          }
          await tick();
          // No LF means no head can end: either it is still within the bound (nothing said yet) or it is refused.
          if (fed > MAX_HEAD_BYTES) {
            expect(socket.written().toString('latin1')).toBe(reply('431 Request Header Fields Too Large', 'request head too large\n', 'close'));
            expect(socket.ended).toBe(true);
          } else {
            expect(socket.written().length).toBe(0);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('survives random bytes in random chunks: a reply per whole request at most, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 400 }), { maxLength: 8 }), async (chunks) => {
        const { socket } = connection();
        for (const chunk of chunks) socket.feed(chunk);
        await tick();
        const text = socket.written().toString('latin1');
        expect(text === '' || text.startsWith('HTTP/1.1 ')).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
