import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnnounceRequest } from '../../../src/core/ports/tracker.js';
import { decodeUdpRequest, encodeUdpResponse, type UdpAnnounceRequest } from '../../../src/core/tracker/udp-packets.js';
import { UdpConnectionState, UdpTrackerTransaction, type UdpTransactionStep } from '../../../src/core/tracker/udp-transaction.js';
import { TrackerError } from '../../../src/core/tracker/errors.js';

const announce: AnnounceRequest = {
  infoHash: new Uint8Array(20).fill(1),
  peerId: new Uint8Array(20).fill(2),
  port: 6881,
  uploaded: 10,
  downloaded: 20,
  left: 30,
  event: 'started',
  numWant: 50,
  key: 7,
};

/** Transaction ids 100, 101, ... so tests can predict them. */
function counterIds(start = 100): () => number {
  let next = start;
  return () => next++;
}

function only(step: UdpTransactionStep): Uint8Array {
  expect(step.send).toHaveLength(1);
  return step.send[0]!;
}

function connectReply(transactionId: number, connectionId = 0xabcdefn): Uint8Array {
  return encodeUdpResponse({ action: 'connect', transactionId, connectionId }, 'ipv4');
}

describe('UDP tracker transaction (BEP 15)', () => {
  it('connects, announces, and returns the peers and counts', () => {
    const tx = new UdpTrackerTransaction({ kind: 'announce', request: announce }, { family: 'ipv4', randomUint32: counterIds() });
    const first = tx.start(1000);
    expect(decodeUdpRequest(only(first))).toEqual({ action: 'connect', transactionId: 100 });
    expect(first.deadline).toBe(1000 + 15_000);

    const second = tx.receive(connectReply(100), 1200);
    const sent = decodeUdpRequest(only(second)) as UdpAnnounceRequest;
    expect(sent).toMatchObject({
      action: 'announce', connectionId: 0xabcdefn, transactionId: 101, port: 6881,
      uploaded: 10, downloaded: 20, left: 30, event: 'started', numWant: 50, key: 7, ip: 0,
    });
    expect(sent.infoHash).toEqual(announce.infoHash);
    expect(second.deadline).toBe(1200 + 15_000);

    const reply = encodeUdpResponse(
      { action: 'announce', transactionId: 101, interval: 900, leechers: 4, seeders: 5, peers: [{ host: '10.0.0.1', port: 51413 }] },
      'ipv4',
    );
    const done = tx.receive(reply, 1300);
    expect(done).toEqual({
      send: [],
      deadline: null,
      outcome: { ok: true, value: { kind: 'announce', response: { interval: 900, complete: 5, incomplete: 4, peers: [{ host: '10.0.0.1', port: 51413 }] } } },
    });
    expect(tx.done).toBe(true);
  });

  it('ignores replies whose transaction id is not the current one', () => {
    const tx = new UdpTrackerTransaction({ kind: 'announce', request: announce }, { family: 'ipv4', randomUint32: counterIds() });
    tx.start(0);
    expect(tx.receive(connectReply(999), 10)).toEqual({ send: [], deadline: 15_000 });
    expect(tx.receive(new Uint8Array(3), 10)).toEqual({ send: [], deadline: 15_000 });
    expect(tx.done).toBe(false);
  });

  it('retransmits on the 15 * 2^n schedule with the same transaction id, then times out', () => {
    const tx = new UdpTrackerTransaction({ kind: 'scrape', infoHashes: [announce.infoHash] }, { family: 'ipv4', randomUint32: counterIds() });
    let step = tx.start(0);
    let now = 0;
    const waits: number[] = [];
    while (step.outcome === undefined) {
      expect(decodeUdpRequest(only(step))).toEqual({ action: 'connect', transactionId: 100 });
      waits.push(step.deadline! - now);
      expect(tx.tick(step.deadline! - 1)).toEqual({ send: [], deadline: step.deadline });
      now = step.deadline!;
      step = tx.tick(now);
    }
    expect(waits).toEqual([15, 30, 60, 120, 240, 480, 960, 1920, 3840].map((s) => s * 1000));
    expect(step.outcome.ok).toBe(false);
    const error = (step.outcome as { error: TrackerError }).error;
    expect(error).toBeInstanceOf(TrackerError);
    expect(error.code).toBe('tracker/timeout');
    expect(step.deadline).toBeNull();
  });

  it('accepts a late reply to an earlier copy of a retransmitted packet', () => {
    const tx = new UdpTrackerTransaction({ kind: 'announce', request: announce }, { family: 'ipv4', randomUint32: counterIds(), retransmitScheduleMs: [100, 200] });
    tx.start(0);
    const again = tx.tick(100);
    expect(decodeUdpRequest(only(again))).toEqual({ action: 'connect', transactionId: 100 });
    expect(again.deadline).toBe(300);
    expect(decodeUdpRequest(only(tx.receive(connectReply(100), 150)))).toMatchObject({ action: 'announce', transactionId: 101 });
  });

  it('reuses a shared connection id for a minute, then connects again', () => {
    const connection = new UdpConnectionState();
    const ids = counterIds();
    const first = new UdpTrackerTransaction({ kind: 'announce', request: announce }, { family: 'ipv4', randomUint32: ids, connection });
    first.start(0);
    first.receive(connectReply(100, 55n), 10);

    const second = new UdpTrackerTransaction({ kind: 'scrape', infoHashes: [announce.infoHash] }, { family: 'ipv4', randomUint32: ids, connection });
    expect(decodeUdpRequest(only(second.start(60_009)))).toMatchObject({ action: 'scrape', connectionId: 55n });

    const third = new UdpTrackerTransaction({ kind: 'scrape', infoHashes: [announce.infoHash] }, { family: 'ipv4', randomUint32: ids, connection });
    expect(decodeUdpRequest(only(third.start(60_010)))).toMatchObject({ action: 'connect' });
  });

  it('reconnects when a retransmission finds the connection id expired', () => {
    const tx = new UdpTrackerTransaction(
      { kind: 'announce', request: announce },
      { family: 'ipv4', randomUint32: counterIds(), retransmitScheduleMs: [50_000, 50_000, 50_000] },
    );
    tx.start(0);
    expect(decodeUdpRequest(only(tx.receive(connectReply(100), 0)))).toMatchObject({ action: 'announce', transactionId: 101 });
    const retry = tx.tick(50_000); // id still valid (50 s old): same announce again
    expect(decodeUdpRequest(only(retry))).toMatchObject({ action: 'announce', transactionId: 101 });
    const reconnect = tx.tick(100_000); // 100 s old: must connect again, with a new transaction id
    expect(decodeUdpRequest(only(reconnect))).toEqual({ action: 'connect', transactionId: 102 });
  });

  it('turns an error packet into tracker/failure-reason with the tracker text', () => {
    const tx = new UdpTrackerTransaction({ kind: 'announce', request: announce }, { family: 'ipv4', randomUint32: counterIds() });
    tx.start(0);
    tx.receive(connectReply(100), 1);
    const step = tx.receive(encodeUdpResponse({ action: 'error', transactionId: 101, message: 'info hash not allowed' }, 'ipv4'), 2);
    const error = (step.outcome as { ok: false; error: TrackerError }).error;
    expect(error.code).toBe('tracker/failure-reason');
    expect(error.message).toBe('tracker refused the request: info hash not allowed');
    expect(error.details.reason).toBe('info hash not allowed');
  });

  it('fails with tracker/bad-response on a reply of the wrong kind or a broken reply', () => {
    const wrongKind = new UdpTrackerTransaction({ kind: 'announce', request: announce }, { family: 'ipv4', randomUint32: counterIds() });
    wrongKind.start(0);
    wrongKind.receive(connectReply(100), 1);
    const step = wrongKind.receive(encodeUdpResponse({ action: 'scrape', transactionId: 101, entries: [] }, 'ipv4'), 2);
    expect((step.outcome as { error: TrackerError }).error.code).toBe('tracker/bad-response');

    const broken = new UdpTrackerTransaction({ kind: 'announce', request: announce }, { family: 'ipv4', randomUint32: counterIds() });
    broken.start(0);
    const short = broken.receive(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 100, 1]), 1);
    expect((short.outcome as { error: TrackerError }).error.code).toBe('tracker/bad-response');
  });

  it('pairs scrape entries with the requested hashes in order', () => {
    const a = new Uint8Array(20).fill(0xa);
    const b = new Uint8Array(20).fill(0xb);
    const tx = new UdpTrackerTransaction({ kind: 'scrape', infoHashes: [a, b] }, { family: 'ipv6', randomUint32: counterIds() });
    tx.start(0);
    const sent = decodeUdpRequest(only(tx.receive(connectReply(100), 1)));
    expect(sent).toMatchObject({ action: 'scrape', infoHashes: [a, b] });
    const reply = encodeUdpResponse({ action: 'scrape', transactionId: 101, entries: [{ seeders: 1, completed: 2, leechers: 3 }, { seeders: 4, completed: 5, leechers: 6 }] }, 'ipv6');
    expect(tx.receive(reply, 2).outcome).toEqual({
      ok: true,
      value: { kind: 'scrape', stats: [{ infoHash: a, complete: 1, downloaded: 2, incomplete: 3 }, { infoHash: b, complete: 4, downloaded: 5, incomplete: 6 }] },
    });
  });

  it('decodes 18-byte peers when the tracker was reached over IPv6', () => {
    const tx = new UdpTrackerTransaction({ kind: 'announce', request: announce }, { family: 'ipv6', randomUint32: counterIds() });
    tx.start(0);
    tx.receive(connectReply(100), 1);
    const reply = encodeUdpResponse({ action: 'announce', transactionId: 101, interval: 60, leechers: 0, seeders: 1, peers: [{ host: '2001:db8::7', port: 1 }] }, 'ipv6');
    expect(tx.receive(reply, 2).outcome).toMatchObject({ ok: true, value: { response: { peers: [{ host: '2001:db8::7', port: 1 }] } } });
  });

  it('validates the query up front and can be aborted', () => {
    expect(() => new UdpTrackerTransaction({ kind: 'announce', request: { ...announce, peerId: new Uint8Array(3) } }, { family: 'ipv4', randomUint32: counterIds() })).toThrow(
      expect.objectContaining({ code: 'tracker/bad-request' }),
    );
    expect(() => new UdpTrackerTransaction({ kind: 'scrape', infoHashes: [] }, { family: 'ipv4', randomUint32: counterIds() })).toThrow(
      expect.objectContaining({ code: 'tracker/bad-request' }),
    );
    const tx = new UdpTrackerTransaction({ kind: 'announce', request: announce }, { family: 'ipv4', randomUint32: counterIds() });
    tx.start(0);
    const aborted = tx.abort(new TrackerError('tracker/closed', 'closed'));
    expect(aborted.outcome).toMatchObject({ ok: false, error: { code: 'tracker/closed' } });
    expect(tx.tick(1e9)).toEqual({ send: [], deadline: null });
  });
});

