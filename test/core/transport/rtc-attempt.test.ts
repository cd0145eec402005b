import { describe, expect, it } from 'vitest';
import { RtcError } from '../../../src/core/ports/rtc.js';
import type { DataChannelEvents, DataChannelPort } from '../../../src/core/transport/data-channel-transport.js';
import { DataChannelTransport } from '../../../src/core/transport/data-channel-transport.js';
import { RtcAttempt } from '../../../src/core/transport/rtc-attempt.js';
import { rtcConnectorSettings } from '../../../src/core/transport/rtc-connector-options.js';
import { DEFAULT_DATA_CHANNEL_TUNING, DEFAULT_ICE_SERVERS } from '../../../src/core/ports/rtc.js';

/** Just enough of a channel to open or close before it opens. */
function channel() {
  let events: DataChannelEvents | null = null;
  const port: DataChannelPort = {
    listen: (e) => void (events = e),
    readyState: () => 'connecting',
    send: () => {},
    bufferedAmount: () => 0,
    setBufferedAmountLowThreshold: () => {},
    maxMessageSize: () => 0,
    remoteAddress: () => null,
    close: () => {},
    release: () => {},
    afterQueuedEvents: (task) => task(),
  };
  const transport = new DataChannelTransport(port, true, DEFAULT_DATA_CHANNEL_TUNING, { afterTurn: () => {}, after: () => () => {} });
  return { transport, fire: () => events! };
}

function attempt(side: 'offer' | 'answer' = 'offer') {
  const attempts = new Set<RtcAttempt>();
  const log: string[] = [];
  const a = new RtcAttempt(attempts, side, () => log.push('teardown'));
  a.setDeadline(() => log.push('deadline stopped'));
  return { a, attempts, log };
}

const outcome = (p: Promise<unknown>) => p.then((v) => ['resolved', v], (e: RtcError) => ['rejected', e.code, e.message]);

describe('RtcAttempt', () => {
  it('settles with the transport whose channel opened, once, and leaves its set', async () => {
    const { a, attempts, log } = attempt();
    const { transport, fire } = channel();
    expect(attempts.has(a)).toBe(true);
    a.watch(transport);
    fire().open();
    a.cancel();
    a.iceFailed();
    expect(await outcome(a.connected)).toEqual(['resolved', transport]);
    expect(attempts.size).toBe(0);
    expect(log).toEqual(['deadline stopped']); // an open connection is never torn down by its attempt
    expect([a.settled, a.failed]).toEqual([true, false]);
  });

  it('fails with rtc/failed when the channel closes before it opens, tearing the connection down', async () => {
    const { a, attempts, log } = attempt();
    const { transport, fire } = channel();
    a.watch(transport);
    fire().error('DTLS handshake failed');
    fire().closed();
    expect(await outcome(a.connected)).toEqual(['rejected', 'rtc/failed', 'the connection closed before its data channel opened: data channel error: DTLS handshake failed']);
    expect(log).toEqual(['deadline stopped', 'teardown']);
    expect(attempts.size).toBe(0);
    expect(a.failed).toBe(true);
  });

  it('cancels as rtc/cancelled naming its side; ICE failure is rtc/failed; the first outcome stands', async () => {
    const offer = attempt('offer');
    offer.a.cancel();
    offer.a.iceFailed();
    expect(await outcome(offer.a.connected)).toEqual(['rejected', 'rtc/cancelled', 'the offer was cancelled']);
    expect(offer.log).toEqual(['deadline stopped', 'teardown']);

    const answer = attempt('answer');
    answer.a.iceFailed();
    answer.a.cancel();
    expect(await outcome(answer.a.connected)).toEqual(['rejected', 'rtc/failed', 'ICE found no working path to the peer']);
  });

  it('stops a deadline set after it has settled at once', () => {
    const { a } = attempt();
    a.fail(new RtcError('rtc/timeout', 'late'));
    const stopped: string[] = [];
    a.setDeadline(() => stopped.push('stopped'));
    expect(stopped).toEqual(['stopped']);
  });
});

describe('rtcConnectorSettings', () => {
  it('fills every default and merges a partial tuning', () => {
    expect(rtcConnectorSettings({})).toEqual({
      iceServers: DEFAULT_ICE_SERVERS,
      gatherTimeoutMs: 1500,
      connectTimeoutMs: 25_000,
      channelLabel: 'webtorrent',
      tuning: DEFAULT_DATA_CHANNEL_TUNING,
    });
    const s = rtcConnectorSettings({ iceServers: [], gatherTimeoutMs: 10, connectTimeoutMs: 20, channelLabel: 'x', tuning: { highWaterMark: 5 } });
    expect(s).toEqual({ iceServers: [], gatherTimeoutMs: 10, connectTimeoutMs: 20, channelLabel: 'x', tuning: { ...DEFAULT_DATA_CHANNEL_TUNING, highWaterMark: 5 } });
  });
});
