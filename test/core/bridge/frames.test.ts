import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../../src/core/bridge/base64.js';
import { parseControl, type ControlMessage } from '../../../src/core/bridge/control.js';
import { BridgeError } from '../../../src/core/bridge/errors.js';
import { decodeFrame, encodeControl, encodeData, MAX_CONTROL_BYTES, MAX_DATA_PAYLOAD } from '../../../src/core/bridge/frames.js';

const hex40 = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Buffer.from(b).toString('hex'));
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const control: fc.Arbitrary<ControlMessage> = fc.oneof(
  fc.record({ type: fc.constant('hello' as const), protocol: fc.integer({ min: 0, max: 0xffff }), peerId: hex40, agent: fc.string({ maxLength: 200 }) }),
  fc.record({ type: fc.constant('join' as const), request: u32, source: fc.oneof(fc.record({ magnet: fc.string({ maxLength: 300 }) }), fc.record({ infoHash: hex40 }), fc.record({ info: fc.uint8Array({ maxLength: 300 }).map(toBase64), trackers: fc.array(fc.webUrl(), { maxLength: 4 }) })) }),
  fc.record({ type: fc.constant('joined' as const), request: u32, infoHash: hex40, channel: u32 }),
  fc.record({ type: fc.constant('refused' as const), request: u32, code: fc.string({ maxLength: 100 }), message: fc.string({ maxLength: 1000 }) }),
  fc.record({ type: fc.constant('leave' as const), infoHash: hex40 }),
  fc.record({ type: fc.constant('close' as const), channel: u32, reason: fc.option(fc.string({ maxLength: 100 })) }),
  fc.record({
    type: fc.constant('deadlines' as const),
    infoHash: hex40,
    set: fc.array(fc.tuple(fc.integer({ min: 0, max: 0x7fff_ffff }), fc.integer({ min: 0, max: 86_400_000 })), { maxLength: 50 }),
    clear: fc.array(fc.integer({ min: 0, max: 0x7fff_ffff }), { maxLength: 50 }),
  }),
  fc.record({
    type: fc.constant('status' as const),
    torrents: fc.array(
      fc.record({
        infoHash: hex40,
        name: fc.string({ maxLength: 50 }),
        state: fc.constantFrom('metadata' as const, 'checking' as const, 'downloading' as const, 'seeding' as const, 'paused' as const, 'error' as const),
        progress: fc.double({ min: 0, max: 1, noNaN: true }),
        peers: fc.nat({ max: 1000 }),
        downloadRate: fc.nat(),
        uploadRate: fc.nat(),
      }),
      { maxLength: 5 },
    ),
  }),
  fc.record({ type: fc.constant('error' as const), code: fc.string({ maxLength: 100 }), message: fc.string({ maxLength: 1000 }) }),
  fc.oneof(
    fc.record({ type: fc.constant('remote' as const), request: u32, action: fc.constant('add' as const), infoHash: fc.constant(null), source: fc.record({ magnet: fc.string({ maxLength: 300 }) }), deleteData: fc.boolean() }),
    fc.record({ type: fc.constant('remote' as const), request: u32, action: fc.constantFrom('pause' as const, 'resume' as const, 'remove' as const), infoHash: hex40, source: fc.constant(null), deleteData: fc.boolean() }),
  ),
  fc.record({ type: fc.constant('remote-done' as const), request: u32, infoHash: fc.option(hex40), code: fc.option(fc.string({ maxLength: 100 })), message: fc.option(fc.string({ maxLength: 1000 })) }),
  fc.record({
    type: fc.constant('remote-list' as const),
    torrents: fc.array(
      fc.record({
        infoHash: hex40,
        name: fc.string({ maxLength: 50 }),
        state: fc.constantFrom('metadata' as const, 'downloading' as const, 'seeding' as const, 'paused' as const),
        progress: fc.double({ min: 0, max: 1, noNaN: true }),
        peers: fc.nat({ max: 1000 }),
        downloadRate: fc.nat(),
        uploadRate: fc.nat(),
        size: fc.nat(),
        files: fc.array(fc.nat({ max: 1e9 }).chain((length) => fc.record({ number: fc.integer({ min: 1, max: 5000 }), path: fc.string({ maxLength: 60 }), length: fc.constant(length), done: fc.nat({ max: length }) })), { maxLength: 4 }),
      }),
      { maxLength: 4 },
    ),
  }),
);

function codeOf(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (err) {
    if (!(err instanceof BridgeError)) throw err;
    return err.code;
  }
}