describe('UDP tracker transaction under fuzzing', () => {
  it('survives any mix of replies, garbage and ticks, and ends exactly once with a typed outcome', () => {
    const tid = fc.integer({ min: 100, max: 103 });
    const packet = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      tid.map((t) => connectReply(t)),
      tid.map((t) => encodeUdpResponse({ action: 'error', transactionId: t, message: 'no' }, 'ipv4')),
      tid.map((t) => encodeUdpResponse({ action: 'announce', transactionId: t, interval: 1, leechers: 0, seeders: 0, peers: [] }, 'ipv4')),
      tid.chain((t) => fc.uint8Array({ maxLength: 30 }).map((rest) => new Uint8Array([0, 0, 0, 1, 0, 0, 0, t, ...rest]))),
    );
    const event = fc.oneof(fc.record({ packet }), fc.record({ advance: fc.integer({ min: 0, max: 400 }) }));
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        const tx = new UdpTrackerTransaction({ kind: 'announce', request: announce }, { family: 'ipv4', randomUint32: counterIds(), retransmitScheduleMs: [100, 200] });
        let now = 0;
        let outcomes = 0;
        const check = (step: UdpTransactionStep): void => {
          if (step.outcome !== undefined) {
            outcomes++;
            if (!step.outcome.ok) expect(step.outcome.error).toBeInstanceOf(TrackerError);
            expect(step.deadline).toBeNull();
          } else if (!tx.done) {
            expect(step.deadline).toBeGreaterThan(now);
          }
        };
        check(tx.start(now));
        for (const e of events) {
          if ('packet' in e) check(tx.receive(e.packet, now));
          else check(tx.tick((now += e.advance)));
        }
        // With no more replies, the schedule must run out within its length in ticks.
        for (let i = 0; i < 4 && !tx.done; i++) check(tx.tick((now = tx.deadline!)));
        expect(outcomes).toBe(1);
        expect(tx.done).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
