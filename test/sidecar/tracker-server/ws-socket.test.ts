import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WsSocket, acceptKey, answerUpgrade } from '../../../sidecar/src/tracker-server/ws-socket.js';
import { FakeSocket } from './fake-socket.js';

const MAX = 1000;
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A client frame: masked, as RFC 6455 §5.3 requires. */
function clientFrame(opcode: number, payload: Uint8Array, { fin = true, mask = [0x12, 0x34, 0x56, 0x78] as number[] | null } = {}): Buffer {
  const len = payload.length;
  const head = len < 126 ? [len] : len < 65536 ? [126, len >> 8, len & 255] : [127, 0, 0, 0, 0, (len >>> 24) & 255, (len >> 16) & 255, (len >> 8) & 255, len & 255];
  head[0]! |= mask ? 0x80 : 0;
  const body = Buffer.from(payload.map((b, i) => (mask ? b ^ mask[i & 3]! : b)));
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, ...head]), Buffer.from(mask ?? []), body]);
}

function open(): { socket: FakeSocket; messages: string[]; sizes: number[]; errors: string[] } {
  const socket = new FakeSocket();
  const messages: string[] = [];
  const sizes: number[] = [];
  const errors: string[] = [];
  new WsSocket(socket, MAX, {
    message: (m) => {
      messages.push(m.toString('utf8'));
      sizes.push(m.length);
    },
    error: (kind) => errors.push(kind),
    close: () => {},
  }, Buffer.alloc(0));
  return { socket, messages, sizes, errors };
}

describe('answerUpgrade', () => {
  it('accepts version 13 with the RFC example key, and refuses anything else with 400', () => {
    const good = new FakeSocket();
    expect(answerUpgrade({ headers: { 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' } }, good)).toBe(true);
    expect(acceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect(good.written().toString()).toBe('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n');
    for (const headers of [{ 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '8' }, { 'sec-websocket-version': '13' }, { 'sec-websocket-key': 'short', 'sec-websocket-version': '13' }]) {
      const bad = new FakeSocket();
      expect(answerUpgrade({ headers }, bad)).toBe(false);
      expect(bad.written().toString()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    }
  });
});

describe('WsSocket', () => {
  it('delivers text, fragmented and 16-bit-length messages, whatever the chunking, and sends unmasked text frames', async () => {
    const long = 'x'.repeat(300);
    const stream = Buffer.concat([
      clientFrame(1, Buffer.from('{"a":1}')),
      clientFrame(1, Buffer.from('fra'), { fin: false }),
      clientFrame(9, Buffer.from('p')), // a ping between fragments
      clientFrame(0, Buffer.from('gment')),
      clientFrame(2, Buffer.from(long)),
    ]);
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 20 }), async (cuts) => {
        const { socket, messages } = open();
        const points = [0, ...cuts.sort((a, b) => a - b), stream.length];
        for (let i = 1; i < points.length; i++) socket.feed(stream.subarray(points[i - 1], points[i]));
        await tick();
        expect(messages).toEqual(['{"a":1}', 'fragment', long]);
        expect([...socket.written()]).toEqual([0x8a, 1, 0x70]); // the pong
      }),
      { numRuns: 80 },
    );
    const { socket } = open();
    const ws = new WsSocket(socket, MAX, { message: () => {}, error: () => {}, close: () => {} }, Buffer.alloc(0));
    ws.send('hé');
    ws.send('y'.repeat(200));
    expect([...socket.written().subarray(0, 5)]).toEqual([0x81, 3, 0x68, 0xc3, 0xa9]);
    expect([...socket.written().subarray(5, 9)]).toEqual([0x81, 126, 0, 200]);
  });

  it('closes with 1009 before reading a message over its bound, even one split into fragments', async () => {
    for (const frames of [[clientFrame(1, new Uint8Array(MAX + 1))], [clientFrame(1, new Uint8Array(600), { fin: false }), clientFrame(0, new Uint8Array(600))]]) {
      const { socket, messages, errors } = open();
      // Only the header of the last frame is needed to refuse it.
      const all = Buffer.concat(frames);
      socket.feed(all.subarray(0, all.length - 500));
      await tick();
      expect(messages).toEqual([]);
      expect(errors).toEqual(['too-large']);
      expect([...socket.written().subarray(0, 4)]).toEqual([0x88, 17, 0x03, 0xf1]);
      expect(socket.written().subarray(4).toString()).toBe('message too big');
      expect(socket.ended).toBe(true);
    }
  });

  it('closes with 1002 on an unmasked frame, reserved bits, a long control frame or a stray continuation', async () => {
    for (const frame of [
      clientFrame(1, Buffer.from('x'), { mask: null }),
      Buffer.from([0xc1, 0x80, 0, 0, 0, 0]),
      clientFrame(9, new Uint8Array(126)),
      clientFrame(0, Buffer.from('x')),
      clientFrame(3, Buffer.from('x')),
    ]) {
      const { socket, errors } = open();
      socket.feed(frame);
      await tick();
      expect(errors).toEqual(['ws-protocol']);
      expect([...socket.written().subarray(0, 4)]).toEqual([0x88, 16, 0x03, 0xea]);
      expect(socket.ended).toBe(true);
    }
  });

  it('answers a close frame with the same code and ends', async () => {
    const { socket } = open();
    socket.feed(clientFrame(8, Buffer.from([0x03, 0xe8])));
    await tick();
    expect([...socket.written()]).toEqual([0x88, 2, 0x03, 0xe8]);
    expect(socket.ended).toBe(true);
  });

  it('on random bytes in random chunks never throws and never delivers more than its bound', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 1500 }), { maxLength: 8 }), async (chunks) => {
        const { socket, sizes } = open();
        for (const chunk of chunks) socket.feed(chunk);
        await tick();
        for (const size of sizes) expect(size).toBeLessThanOrEqual(MAX);
      }),
      { numRuns: 300 },
    );
  });
});
