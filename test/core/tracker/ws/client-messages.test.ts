import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WS_LIMITS } from '../../../../src/core/tracker/ws/bounds.js';
import { encodeClientMessage, parseClientMessage, type WsClientMessage } from '../../../../src/core/tracker/ws/client-messages.js';
import { WsTrackerError } from '../../../../src/core/tracker/ws/errors.js';
import { hash20 } from '../arbitraries.js';

const bin = (byte: number) => String.fromCharCode(byte).repeat(20);
const ih = new Uint8Array(20).fill(0xab);
const pid = new Uint8Array(20).fill(0x2d);
const oid = new Uint8Array(20).fill(0x01);

function errorOf(fn: () => unknown): WsTrackerError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WsTrackerError) return e;
    throw e;
  }
  throw new Error('no error');
}

const sdp = fc.string({ maxLength: 200 });
const offer = fc.record({ offerId: hash20, sdp });
const announce: fc.Arbitrary<WsClientMessage> = fc
  .record({
    infoHash: hash20,
    peerId: hash20,
    event: fc.constantFrom(undefined, 'started' as const, 'paused' as const, 'update' as const),
    numWant: fc.option(fc.nat(50), { nil: undefined }),
    uploaded: fc.option(fc.nat(), { nil: undefined }),
    downloaded: fc.option(fc.nat(), { nil: undefined }),
    left: fc.option(fc.nat(), { nil: undefined }),
    offers: fc.array(offer, { maxLength: DEFAULT_WS_LIMITS.maxOffers }),
    trackerId: fc.option(fc.string({ minLength: 1, maxLength: 30 }), { nil: undefined }),
  })
  .map((a) => ({ type: 'announce' as const, ...a }));
const answer: fc.Arbitrary<WsClientMessage> = fc
  .record({ infoHash: hash20, peerId: hash20, toPeerId: hash20, offerId: hash20, sdp })
  .map((a) => ({ type: 'answer' as const, ...a }));
const scrape: fc.Arbitrary<WsClientMessage> = fc
  .oneof(fc.constant('all' as const), fc.array(hash20, { minLength: 1, maxLength: 5 }))
  .map((infoHashes) => ({ type: 'scrape' as const, infoHashes }));

/** What parse gives back for an encoded message: absent numbers become the defaults encode wrote. */
function normalised(m: WsClientMessage): WsClientMessage {
  if (m.type !== 'announce') return m;
  const out = { ...m, numWant: m.numWant ?? m.offers.length, uploaded: m.uploaded ?? 0, downloaded: m.downloaded ?? 0 };
  for (const key of Object.keys(out) as (keyof typeof out)[]) if (out[key] === undefined) delete out[key];
  return out;
}

