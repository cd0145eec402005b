import { describe, expect, it } from 'vitest';
import { AnnounceSchedule } from '../../../src/core/engine/announce-schedule.js';

const reply = (interval: number, peers = 0) => ({ interval, peers });

describe('AnnounceSchedule', () => {
  it('announces started to the first tracker of every tier, then waits the interval', () => {
    const s = new AnnounceSchedule([['http://a/announce', 'http://b/announce'], ['udp://c:1']]);
    expect(s.due(0)).toEqual([
      { url: 'http://a/announce', tier: 0, event: 'started' },
      { url: 'udp://c:1', tier: 1, event: 'started' },
    ]);
    expect(s.due(0)).toEqual([]);
    s.onSuccess('http://a/announce', 'started', reply(120), 1000);
    s.onSuccess('udp://c:1', 'started', reply(60), 1000);
    expect(s.nextDeadline()).toBe(61_000);
    expect(s.due(60_999)).toEqual([]);
    expect(s.due(61_000)).toEqual([{ url: 'udp://c:1', tier: 1, event: undefined }]);
  });

  it('moves to the next tracker of a tier on failure and backs off the failed one exponentially', () => {
    const s = new AnnounceSchedule([['http://a/', 'http://b/']], { retryBaseSec: 15 });
    s.due(0);
    s.onFailure('http://a/', 'timed out', 0);
    expect(s.due(0)).toEqual([{ url: 'http://b/', tier: 0, event: 'started' }]);
    s.onFailure('http://b/', 'refused', 0);
    // Both failed once: a comes back first, after 15 s.
    expect(s.due(14_999)).toEqual([]);
    expect(s.due(15_000)).toEqual([{ url: 'http://a/', tier: 0, event: 'started' }]);
    s.onFailure('http://a/', 'timed out', 15_000);
    // b's back-off (15 s from 0) is over; a's second failure waits 30 s.
    expect(s.due(15_000)).toEqual([{ url: 'http://b/', tier: 0, event: 'started' }]);
    s.onFailure('http://b/', 'refused', 15_000);
    expect(s.nextDeadline()).toBe(45_000);
    expect(s.status().map((t) => [t.url, t.state, t.message])).toEqual([
      ['http://a/', 'error', 'timed out'],
      ['http://b/', 'error', 'refused'],
    ]);
  });

  it('puts a tracker that answered at the front of its tier', () => {
    const s = new AnnounceSchedule([['http://a/', 'http://b/']]);
    s.due(0);
    s.onFailure('http://a/', 'x', 0);
    s.due(0);
    s.onSuccess('http://b/', 'started', reply(100), 0);
    expect(s.due(100_000)).toEqual([{ url: 'http://b/', tier: 0, event: undefined }]);
  });

  it('sends completed once after the torrent finishes, at once', () => {
    const s = new AnnounceSchedule([['http://a/']]);
    s.due(0);
    s.onSuccess('http://a/', 'started', reply(1800), 0);
    s.markCompleted(5000);
    expect(s.due(5000)).toEqual([{ url: 'http://a/', tier: 0, event: 'completed' }]);
    s.onSuccess('http://a/', 'completed', reply(1800), 5000);
    expect(s.due(1_805_000)).toEqual([{ url: 'http://a/', tier: 0, event: undefined }]);
  });

  it('sends stopped only to trackers that saw started, and schedules nothing after', () => {
    const s = new AnnounceSchedule([['http://a/'], ['http://b/']]);
    s.due(0);
    s.onSuccess('http://a/', 'started', reply(60), 0);
    s.onFailure('http://b/', 'x', 0);
    expect(s.stop()).toEqual([{ url: 'http://a/', tier: 0, event: 'stopped' }]);
    expect(s.due(1e9)).toEqual([]);
    expect(s.nextDeadline()).toBeNull();
    s.restart(2000);
    expect(s.due(2000).map((d) => d.event)).toEqual(['started', 'started']);
  });

  it('never announces more often than the floor, whatever the tracker asks', () => {
    const s = new AnnounceSchedule([['http://a/']], { minIntervalSec: 30 });
    s.due(0);
    s.onSuccess('http://a/', 'started', reply(1), 0);
    expect(s.nextDeadline()).toBe(30_000);
  });

  it('drops duplicate URLs across tiers and ignores empty tiers', () => {
    const s = new AnnounceSchedule([['http://a/'], [], ['http://a/', 'http://b/']]);
    expect(s.due(0).map((d) => d.url)).toEqual(['http://a/', 'http://b/']);
    s.addTier(['http://b/', 'http://c/']);
    expect(s.due(0).map((d) => d.url)).toEqual(['http://c/']);
  });
});

