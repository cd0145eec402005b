import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, describe, expect, it } from 'vitest';
import { RtcError } from '../../../src/core/ports/rtc.js';
import type { Transport } from '../../../src/core/ports/transport.js';
import { bytesEqual } from '../../../src/core/util/bytes.js';
import { RECEIVED_MESSAGES_CHANNEL } from '../../../sidecar/src/webrtc/datachannel-transport.js';
import { NodeRtcConnector } from '../../../sidecar/src/webrtc/node-rtc-connector.js';
import { record, transportContract } from '../../contracts/transport.contract.js';

const loopback = { iceServers: [], bindAddress: '127.0.0.1' };
const offerer = new NodeRtcConnector(loopback);
const answerer = new NodeRtcConnector(loopback);
const open: Transport[] = [];

afterAll(() => {
  offerer.close();
  answerer.close();
  for (const t of open) t.close();
});

/** Offer, answer, connect: the same three steps a WebSocket tracker relays. */
async function connect(): Promise<[Transport, Transport]> {
  const offer = await offerer.createOffer();
  const accepted = await answerer.acceptOffer(offer.sdp);
  const [a, b] = await Promise.all([offer.complete(accepted.answerSdp), accepted.connected]);
  open.push(a, b);
  return [a, b];
}

/**
 * For the contract suite, which tests the open transport, not connection set-up: about 0.5% of
 * set-ups on loopback hit a race inside libdatachannel 0.24.5 (ICE connects on its thread while
 * the answer is still being applied; upstream libdatachannel PR #1612) and fail with exactly these
 * messages. One retry for that race only; anything else fails the test.
 */
async function rtcPair(): Promise<[Transport, Transport]> {
  try {
    return await connect();
  } catch (err) {
    const nativeRace = /Got a remote candidate without ICE transport|the WebRTC connection failed/;
    if (!(err instanceof RtcError) || !nativeRace.test(err.message)) throw err;
    return connect();
  }
}

transportContract('webrtc (node-datachannel)', rtcPair);

describe('node-datachannel RTC connector', () => {
  it('puts its ICE candidates in the offer and the answer (non-trickle) and offers actpass, answers passive', async () => {
    const offer = await offerer.createOffer();
    expect(offer.sdp).toMatch(/^a=candidate:\S+ 1 UDP \d+ 127\.0\.0\.1 \d+ typ host/m);
    expect(offer.sdp).toMatch(/^a=setup:actpass\r?$/m);
    const accepted = await answerer.acceptOffer(offer.sdp);
    expect(accepted.answerSdp).toMatch(/^a=candidate:\S+ 1 UDP \d+ 127\.0\.0\.1 \d+ typ host/m);
    expect(accepted.answerSdp).toMatch(/^a=setup:passive\r?$/m);
    let pair: [Transport, Transport];
    try {
      pair = await Promise.all([offer.complete(accepted.answerSdp), accepted.connected]);
      open.push(...pair);
    } catch (err) {
      // libdatachannel's set-up race (see rtcPair): the SDPs above were right; connect once more.
      if (!(err instanceof RtcError) || !/Got a remote candidate without ICE transport|the WebRTC connection failed/.test(err.message)) throw err;
      pair = await connect();
    }
    const [a, b] = pair;
    expect(a.kind).toBe('webrtc');
    expect(a.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(b.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    const ra = record(a);
    const rb = record(b);
    // One write far larger than a message: it must arrive whole, in order, as a byte stream.
    const big = new Uint8Array(3 * 256 * 1024 + 17).map((_, i) => (i * 31) & 0xff);
    a.write(big);
    await waitFor(() => rb.bytes().length === big.length);
    // bytesEqual, not toEqual: vitest compares a large typed array element by element, for seconds.
    expect(bytesEqual(rb.bytes(), big)).toBe(true);
    b.close();
    await Promise.all([ra.closed, rb.closed]);
  });

  it('refuses an SDP that is not a data-channel session with a typed error', async () => {
    await expect(answerer.acceptOffer('hello')).rejects.toMatchObject({ code: 'rtc/bad-sdp', message: 'the offer is not an SDP (no v=0 line)' });
    await expect(answerer.acceptOffer(`v=0\r\n${'a=x\r\n'.repeat(20_000)}`)).rejects.toMatchObject({ code: 'rtc/bad-sdp' });
    const offer = await offerer.createOffer();
    const audioOnly = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';
    await expect(offer.complete(audioOnly)).rejects.toMatchObject({
      code: 'rtc/bad-sdp',
      message: 'the answer offers no data channel (no m=application SCTP line)',
    });
  });

  it('rejects a pending offer and a pending answer with rtc/cancelled', async () => {
    const offer = await offerer.createOffer();
    const accepted = await answerer.acceptOffer(offer.sdp);
    accepted.cancel();
    await expect(accepted.connected).rejects.toBeInstanceOf(RtcError);
    await expect(accepted.connected).rejects.toMatchObject({ code: 'rtc/cancelled' });
    const completing = offer.complete(accepted.answerSdp);
    offer.cancel();
    offer.cancel();
    await expect(completing).rejects.toMatchObject({ code: 'rtc/cancelled' });
  });

  it('times out when the answer points at nobody', async () => {
    const quick = new NodeRtcConnector({ ...loopback, connectTimeoutMs: 300 });
    const offer = await quick.createOffer();
    const other = await new NodeRtcConnector(loopback).createOffer();
    // An answer-shaped SDP whose candidate is a closed port: ICE can never succeed.
    const deadAnswer = other.sdp
      .replace('a=setup:actpass', 'a=setup:active')
      .replace(/^(a=candidate:\S+ 1 UDP \d+ 127\.0\.0\.1) \d+/m, '$1 9');
    other.cancel();
    await expect(offer.complete(deadAnswer)).rejects.toMatchObject({ code: 'rtc/timeout' });
  });

  it('fails clearly when no ICE candidate can be gathered', async () => {
    const nowhere = new NodeRtcConnector({ iceServers: [], bindAddress: '192.0.2.1', gatherTimeoutMs: 200 });
    await expect(nowhere.createOffer()).rejects.toMatchObject({ code: 'rtc/failed', message: expect.stringMatching(/Failed to gather local ICE candidates/) });
  });

  it('publishes the length of every message it receives on the diagnostics channel sluice:webrtc:received', async () => {
    const [a, b] = await rtcPair();
    const lengths: number[] = [];
    const listener = (length: unknown) => lengths.push(length as number);
    subscribe(RECEIVED_MESSAGES_CHANNEL, listener);
    try {
      let got = 0;
      b.attach({ data: (chunk) => (got += chunk.length), drain: () => {}, close: () => {} });
      a.attach({ data: () => {}, drain: () => {}, close: () => {} });
      a.write(new Uint8Array(100_000).fill(7));
      await waitFor(() => got === 100_000);
      // One turn's writes, packed into 64 KiB messages: every byte counted, in messages no larger than that.
      expect(lengths.reduce((x, y) => x + y, 0)).toBe(100_000);
      expect(Math.max(...lengths)).toBeLessThanOrEqual(64 * 1024);
    } finally {
      unsubscribe(RECEIVED_MESSAGES_CHANNEL, listener);
    }
  });

  it('rejects ICE server URLs it cannot use', () => {
    expect(() => new NodeRtcConnector({ iceServers: [{ urls: 'http://stun.example' }] })).toThrow(/is not a stun:, stuns:, turn: or turns: URL/);
    expect(() => new NodeRtcConnector({ iceServers: [{ urls: 'turn:turn.example:3478' }] })).toThrow(/needs a username and a credential/);
  });
});

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!cond()) throw new Error('timed out');
}