describe('client → tracker messages', () => {
  it('round-trip: parse(encode(m)) = m for announces, answers and scrapes', () => {
    fc.assert(
      fc.property(fc.oneof(announce, answer, scrape), (m) => {
        expect(parseClientMessage(encodeClientMessage(m))).toEqual(normalised(m));
      }),
    );
  });

  it('encodes an announce with offers exactly as bittorrent-tracker sends it', () => {
    const text = encodeClientMessage({ type: 'announce', infoHash: ih, peerId: pid, event: 'started', numWant: 1, uploaded: 0, downloaded: 0, left: 5, offers: [{ offerId: oid, sdp: 'v=0' }] });
    expect(JSON.parse(text)).toEqual({
      action: 'announce',
      info_hash: bin(0xab),
      peer_id: bin(0x2d),
      numwant: 1,
      uploaded: 0,
      downloaded: 0,
      left: 5,
      event: 'started',
      offers: [{ offer_id: bin(1), offer: { type: 'offer', sdp: 'v=0' } }],
    });
  });

  it('sends no offers with stopped or completed', () => {
    const text = encodeClientMessage({ type: 'announce', infoHash: ih, peerId: pid, event: 'stopped', offers: [{ offerId: oid, sdp: 'v=0' }] });
    expect(JSON.parse(text)).not.toHaveProperty('offers');
  });

  it('encodes an answer with to_peer_id and offer_id', () => {
    const text = encodeClientMessage({ type: 'answer', infoHash: ih, peerId: pid, toPeerId: oid, offerId: oid, sdp: 'v=0 a' });
    expect(JSON.parse(text)).toEqual({
      action: 'announce',
      info_hash: bin(0xab),
      peer_id: bin(0x2d),
      to_peer_id: bin(1),
      answer: { type: 'answer', sdp: 'v=0 a' },
      offer_id: bin(1),
    });
  });

  it('reads what webtorrent sends before it has metadata (left: null) and libtorrent extras (key, paused)', () => {
    const m = parseClientMessage(JSON.stringify({ action: 'announce', info_hash: bin(1), peer_id: bin(2), left: null, numwant: 5, event: 'paused', key: 'abcd1234', corrupt: 0 }));
    expect(m).toEqual({ type: 'announce', infoHash: new Uint8Array(20).fill(1), peerId: new Uint8Array(20).fill(2), event: 'paused', numWant: 5, offers: [] });
  });

  it('reads a single-string scrape and a scrape of everything', () => {
    expect(parseClientMessage(JSON.stringify({ action: 'scrape', info_hash: bin(7) }))).toEqual({ type: 'scrape', infoHashes: [new Uint8Array(20).fill(7)] });
    expect(parseClientMessage('{"action":"scrape"}')).toEqual({ type: 'scrape', infoHashes: 'all' });
  });

  it('refuses bad input with exact codes and messages', () => {
    const base = { action: 'announce', info_hash: bin(1), peer_id: bin(2) };
    const offers = (n: number) => Array.from({ length: n }, () => ({ offer_id: bin(3), offer: { type: 'offer', sdp: 'v=0' } }));
    const cases: [string | Uint8Array, string, string][] = [
      ['{"action":', 'ws-tracker/not-json', 'message is not JSON'],
      ['[1,2]', 'ws-tracker/not-json', 'message must be a JSON object, got an array'],
      [Uint8Array.of(0x7b, 0xff, 0x7d), 'ws-tracker/not-json', 'message is not UTF-8 text'],
      ['x'.repeat(DEFAULT_WS_LIMITS.maxMessageBytes + 1), 'ws-tracker/too-large', `message of ${DEFAULT_WS_LIMITS.maxMessageBytes + 1} bytes is larger than ${DEFAULT_WS_LIMITS.maxMessageBytes}`],
      ['{"action":"connect"}', 'ws-tracker/bad-action', 'unknown action "connect"'],
      ['{}', 'ws-tracker/bad-action', 'message has no action'],
      [JSON.stringify({ ...base, info_hash: 'short' }), 'ws-tracker/bad-id', 'info_hash must be 20 characters, got 5'],
      [JSON.stringify({ ...base, event: 'exploded' }), 'ws-tracker/bad-field', 'unknown announce event "exploded"'],
      [JSON.stringify({ ...base, offers: offers(11) }), 'ws-tracker/too-many-offers', 'announce carries 11 offers, more than 10'],
      [JSON.stringify({ ...base, offers: 'x' }), 'ws-tracker/bad-field', 'offers must be an array, got a string'],
      [JSON.stringify({ ...base, offers: [{ offer_id: bin(3), offer: { type: 'answer', sdp: '' } }] }), 'ws-tracker/bad-field', 'offers[0].offer.type must be "offer"'],
      [JSON.stringify({ ...base, offers: [{ offer_id: bin(3), offer: { type: 'offer', sdp: 'v'.repeat(16385) } }] }), 'ws-tracker/sdp-too-long', 'offers[0].offer.sdp of 16385 characters is longer than 16384'],
      [JSON.stringify({ ...base, answer: { type: 'answer', sdp: 'v=0' }, offer_id: bin(3) }), 'ws-tracker/bad-id', 'to_peer_id must be a string of 20 characters, got nothing'],
      [JSON.stringify({ action: 'scrape', info_hash: Array.from({ length: 75 }, () => bin(1)) }), 'ws-tracker/bad-field', 'scrape names 75 info hashes, more than 74'],
    ];
    for (const [frame, code, message] of cases) {
      const error = errorOf(() => parseClientMessage(frame));
      expect([error.code, error.message]).toEqual([code, message]);
    }
  });

  it('treats __proto__ in a message as data', () => {
    const error = errorOf(() => parseClientMessage('{"__proto__":{"action":"scrape"}}'));
    expect(error.code).toBe('ws-tracker/bad-action');
  });

  it('refuses to encode what a tracker would refuse', () => {
    const offers = Array.from({ length: 11 }, () => ({ offerId: oid, sdp: '' }));
    expect(errorOf(() => encodeClientMessage({ type: 'announce', infoHash: ih, peerId: pid, offers })).code).toBe('ws-tracker/too-many-offers');
    expect(errorOf(() => encodeClientMessage({ type: 'announce', infoHash: new Uint8Array(32), peerId: pid, offers: [] })).code).toBe('ws-tracker/bad-id');
  });
});