describe('AnnounceSchedule: completed', () => {
  it('never sends completed for a torrent that was complete before its first announce', () => {
    const s = new AnnounceSchedule([['http://a/']]);
    s.markCompleted(0);
    expect(s.due(0)).toEqual([{ url: 'http://a/', tier: 0, event: 'started' }]);
    s.onSuccess('http://a/', 'started', reply(60), 0);
    expect(s.due(60_000)).toEqual([{ url: 'http://a/', tier: 0, event: undefined }]);
    s.addTier(['http://b/']);
    expect(s.due(60_000)).toEqual([{ url: 'http://b/', tier: 1, event: 'started' }]);
  });

  it('asks for completed before stopped when a download stops right after finishing', () => {
    const s = new AnnounceSchedule([['http://a/']]);
    s.due(0);
    s.onSuccess('http://a/', 'started', reply(1800), 0);
    s.markCompleted(1000);
    expect(s.stop()).toEqual([{ url: 'http://a/', tier: 0, event: 'stopped', completedFirst: true }]);
  });
});

describe('AnnounceSchedule: hurry', () => {
  it('brings a working tracker\'s next announce forward, but not one in flight, failing or already due sooner', () => {
    const s = new AnnounceSchedule([['ws://a/'], ['ws://b/']]);
    s.due(0);
    s.onSuccess('ws://a/', 'started', reply(120), 0);
    expect(s.hurry('ws://b/', 3000)).toBe(false);
    s.onFailure('ws://b/', 'x', 0);
    expect(s.hurry('ws://b/', 3000)).toBe(false);
    expect(s.hurry('ws://a/', 3000)).toBe(true);
    expect(s.due(2999)).toEqual([]);
    expect(s.due(3000)).toEqual([{ url: 'ws://a/', tier: 0, event: undefined }]);
    expect(s.hurry('ws://a/', 4000)).toBe(false);
  });

  it('with a follow-up, announces once more by then even though the quick retry answered with a long interval', () => {
    const s = new AnnounceSchedule([['ws://a/']]);
    s.due(0);
    s.onSuccess('ws://a/', 'started', reply(120), 0);
    expect(s.hurry('ws://a/', 3000, 30_000)).toBe(true);
    expect(s.due(3000)).toEqual([{ url: 'ws://a/', tier: 0, event: undefined }]);
    s.onSuccess('ws://a/', undefined, reply(120), 3000);
    expect(s.due(29_999)).toEqual([]);
    expect(s.due(30_000)).toEqual([{ url: 'ws://a/', tier: 0, event: undefined }]);
    // That announce left at the follow-up time: back to the tracker's interval.
    s.onSuccess('ws://a/', undefined, reply(120), 30_000);
    expect(s.due(149_999)).toEqual([]);
    expect(s.due(150_000)).toEqual([{ url: 'ws://a/', tier: 0, event: undefined }]);
  });

  it('keeps the follow-up when the quick retry is refused (one is in flight)', () => {
    const s = new AnnounceSchedule([['ws://a/']]);
    s.due(0);
    s.onSuccess('ws://a/', 'started', reply(120), 0);
    expect(s.due(120_000)).toHaveLength(1);
    expect(s.hurry('ws://a/', 123_000, 150_000)).toBe(false);
    s.onSuccess('ws://a/', undefined, reply(120), 121_000);
    expect(s.due(149_999)).toEqual([]);
    expect(s.due(150_000)).toHaveLength(1);
  });
});
