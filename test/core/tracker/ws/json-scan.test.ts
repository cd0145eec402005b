import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToBinaryString } from '../../../../src/core/tracker/ws/binary-string.js';
import { parseClientMessage, parseClientMessageIds, type WsClientMessage } from '../../../../src/core/tracker/ws/client-messages.js';
import { WsTrackerError } from '../../../../src/core/tracker/ws/errors.js';
import { scanJson } from '../../../../src/core/tracker/ws/json-scan.js';

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** JSON.parse of the bytes as UTF-8 text, or undefined when that throws (or the bytes are not UTF-8). */
function reference(bytes: Uint8Array): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(strictUtf8.decode(bytes)) };
  } catch {
    return undefined;
  }
}

/** The scanner either declines (null) or gives exactly JSON.parse's value; never a value where JSON.parse throws. */
function agrees(bytes: Uint8Array): void {
  const scanned = scanJson(bytes);
  if (scanned === null) return;
  const expected = reference(bytes);
  expect(expected).toBeDefined();
  expect(scanned).toStrictEqual(expected!.value);
}

/** One code unit 0-255 per character: the ids as WebTorrent sends them (2-byte UTF-8 above U+007F). */
const byteChar = fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c));
const binaryId = fc.oneof(fc.string({ unit: byteChar, minLength: 20, maxLength: 20 }), fc.string({ unit: byteChar, minLength: 19, maxLength: 21 }), fc.string({ unit: 'binary', minLength: 20, maxLength: 20 }));
const announce = fc.record(
  {
    action: fc.constantFrom('announce', 'scrape', 'other'),
    info_hash: binaryId,
    peer_id: binaryId,
    numwant: fc.oneof(fc.integer({ min: -5, max: 1e6 }), fc.double(), fc.constant(null)),
    uploaded: fc.oneof(fc.nat(), fc.constant(2 ** 60)),
    downloaded: fc.nat(),
    left: fc.oneof(fc.nat(), fc.constant(null)),
    event: fc.constantFrom('started', 'stopped', 'completed', 'update', 'empty', '', 'bogus'),
    offers: fc.array(fc.record({ offer_id: binaryId, offer: fc.record({ type: fc.constant('offer'), sdp: fc.string({ unit: 'grapheme', maxLength: 200 }) }) }), { maxLength: 3 }),
  },
  { requiredKeys: ['action'] },
);
/** Whitespace JSON allows between tokens, and some it does not. */
const spacing = fc.constantFrom('', ' ', '\n', '\t', '\r\n ', '\u00a0', '\f');

/** A JSON text with random spacing around its punctuation. */
function spaced(text: string, gaps: string[]): string {
  let k = 0;
  return text.replace(/[{}[\],:]/g, (p) => `${gaps[k++ % gaps.length] ?? ''}${p}${gaps[k++ % gaps.length] ?? ''}`);
}

describe('scanJson', () => {
  it('reads the announce shape the trackers get most (it must not always decline)', () => {
    const text = JSON.stringify({ action: 'announce', info_hash: '\u0000\u00ff\u0080abc\u001f"\\ééééééééééé', peer_id: '-WW0208-' + 'x'.repeat(12), numwant: 0, uploaded: 0, downloaded: 0, left: null, offers: [] });
    expect(scanJson(utf8.encode(text))).toStrictEqual(JSON.parse(text));
    // The second time the short strings come from the table: the same values.
    expect(scanJson(utf8.encode(text))).toStrictEqual(JSON.parse(text));
    const withOffers = JSON.stringify({ action: 'announce', offers: [{ offer_id: 'o'.repeat(20), offer: { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n'.repeat(40) } }] });
    expect(scanJson(utf8.encode(withOffers))).toStrictEqual(JSON.parse(withOffers));
  });

  it('declines what it does not handle, and anything JSON.parse refuses', () => {
    for (const text of ['1.5', '1e3', '01', '-', '1234567890123456', '"\u20ac"', '"😀"', '\ufeff{}', '{"__proto__":1}', '{"a":1,"a":2}', '{"a":1,}', '[1,]', '{"a"}', '"\\x"', '"\\u12"', '"a\u0001"', '{"a":1} x', 'tru', 'nul', '[[[[[1]]]]]', '']) {
      expect(scanJson(utf8.encode(text))).toBeNull();
    }
    expect(scanJson(new Uint8Array([0x22, 0xc0, 0x80, 0x22]))).toBeNull(); // overlong
    expect(scanJson(new Uint8Array([0x22, 0xc3, 0x22]))).toBeNull(); // truncated sequence
  });

  it('gives exactly what JSON.parse gives for any JSON value, spaced any way', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(spacing, { minLength: 1, maxLength: 8 }), (value, gaps) => {
        agrees(utf8.encode(JSON.stringify(value)));
        agrees(utf8.encode(spaced(JSON.stringify(value), gaps)));
      }),
      { numRuns: 1000 },
    );
  });

  it('gives exactly what JSON.parse gives for announce-like messages and every one-byte change of them', () => {
    fc.assert(
      fc.property(announce, fc.nat(), fc.integer({ min: 0, max: 255 }), (message, where, byte) => {
        const bytes = utf8.encode(JSON.stringify(message));
        agrees(bytes);
        const changed = bytes.slice();
        changed[where % changed.length] = byte;
        agrees(changed);
        agrees(bytes.subarray(0, where % bytes.length));
      }),
      { numRuns: 1000 },
    );
  });

  it('gives exactly what JSON.parse gives for random strings and bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => agrees(utf8.encode(text))),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ unit: byteChar, maxLength: 60 }), (text) => {
        agrees(utf8.encode(text));
        agrees(utf8.encode(JSON.stringify(text)));
        expect(scanJson(utf8.encode(JSON.stringify(text)))).toBe(text);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => agrees(bytes)),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.array(fc.constantFrom('{', '}', '[', ']', '"', '\\', ':', ',', '1', '-', '0', 'e', '.', 'u', 'a', 'é', ' ', 'null', 'true'), { maxLength: 40 }), (parts) => agrees(utf8.encode(parts.join('')))),
      { numRuns: 1000 },
    );
  });

  it('every string of two characters U+0000-U+00FF, read twice (through the table), reads back exactly', () => {
    const frames: Uint8Array[] = [];
    for (let a = 0; a < 256; a++) for (let b = 0; b < 256; b++) frames.push(utf8.encode(JSON.stringify(String.fromCharCode(a, b))));
    for (let round = 0; round < 2; round++) {
      frames.forEach((frame, i) => {
        const text = scanJson(frame);
        if (text !== String.fromCharCode(i >> 8, i & 255)) expect(text).toBe(String.fromCharCode(i >> 8, i & 255));
      });
    }
  });

  it('many different short strings through its fixed table still read back exactly', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: byteChar, maxLength: 30 }), { minLength: 1, maxLength: 300 }), (texts) => {
        const frames = texts.map((t) => utf8.encode(JSON.stringify({ k: t })));
        for (const frame of [...frames, ...frames]) agrees(frame);
      }),
      { numRuns: 50 },
    );
  });
});

