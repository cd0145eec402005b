import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WsTrackerError } from '../../../../src/core/tracker/ws/errors.js';
import { encodeTrackerMessage, parseTrackerMessage, type WsTrackerMessage } from '../../../../src/core/tracker/ws/tracker-messages.js';
import { hash20 } from '../arbitraries.js';

const bin = (byte: number) => String.fromCharCode(byte).repeat(20);
const ih = new Uint8Array(20).fill(0xfe);
const count = fc.option(fc.nat(), { nil: undefined });
const printable = fc.array(fc.stringMatching(/^[a-z0-9]{1,8}$/), { minLength: 1, maxLength: 5 }).map((words) => words.join(' '));

const messages: fc.Arbitrary<WsTrackerMessage> = fc.oneof(
  fc
    .record({ infoHash: hash20, interval: count, minInterval: count, complete: count, incomplete: count, trackerId: fc.option(printable, { nil: undefined }), warning: fc.option(printable, { nil: undefined }) })
    .map((r) => ({ type: 'announce-reply' as const, ...r })),
  fc.record({ type: fc.constantFrom('offer' as const, 'answer' as const), infoHash: hash20, peerId: hash20, offerId: hash20, sdp: fc.string({ maxLength: 100 }) }),
  fc
    .record({
      files: fc.uniqueArray(fc.record({ infoHash: hash20, complete: fc.nat(), incomplete: fc.nat(), downloaded: fc.nat() }), { maxLength: 5, selector: (f) => f.infoHash.join() }),
      minRequestInterval: count,
    })
    .map((r) => ({ type: 'scrape-reply' as const, ...r })),
  fc
    .record({ reason: printable, action: fc.constantFrom(undefined, 'announce' as const, 'scrape' as const), infoHash: fc.option(hash20, { nil: undefined }) })
    .map((r) => ({ type: 'failure' as const, ...r })),
);

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

describe('tracker → client messages', () => {
  it('round-trip: parse(encode(m)) = m', () => {
    fc.assert(
      fc.property(messages, (m) => {
        expect(parseTrackerMessage(encodeTrackerMessage(m))).toEqual(withoutUndefined(m));
      }),
    );
  });

  it('encodes the announce reply and relays exactly as bittorrent-tracker does', () => {
    expect(JSON.parse(encodeTrackerMessage({ type: 'announce-reply', infoHash: ih, interval: 120, complete: 1, incomplete: 2 }))).toEqual({
      action: 'announce',
      interval: 120,
      info_hash: bin(0xfe),
      complete: 1,
      incomplete: 2,
    });
    expect(JSON.parse(encodeTrackerMessage({ type: 'offer', infoHash: ih, peerId: new Uint8Array(20).fill(1), offerId: new Uint8Array(20).fill(2), sdp: 'v=0' }))).toEqual({
      action: 'announce',
      offer: { type: 'offer', sdp: 'v=0' },
      offer_id: bin(2),
      peer_id: bin(1),
      info_hash: bin(0xfe),
    });
    expect(JSON.parse(encodeTrackerMessage({ type: 'failure', reason: 'invalid info_hash' }))).toEqual({ 'failure reason': 'invalid info_hash' });
  });

  it('reads libtorrent-style min_interval and a warning on one line', () => {
    const m = parseTrackerMessage(JSON.stringify({ action: 'announce', info_hash: bin(1), interval: 60, min_interval: 30, 'warning message': 'slow\ndown' }));
    expect(m).toEqual({ type: 'announce-reply', infoHash: new Uint8Array(20).fill(1), interval: 60, minInterval: 30, warning: 'slow down' });
  });

  it('skips scrape entries whose key is not a binary info hash', () => {
    const m = parseTrackerMessage(JSON.stringify({ action: 'scrape', files: { short: { complete: 1 }, [bin(9)]: { complete: 3 } } }));
    expect(m).toEqual({ type: 'scrape-reply', files: [{ infoHash: new Uint8Array(20).fill(9), complete: 3, incomplete: 0, downloaded: 0 }] });
  });

  it('refuses malformed relays with typed errors', () => {
    const bad = JSON.stringify({ action: 'announce', offer: { type: 'offer', sdp: 'v=0' }, offer_id: 'x', peer_id: bin(1), info_hash: bin(2) });
    expect(() => parseTrackerMessage(bad)).toThrow(WsTrackerError);
    expect(() => parseTrackerMessage('{"action":"announce"}')).toThrow('info_hash must be a string of 20 characters, got nothing');
  });
});
