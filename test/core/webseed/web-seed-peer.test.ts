import { describe, expect, it } from 'vitest';
import { pieceSize } from '../../../src/core/metainfo/layout.js';
import { WebSeedError, WebSeedPeer, type WebSeedOptions } from '../../../src/core/webseed/index.js';
import { content } from '../../helpers/engine.js';
import { FakeHttp, settle } from './fake-http.js';
import { buildLayout } from './layouts.js';

const BASE = 'http://seed.test/';
const layout = buildLayout('v1', 32768, [
  { path: ['a.bin'], length: 50000 },
  { path: ['b.bin'], length: 30000 },
]);
const space = new Uint8Array(80000);
space.set(content(1, 50000), 0);
space.set(content(2, 30000), 50000);
const pieceBytes = (i: number) => space.slice(i * 32768, i * 32768 + pieceSize(layout, i));

function setup(options: Partial<WebSeedOptions> = {}) {
  const clock = { t: 1_000, now: () => clock.t };
  const http = new FakeHttp();
  const seed = new WebSeedPeer(BASE, layout, http.fetch, { clock, ...options });
  http.files.set('http://seed.test/album/a.bin', space.slice(0, 50000));
  http.files.set('http://seed.test/album/b.bin', space.slice(50000));
  return { clock, http, seed };
}

async function failure(p: Promise<unknown>): Promise<WebSeedError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(WebSeedError);
    return error as WebSeedError;
  }
  throw new Error('expected a rejection');
}

describe('WebSeedPeer: fetching', () => {
  it('fetches every piece with one ranged request per file slice', async () => {
    const { http, seed } = setup();
    for (let i = 0; i < layout.pieceCount; i++) expect(await seed.fetchPiece(i)).toEqual(pieceBytes(i));
    expect(http.calls.map((c) => [c.url, c.headers.range])).toEqual([
      ['http://seed.test/album/a.bin', 'bytes=0-32767'],
      ['http://seed.test/album/a.bin', 'bytes=32768-49999'],
      ['http://seed.test/album/b.bin', 'bytes=0-15535'],
      ['http://seed.test/album/b.bin', 'bytes=15536-29999'],
    ]);
    expect(http.calls[0]!.headers['accept-encoding']).toBe('identity');
    expect(seed.downloadedBytes).toBe(80000);
    expect(seed.id).toBe('webseed:http://seed.test/');
  });

  it('fetchBlocks: contiguous picker blocks share a request; bytes come back per block, in the order asked', async () => {
    const { http, seed } = setup();
    const blocks = [
      { piece: 1, begin: 0, length: 16384 },
      { piece: 0, begin: 16384, length: 16384 },
      { piece: 0, begin: 0, length: 16384 },
      { piece: 2, begin: 0, length: 14464 },
    ];
    const got = await seed.fetchBlocks(blocks);
    expect(got.map((b, i) => b.length === blocks[i]!.length)).toEqual([true, true, true, true]);
    for (const [i, b] of blocks.entries()) {
      const at = b.piece * 32768 + b.begin;
      expect(got[i], `block ${i}`).toEqual(space.slice(at, at + b.length));
    }
    // Pieces 0 and 1's first block are one run (0..49151): one request to a.bin; piece 2's block another.
    expect(http.calls.map((c) => [c.url, c.headers.range])).toEqual([
      ['http://seed.test/album/a.bin', 'bytes=0-49151'],
      ['http://seed.test/album/b.bin', 'bytes=15536-29999'],
    ]);
  });

  it('refuses more than maxRequestBytes in one call, and blocks outside the torrent, without touching the network', async () => {
    const { http, seed } = setup({ requestBytes: 16384 });
    expect(seed.blocksPerRequest).toBe(2); // raised to the 32 KiB piece length
    const tooMany = [0, 16384].map((begin) => ({ piece: 0, begin, length: 16384 })).concat([{ piece: 1, begin: 0, length: 16384 }]);
    expect((await failure(seed.fetchBlocks(tooMany))).message).toBe('49152 bytes asked of a web seed at once; at most 32768');
    expect((await failure(seed.fetchBlocks([{ piece: 9, begin: 0, length: 16384 }]))).code).toBe('webseed/bad-request');
    expect((await failure(seed.fetchPiece(3))).code).toBe('webseed/bad-request');
    expect(http.calls).toEqual([]);
    expect(seed.failures).toBe(0);
  });
});

