import { describe, expect, it } from 'vitest';
import type { HttpResponse } from '../../../src/core/ports/http.js';
import { AbortLatch } from '../../../src/core/webseed/abort-latch.js';
import { adaptFetch, parseContentRange, parseRetryAfter } from '../../../src/core/webseed/index.js';

const ok: HttpResponse = { status: 206, headers: { get: () => null }, body: null, arrayBuffer: async () => new ArrayBuffer(0) };

describe('adaptFetch', () => {
  it('hands the platform fetch a real AbortSignal that follows core\'s signal', async () => {
    const seen: { url: string; headers: Record<string, string>; signal: AbortSignal }[] = [];
    const fetch = adaptFetch(async (url, init: { headers: Record<string, string>; signal: AbortSignal }) => {
      seen.push({ url, ...init });
      return ok;
    }, () => new AbortController());
    const latch = new AbortLatch();
    expect(await fetch('http://x/', { headers: { range: 'bytes=0-1' }, signal: latch })).toBe(ok);
    const signal = seen[0]!.signal;
    expect([seen[0]!.url, seen[0]!.headers, signal instanceof AbortSignal, signal.aborted]).toEqual(['http://x/', { range: 'bytes=0-1' }, true, false]);
    latch.abort('timeout');
    expect(signal.aborted).toBe(true);
  });

  it('passes an already-aborted signal on as aborted', async () => {
    const signals: AbortSignal[] = [];
    const fetch = adaptFetch(async (_url, init: { headers: Record<string, string>; signal: AbortSignal }) => {
      signals.push(init.signal);
      return ok;
    }, () => new AbortController());
    const latch = new AbortLatch();
    latch.abort('closed');
    await fetch('http://x/', { headers: {}, signal: latch });
    expect(signals[0]!.aborted).toBe(true);
  });

  it("fits Node's global fetch as it is", () => {
    // A compile-time check as much as a run-time one: the port accepts the platform's own types.
    expect(typeof adaptFetch((url, init) => fetch(url, init), () => new AbortController())).toBe('function');
  });
});

describe('parseContentRange', () => {
  const table: [string, ReturnType<typeof parseContentRange>][] = [
    ['bytes 0-99/100', { first: 0, last: 99, total: 100 }],
    ['BYTES 5-9/*', { first: 5, last: 9, total: null }],
    ['  bytes 5-9/10  ', { first: 5, last: 9, total: 10 }],
    ['bytes 9-5/10', null],
    ['bytes 5-10/10', null],
    ['bytes */10', null],
    ['bytes 0-1,3-4/10', null],
    ['items 0-1/10', null],
    ['bytes 0-99999999999999999/99999999999999999999', null],
    ['', null],
  ];
  for (const [value, expected] of table) {
    it(JSON.stringify(value), () => expect(parseContentRange(value)).toEqual(expected));
  }
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds only', () => {
    expect([parseRetryAfter('120'), parseRetryAfter(' 0 '), parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT'), parseRetryAfter(null), parseRetryAfter('-5')]).toEqual([
      120_000,
      0,
      null,
      null,
      null,
    ]);
  });
});