describe('bridge frames', () => {
  it('every control message survives encode then decode unchanged', () => {
    fc.assert(
      fc.property(control, (m) => {
        const frame = decodeFrame(encodeControl(m));
        expect(frame).toEqual({ kind: 'control', message: JSON.parse(JSON.stringify(m)) });
      }),
      { numRuns: 500 },
    );
  });

  it('data frames carry their channel and exact bytes, as a view of the frame', () => {
    fc.assert(
      fc.property(u32, fc.uint8Array({ minLength: 1, maxLength: 5000 }), (channel, payload) => {
        const frame = encodeData(channel, payload);
        const decoded = decodeFrame(frame);
        expect(decoded.kind).toBe('data');
        if (decoded.kind !== 'data') return;
        expect(decoded.channel).toBe(channel);
        expect(Buffer.from(decoded.payload).equals(Buffer.from(payload))).toBe(true);
        expect(decoded.payload.buffer).toBe(frame.buffer);
      }),
    );
  });

  it('random bytes never throw anything but a BridgeError (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.constantFrom(0, 1, 2, 3, 0xff), (bytes, type) => {
        const frame = bytes.length > 0 ? Uint8Array.from([type, ...bytes.subarray(1)]) : bytes;
        codeOf(() => decodeFrame(frame));
      }),
      { numRuns: 3000 },
    );
  });

  it('mutated valid control frames decode or fail with a typed error, never anything else', () => {
    fc.assert(
      fc.property(control, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (m, edits) => {
        const frame = encodeControl(m);
        for (const [at, value] of edits) frame[1 + (at % (frame.length - 1))] = value;
        codeOf(() => decodeFrame(frame));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses each malformed frame with its code', () => {
    const json = (v: unknown) => Uint8Array.from([1, ...Buffer.from(JSON.stringify(v))]);
    expect(codeOf(() => decodeFrame(new Uint8Array(0)))).toBe('bridge/bad-frame');
    expect(codeOf(() => decodeFrame(Uint8Array.from([7, 1, 2])))).toBe('bridge/bad-frame');
    expect(codeOf(() => decodeFrame(Uint8Array.from([2, 0, 0, 0, 1])))).toBe('bridge/bad-frame');
    expect(codeOf(() => decodeFrame(new Uint8Array(5 + MAX_DATA_PAYLOAD + 1).fill(2, 0, 1)))).toBe('bridge/frame-too-large');
    expect(codeOf(() => decodeFrame(new Uint8Array(2 + MAX_CONTROL_BYTES).fill(1, 0, 1)))).toBe('bridge/frame-too-large');
    expect(codeOf(() => decodeFrame(Uint8Array.from([1, 0xff, 0xfe])))).toBe('bridge/bad-control');
    expect(codeOf(() => decodeFrame(json([1, 2])))).toBe('bridge/bad-control');
    expect(codeOf(() => decodeFrame(json({ type: 'bogus' })))).toBe('bridge/bad-control');
    expect(codeOf(() => decodeFrame(json({ type: 'joined', request: 1, infoHash: 'AB'.repeat(20), channel: 1 })))).toBe('bridge/bad-control');
    expect(codeOf(() => decodeFrame(json({ type: 'joined', request: 1, infoHash: 'ab'.repeat(20), channel: 2 ** 32 })))).toBe('bridge/bad-control');
    expect(codeOf(() => decodeFrame(json({ type: 'deadlines', infoHash: 'ab'.repeat(20), set: [[1, -5]], clear: [] })))).toBe('bridge/bad-control');
    expect(codeOf(() => decodeFrame(json({ type: 'deadlines', infoHash: 'ab'.repeat(20), set: [], clear: new Array(5000).fill(1) })))).toBe('bridge/bad-control');
    expect(codeOf(() => decodeFrame(json({ type: 'join', request: 1, source: { info: 'abc' , trackers: [] } })))).toBe('ok');
    expect(codeOf(() => decodeFrame(json({ type: 'join', request: 1, source: {} })))).toBe('bridge/bad-control');
    expect(codeOf(() => encodeData(1, new Uint8Array(0)))).toBe('bridge/frame-too-large');
  });

  it('parseControl ignores unknown fields (a newer far side may add some)', () => {
    expect(parseControl({ type: 'leave', infoHash: 'ab'.repeat(20), extra: [1, 2, 3] })).toEqual({ type: 'leave', infoHash: 'ab'.repeat(20) });
  });
});

describe('base64 in control messages', () => {
  it('matches Node for any bytes, both ways', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const text = toBase64(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(Buffer.from(fromBase64(text)).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });

  it('refuses non-canonical or foreign text', () => {
    for (const bad of ['a', 'ab=c', 'QQ', 'QR==', '====', 'QUJD\n', 'Q===', 'éééé']) {
      expect(() => fromBase64(bad), bad).toThrow(BridgeError);
    }
  });
});