/** parseClientMessage's result with ids as binary strings, or its error's code and message. */
function outcome(parse: () => WsClientMessage<Uint8Array | string>): unknown {
  try {
    const m = parse();
    const id = (v: Uint8Array | string): string => (typeof v === 'string' ? v : bytesToBinaryString(v));
    switch (m.type) {
      case 'announce':
        return { ...m, infoHash: id(m.infoHash), peerId: id(m.peerId), offers: m.offers.map((o) => ({ ...o, offerId: id(o.offerId) })) };
      case 'answer':
        return { ...m, infoHash: id(m.infoHash), peerId: id(m.peerId), toPeerId: id(m.toPeerId), offerId: id(m.offerId) };
      case 'scrape':
        return { ...m, infoHashes: m.infoHashes === 'all' ? 'all' : m.infoHashes.map(id) };
    }
  } catch (error) {
    if (!(error instanceof WsTrackerError)) throw error;
    return { code: error.code, message: error.message };
  }
}

describe('parseClientMessageIds', () => {
  it('agrees with parseClientMessage on every announce-like message, and on one-byte changes of them', () => {
    fc.assert(
      fc.property(announce, fc.nat(), fc.integer({ min: 0, max: 255 }), (message, where, byte) => {
        const bytes = utf8.encode(JSON.stringify(message));
        const changed = bytes.slice();
        changed[where % changed.length] = byte;
        for (const frame of [bytes, changed]) {
          expect(outcome(() => parseClientMessageIds(frame))).toStrictEqual(outcome(() => parseClientMessage(frame)));
        }
        const text = JSON.stringify(message);
        expect(outcome(() => parseClientMessageIds(text))).toStrictEqual(outcome(() => parseClientMessage(text)));
      }),
      { numRuns: 1000 },
    );
  });

  it('agrees on random bytes and JSON, errors included (same code, same message)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.jsonValue().map((v) => utf8.encode(JSON.stringify(v) ?? ''))), (frame) => {
        expect(outcome(() => parseClientMessageIds(frame))).toStrictEqual(outcome(() => parseClientMessage(frame)));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses bad ids with the same errors as parseClientMessage', () => {
    const frame = utf8.encode(JSON.stringify({ action: 'announce', info_hash: 'a'.repeat(19), peer_id: 'p'.repeat(20) }));
    expect(outcome(() => parseClientMessageIds(frame))).toEqual({ code: 'ws-tracker/bad-id', message: 'info_hash must be 20 characters, got 19' });
    const wide = utf8.encode(JSON.stringify({ action: 'announce', info_hash: 'a'.repeat(19) + '\u0100', peer_id: 'p'.repeat(20) }));
    expect(outcome(() => parseClientMessageIds(wide))).toEqual({ code: 'ws-tracker/bad-id', message: 'info_hash has a character above U+00FF (not one byte per character)' });
    const large = new Uint8Array(70_000).fill(0x20);
    expect(outcome(() => parseClientMessageIds(large))).toEqual({ code: 'ws-tracker/too-large', message: 'message of 70000 bytes is larger than 65536' });
  });
});