describe('WebSeedPeer: checking what the server sent', () => {
  const cases: { name: string; script: (url: string, r: { first: number; last: number } | null) => ReturnType<FakeHttp['script']>; code: string; message: string }[] = [
    {
      name: '404',
      script: () => ({ status: 404 }),
      code: 'webseed/http-status',
      message: 'web seed answered 404 for http://seed.test/album/a.bin bytes 0-32767',
    },
    {
      name: '200 for part of a file (Range ignored)',
      script: () => ({ status: 200, chunks: [space.slice(0, 50000)] }),
      code: 'webseed/range-ignored',
      message: 'web seed ignored Range and sent the whole file: http://seed.test/album/a.bin bytes 0-32767',
    },
    {
      name: 'Content-Range naming other bytes',
      script: () => ({ status: 206, headers: { 'content-range': 'bytes 1-32768/50000' }, chunks: [space.slice(1, 32769)] }),
      code: 'webseed/bad-range',
      message: 'web seed answered Content-Range "bytes 1-32768/50000" for http://seed.test/album/a.bin bytes 0-32767',
    },
    {
      name: 'Content-Range of a file of another size',
      script: () => ({ status: 206, headers: { 'content-range': 'bytes 0-32767/50001' }, chunks: [space.slice(0, 32768)] }),
      code: 'webseed/bad-range',
      message: "web seed's file is 50001 bytes, the torrent says 50000: http://seed.test/album/a.bin",
    },
    {
      name: 'unparseable Content-Range',
      script: () => ({ status: 206, headers: { 'content-range': 'bytes 0-32767,40000-40001/50000' }, chunks: [space.slice(0, 32768)] }),
      code: 'webseed/bad-range',
      message: 'web seed answered Content-Range "bytes 0-32767,40000-40001/50000" for http://seed.test/album/a.bin bytes 0-32767',
    },
    {
      name: 'declared Content-Length too long',
      script: () => ({ status: 206, headers: { 'content-length': '32769' }, chunks: [space.slice(0, 32769)] }),
      code: 'webseed/long-body',
      message: 'web seed declared 32769 bytes for the 32768 asked: http://seed.test/album/a.bin bytes 0-32767',
    },
    {
      name: 'declared Content-Length too short',
      script: () => ({ status: 206, headers: { 'content-length': '100' }, chunks: [space.slice(0, 100)] }),
      code: 'webseed/short-body',
      message: 'web seed declared 100 bytes for the 32768 asked: http://seed.test/album/a.bin bytes 0-32767',
    },
    {
      name: 'a streamed body that ends early',
      script: () => ({ status: 206, chunks: [space.slice(0, 30000)] }),
      code: 'webseed/short-body',
      message: 'web seed sent 30000 of the 32768 bytes asked: http://seed.test/album/a.bin bytes 0-32767',
    },
    {
      name: 'a buffered body that is too long',
      script: () => ({ status: 206, bodyless: true, chunks: [space.slice(0, 40000)] }),
      code: 'webseed/long-body',
      message: 'web seed sent 40000 bytes for the 32768 asked: http://seed.test/album/a.bin bytes 0-32767',
    },
    {
      name: 'a network failure',
      script: () => new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') }),
      code: 'webseed/network',
      message: 'web seed unreachable: connect ECONNREFUSED 127.0.0.1:9: http://seed.test/',
    },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.code}`, async () => {
      const { http, seed } = setup();
      http.script = c.script;
      const error = await failure(seed.fetchPiece(0));
      expect([error.code, error.message]).toEqual([c.code, c.message]);
      expect(seed.failures).toBe(1);
      expect(seed.lastError).toBe(error);
    });
  }

  it('stops reading a body at the first byte past what was asked, and cancels it', async () => {
    const { http, seed } = setup();
    // A server ignoring the length: 100 chunks of 5000 bytes where 32768 bytes were asked.
    http.script = (url, r) => ({ status: 206, headers: { 'content-range': `bytes ${r!.first}-${r!.last}/50000` }, chunks: Array.from({ length: 100 }, () => new Uint8Array(5000)) });
    const error = await failure(seed.fetchPiece(0));
    expect([error.code, error.message]).toEqual(['webseed/long-body', 'web seed sent more than the 32768 bytes asked: http://seed.test/album/a.bin bytes 0-32767']);
    expect(http.chunksRead).toBe(7);
    expect(http.cancels).toBe(1);
  });

  it('cancels the body of a refused reply so the connection is released', async () => {
    const { http, seed } = setup();
    http.script = () => ({ status: 500, chunks: [new Uint8Array(10)] });
    expect((await failure(seed.fetchPiece(0))).status).toBe(500);
    expect(http.cancels).toBe(1);
  });

  it('accepts 200 when the request is a whole file', async () => {
    const small = buildLayout('v1', 32768, [{ path: ['s.bin'], length: 20000 }], { name: 's.bin', singleFile: true });
    const http = new FakeHttp();
    const file = content(3, 20000);
    http.files.set('http://seed.test/s.bin', file);
    http.script = () => ({ status: 200, chunks: [file] });
    const seed = new WebSeedPeer('http://seed.test/s.bin', small, http.fetch, { clock: { now: () => 0 } });
    expect(await seed.fetchPiece(0)).toEqual(file);
    expect(http.calls[0]!.headers.range).toBe('bytes=0-19999');
  });

  it('accepts 206 without Content-Range (a browser hides it unless CORS exposes it) when the length is right', async () => {
    const { http, seed } = setup();
    http.script = () => ({ status: 206, chunks: [space.slice(0, 32768)] });
    expect(await seed.fetchPiece(0)).toEqual(pieceBytes(0));
  });

  it('reads a body-less response through arrayBuffer()', async () => {
    const { http, seed } = setup();
    http.script = () => ({ status: 206, bodyless: true, chunks: [space.slice(0, 32768)] });
    expect(await seed.fetchPiece(0)).toEqual(pieceBytes(0));
  });
});

describe('WebSeedPeer: slots, back-off, timeouts', () => {
  it('keeps at most maxConcurrent requests in flight and refuses more with webseed/busy', async () => {
    const { http, seed } = setup({ maxConcurrent: 2 });
    http.gate = true;
    expect(seed.wantMore(1000)).toBe(2);
    const a = seed.fetchPiece(0);
    expect([seed.wantMore(1000), seed.busy]).toEqual([1, false]);
    const b = seed.fetchPiece(1);
    expect([seed.wantMore(1000), seed.busy, seed.inFlight]).toEqual([0, true, 2]);
    expect((await failure(seed.fetchPiece(2))).code).toBe('webseed/busy');
    http.release();
    expect(await a).toEqual(pieceBytes(0));
    expect(await b).toEqual(pieceBytes(1));
    expect([seed.wantMore(1000), seed.inFlight]).toEqual([2, 0]);
  });

  it('backs off exponentially after failures, refuses requests meanwhile, and recovers on success', async () => {
    const { clock, http, seed } = setup({ backoffBaseMs: 5000, backoffMaxMs: 12_000 });
    http.script = () => ({ status: 503 });
    await failure(seed.fetchPiece(0));
    expect([seed.failures, seed.nextRetryAt, seed.wantMore(clock.t), seed.wantMore(5999)]).toEqual([1, 6000, 0, 0]);
    expect(seed.nextDeadline(clock.t)).toBe(6000);
    expect((await failure(seed.fetchPiece(0))).code).toBe('webseed/backing-off');
    expect(http.calls.length).toBe(1);
    clock.t = 6000;
    expect(seed.wantMore(clock.t)).toBe(2);
    await failure(seed.fetchPiece(0));
    expect([seed.failures, seed.nextRetryAt]).toEqual([2, 16_000]);
    clock.t = 16_000;
    await failure(seed.fetchPiece(0));
    expect([seed.failures, seed.nextRetryAt]).toEqual([3, 28_000]); // 20 s capped at 12 s
    clock.t = 28_000;
    http.script = () => undefined;
    expect(await seed.fetchPiece(0)).toEqual(pieceBytes(0));
    expect([seed.failures, seed.nextRetryAt, seed.nextDeadline(clock.t)]).toEqual([0, 0, null]);
  });

  it('waits as long as a 503 Retry-After asks, within the cap', async () => {
    const { http, seed } = setup();
    http.script = () => ({ status: 503, headers: { 'retry-after': '120' } });
    const error = await failure(seed.fetchPiece(0));
    expect([error.status, error.retryAfterMs, seed.nextRetryAt]).toEqual([503, 120_000, 121_000]);
  });

  it('counts failures of requests already in flight as one outage', async () => {
    const { http, seed } = setup();
    http.gate = true;
    http.script = () => ({ status: 500 });
    const a = failure(seed.fetchPiece(0));
    const b = failure(seed.fetchPiece(1));
    http.release();
    expect((await a).code).toBe('webseed/http-status');
    expect((await b).code).toBe('webseed/http-status');
    expect([seed.failures, seed.nextRetryAt]).toEqual([1, 6000]);
  });

  it('abandons a request that receives nothing for the idle timeout, even when fetch ignores the signal', async () => {
    const { clock, http, seed } = setup({ idleTimeoutMs: 30_000 });
    http.script = () => 'hang';
    const pending = failure(seed.fetchPiece(0));
    await settle();
    expect(seed.nextDeadline(clock.t)).toBe(31_000);
    seed.poll(30_999);
    await settle();
    expect(seed.inFlight).toBe(1);
    clock.t = 31_000;
    seed.poll(clock.t);
    const error = await pending;
    expect([error.code, error.message]).toEqual(['webseed/timeout', 'web seed sent nothing for 30000 ms: http://seed.test/']);
    expect([seed.inFlight, seed.failures, seed.nextRetryAt]).toEqual([0, 1, 31_000 + 5_000]);
  });

  it('measures the idle timeout from the last byte received', async () => {
    const { clock, http, seed } = setup({ idleTimeoutMs: 30_000 });
    let calls = 0;
    http.script = (url, r) => (calls++ === 0 ? { ...http.serve(url, r), stallAfter: 2 } : undefined);
    const pending = failure(seed.fetchPiece(0));
    clock.t = 20_000; // the headers and two chunks arrive at t = 20 s
    await settle();
    expect(seed.nextDeadline(clock.t)).toBe(50_000);
    seed.poll(49_999);
    await settle();
    expect(seed.inFlight).toBe(1);
    seed.poll(50_000);
    expect((await pending).code).toBe('webseed/timeout');
    expect(http.cancels).toBe(1);
    expect(seed.downloadedBytes).toBe(10_000);
  });

  it("the caller's signal aborts a request without counting it against the web seed", async () => {
    const { http, seed } = setup();
    http.script = () => 'hang';
    const listeners: (() => void)[] = [];
    const signal = { aborted: false, addEventListener: (_: 'abort', l: () => void) => void listeners.push(l) };
    const pending = failure(seed.fetchPiece(0, { signal }));
    await settle();
    signal.aborted = true;
    for (const l of listeners) l();
    expect((await pending).code).toBe('webseed/aborted');
    expect([seed.failures, seed.nextRetryAt, seed.inFlight]).toEqual([0, 0, 0]);
    const already = failure(seed.fetchPiece(0, { signal }));
    expect((await already).code).toBe('webseed/aborted');
  });

  it("drops its listener from the caller's signal when the request ends", async () => {
    const { seed } = setup();
    const listeners = new Set<() => void>();
    const signal = {
      aborted: false,
      addEventListener: (_: 'abort', l: () => void) => void listeners.add(l),
      removeEventListener: (_: 'abort', l: () => void) => void listeners.delete(l),
    };
    const pending = seed.fetchPiece(0, { signal });
    expect(listeners.size).toBe(1);
    expect(await pending).toEqual(pieceBytes(0));
    expect(listeners.size).toBe(0);
  });

  it('close() ends requests in flight and refuses new ones', async () => {
    const { http, seed } = setup();
    http.script = () => 'hang';
    const pending = failure(seed.fetchPiece(0));
    await settle();
    seed.close();
    expect((await pending).code).toBe('webseed/closed');
    expect(seed.wantMore(1000)).toBe(0);
    expect((await failure(seed.fetchPiece(1))).code).toBe('webseed/closed');
    expect(seed.failures).toBe(0);
  });

  it('is given up after maxCorruptPieces pieces fail their hash check', async () => {
    const { clock, seed } = setup({ maxCorruptPieces: 2 });
    seed.reportCorrupt();
    expect([seed.disabled, seed.failures, seed.lastError?.code]).toEqual([false, 1, 'webseed/corrupt-piece']);
    clock.t = 100_000;
    expect(seed.wantMore(clock.t)).toBe(2);
    seed.reportCorrupt();
    expect([seed.disabled, seed.lastError?.code, seed.wantMore(10 ** 9)]).toEqual([true, 'webseed/disabled', 0]);
    expect(seed.lastError?.message).toBe('web seed sent 2 pieces that failed the hash check: http://seed.test/');
    clock.t = 10 ** 9;
    expect((await failure(seed.fetchPiece(0))).code).toBe('webseed/disabled');
    expect(seed.nextDeadline(clock.t)).toBe(null);
  });
});
