// Web seeds against a real HTTP server on 127.0.0.1, through Node's own fetch: every piece of real
// torrents (mktorrent, transmission, libtorrent v1-padded/hybrid/v2, and our own with awkward names)
// fetched and checked with PieceVerifier, the picker driving it as the coordinator will, and each
// server misbehaviour ending in its typed error, never in a wrong piece.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PieceVerifier } from '../../../src/core/engine/piece-verifier.js';
import { pieceSize } from '../../../src/core/metainfo/layout.js';
import { parseMetainfo } from '../../../src/core/metainfo/index.js';
import type { Metainfo } from '../../../src/core/metainfo/model.js';
import { PiecePicker } from '../../../src/core/picker/index.js';
import { adaptFetch, WebSeedError, WebSeedPeer, type WebSeedOptions } from '../../../src/core/webseed/index.js';
import { nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';
import { makeTorrent, seededRandom, type TestTorrent } from '../../helpers/engine.js';
import { closedTcpPort } from '../tracker/loopback.js';
import { startRangeServer, type Misbehaviour, type RangeServer } from './range-server.js';
// @ts-expect-error: a plain .mjs script shared with the fixture generator
import { content, FOLDER, writeContent } from '../../fixtures/torrents/make.mjs';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'torrents');
const httpFetch = adaptFetch(fetch, () => new AbortController());
type Content = (seed: number, length: number) => Uint8Array;

let root: string;
let server: RangeServer;
let awkward: TestTorrent;

async function fixture(name: string): Promise<Metainfo> {
  return parseMetainfo(new Uint8Array(readFileSync(join(FIXTURES, `${name}.torrent`))), nodeHasher);
}

/** Piece space of a fixture torrent: the generator's content at each file's offset, padding and gaps zero. */
function fixtureSpace(m: Metainfo): Uint8Array {
  const space = new Uint8Array(m.pieceSpaceLength);
  for (const f of m.files) {
    if (f.padding || f.length === 0) continue;
    const seed = m.singleFile ? 1 : 2 + FOLDER.findIndex((g: { path: string[] }) => g.path.join('/') === f.path.join('/'));
    space.set((content as Content)(seed, f.length), f.offset);
  }
  return space;
}

function newSeed(url: string, m: Metainfo, options: Partial<WebSeedOptions> = {}) {
  const clock = { t: 0, now: () => clock.t };
  return { clock, seed: new WebSeedPeer(url, m, httpFetch, { clock, ...options }) };
}

async function rejection(p: Promise<unknown>): Promise<WebSeedError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(WebSeedError);
    return error as WebSeedError;
  }
  throw new Error('expected a rejection, got bytes');
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sluice-webseed-'));
  writeContent(root);
  // Names that need percent-encoding: spaces, reserved characters, non-ASCII; hybrid, so padding files too.
  awkward = await makeTorrent(
    [
      { path: ['disc 1', 'track #1 (live) & more?.bin'], length: 70_000 },
      { path: ['çà et là ✓', 'notes 100%.txt'], length: 1_234 },
      { path: ['cover art.jpg'], length: 40_000 },
    ],
    { name: 'My Album', pieceLength: 16384, hybrid: true },
  );
  const byPath = new Map(awkward.metainfo.files.filter((f) => !f.padding).map((f) => [f.path.join('/'), f]));
  for (const f of byPath.values()) {
    const target = join(root, 'My Album', ...f.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, awkward.space.subarray(f.offset, f.offset + f.length));
  }
  server = await startRangeServer(root);
});

afterAll(async () => {
  await server?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('web seed over real HTTP: every piece verifies', () => {
  const cases: [string, (base: string) => string][] = [
    ['mktorrent-multi', (b) => b],
    ['transmission-multi', (b) => b.slice(0, -1)], // no trailing slash: added
    ['libtorrent-v1-padded', (b) => b],
    ['libtorrent-hybrid', (b) => b],
    ['libtorrent-v2', (b) => b],
    ['mktorrent-single', (b) => `${b}sample.bin`],
    ['libtorrent-hybrid-single', (b) => b], // ends with '/': the name is appended
    ['libtorrent-v2-single', (b) => b],
  ];
  for (const [name, url] of cases) {
    it(name, async () => {
      const m = await fixture(name);
      const space = fixtureSpace(m);
      const verifier = new PieceVerifier(m, nodeHasher);
      const { seed } = newSeed(url(server.url), m);
      const before = server.requests.length;
      let planned = 0;
      for (let i = 0; i < m.pieceCount; i++) {
        planned += seed.planner.piece(i).requests.length;
        const piece = await seed.fetchPiece(i);
        expect(await verifier.verify(i, piece), `piece ${i}`).toBe(true);
        expect(Buffer.from(piece).equals(space.subarray(i * m.pieceLength, i * m.pieceLength + pieceSize(m, i))), `piece ${i} bytes`).toBe(true);
      }
      const seen = server.requests.slice(before);
      expect(seen.length).toBe(planned);
      expect(seen.filter((r) => r.path.includes('.pad'))).toEqual([]);
      expect(seed.failures).toBe(0);
    });
  }

  it('requests exactly the planned ranges, unicode names percent-encoded', async () => {
    const m = await fixture('libtorrent-v1-padded');
    const { seed } = newSeed(server.url, m);
    const before = server.requests.length;
    await seed.fetchPiece(9);
    await seed.fetchPiece(3);
    expect(server.requests.slice(before)).toEqual([
      { path: '/album/sub/%C3%BCn%C3%AFc%C3%B6d%C3%A9%20%E2%9C%93.txt', range: 'bytes=0-4999' },
      { path: '/album/c.bin', range: 'bytes=32768-32999' },
    ]);
  });

  it('the picker drives it as the coordinator will: pseudo peer, has all, blocks in, verified pieces out', async () => {
    const m = awkward.metainfo;
    const verifier = new PieceVerifier(m, nodeHasher);
    const { clock, seed } = newSeed(server.url, m, { requestBytes: 32 * 1024, maxConcurrent: 2 });
    const random = seededRandom(7);
    const picker = new PiecePicker({ pieceCount: m.pieceCount, pieceLength: (p) => pieceSize(m, p), random: () => random.float() });
    picker.setSequential(true);
    const buffers = new Map<number, Uint8Array>();
    const verified = new Map<number, Uint8Array>();
    const before = server.requests.length;
    let rounds = 0;
    while (!picker.isComplete()) {
      expect(rounds++).toBeLessThan(100);
      const jobs: Promise<void>[] = [];
      for (let slots = seed.wantMore(clock.t); slots > 0; slots--) {
        const blocks = picker.pick({ id: seed.id, has: 'all' }, seed.blocksPerRequest, clock.t);
        if (blocks.length === 0) break;
        jobs.push(
          seed.fetchBlocks(blocks).then(async (data) => {
            for (const [i, b] of blocks.entries()) {
              const result = picker.blockReceived(seed.id, b.piece, b.begin, b.length);
              expect(result.status).toBe('accepted');
              let buffer = buffers.get(b.piece);
              if (!buffer) buffers.set(b.piece, (buffer = new Uint8Array(pieceSize(m, b.piece))));
              buffer.set(data[i]!, b.begin);
              if (!result.pieceComplete) continue;
              buffers.delete(b.piece);
              expect(await verifier.verify(b.piece, buffer), `piece ${b.piece}`).toBe(true);
              picker.pieceVerified(b.piece);
              verified.set(b.piece, buffer);
            }
          }),
        );
      }
      expect(jobs.length).toBeGreaterThan(0);
      await Promise.all(jobs);
    }
    expect(verified.size).toBe(m.pieceCount);
    for (const [i, piece] of verified) expect(Buffer.from(piece).equals(awkward.space.subarray(i * m.pieceLength, i * m.pieceLength + piece.length))).toBe(true);
    // In sequential order, two blocks per request slot: back-to-back blocks (across pieces too) share
    // one request per file, padding is skipped. 6 requests for 9 blocks.
    const track = '/My%20Album/disc%201/track%20%231%20%28live%29%20%26%20more%3F.bin';
    const cover = '/My%20Album/cover%20art.jpg';
    expect(server.requests.slice(before).map((r) => `${r.path} ${r.range}`)).toEqual([
      `${cover} bytes=0-32767`,
      `${cover} bytes=32768-39999`,
      `${track} bytes=0-16383`,
      `${track} bytes=16384-49151`,
      `${track} bytes=49152-69999`,
      '/My%20Album/%C3%A7%C3%A0%20et%20l%C3%A0%20%E2%9C%93/notes%20100%25.txt bytes=0-1233',
    ]);
    expect(rounds).toBe(3);
  });
});

describe('web seed over real HTTP: a misbehaving server gives a typed error, never a wrong piece', () => {
  // Piece 1 of the padded torrent is c.bin bytes 0-16383: part of a file, so a 200 is wrong.
  const cases: [Misbehaviour, string, string][] = [
    ['ignore-range', 'webseed/range-ignored', 'web seed ignored Range and sent the whole file: URL/album/c.bin bytes 0-16383'],
    ['wrong-range', 'webseed/bad-range', 'web seed answered Content-Range "bytes 1-16384/33000" for URL/album/c.bin bytes 0-16383'],
    ['wrong-total', 'webseed/bad-range', "web seed's file is 33001 bytes, the torrent says 33000: URL/album/c.bin"],
    ['status-500', 'webseed/http-status', 'web seed answered 500 for URL/album/c.bin bytes 0-16383'],
    ['short-body', 'webseed/short-body', 'web seed sent 16284 of the 16384 bytes asked: URL/album/c.bin bytes 0-16383'],
    ['long-body', 'webseed/long-body', 'web seed sent more than the 16384 bytes asked: URL/album/c.bin bytes 0-16383'],
  ];
  for (const [mode, code, message] of cases) {
    it(mode, async () => {
      const m = await fixture('libtorrent-v1-padded');
      const { clock, seed } = newSeed(server.url, m);
      server.mode = mode;
      try {
        const error = await rejection(seed.fetchPiece(1));
        expect([error.code, error.message]).toEqual([code, message.replace('URL/', server.url)]);
        expect([seed.failures, seed.nextRetryAt, seed.wantMore(clock.t)]).toEqual([1, 5000, 0]);
      } finally {
        server.mode = 'none';
      }
      // Once the back-off is over and the server behaves, the same piece arrives and verifies.
      clock.t = 5000;
      expect(await new PieceVerifier(m, nodeHasher).verify(1, await seed.fetchPiece(1))).toBe(true);
    });
  }

  it('a file the server does not have: 404', async () => {
    const m = await fixture('libtorrent-v1-padded');
    const { seed } = newSeed(`${server.url}nowhere/`, m);
    const error = await rejection(seed.fetchPiece(0));
    expect([error.code, error.status, error.message]).toEqual(['webseed/http-status', 404, `web seed answered 404 for ${server.url}nowhere/album/a.txt bytes 0-999`]);
  });

  it('nobody listening: webseed/network', async () => {
    const port = await closedTcpPort();
    const m = await fixture('libtorrent-v1-padded');
    const { seed } = newSeed(`http://127.0.0.1:${port}/`, m);
    const error = await rejection(seed.fetchPiece(0));
    expect(error.code).toBe('webseed/network');
    expect(error.message).toMatch(/^web seed unreachable: .*ECONNREFUSED.*: http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('a stalled body times out on the caller\'s clock, and the abort reaches the socket', async () => {
    const m = await fixture('libtorrent-v1-padded');
    const { clock, seed } = newSeed(server.url, m, { idleTimeoutMs: 30_000 });
    server.mode = 'stall';
    const abandoned = server.abandoned;
    try {
      const pending = rejection(seed.fetchPiece(1));
      // Wait until half the body has arrived (the stall), then let 30 s pass on the fake clock.
      for (let i = 0; i < 200 && seed.downloadedBytes < 8192; i++) await new Promise((r) => setTimeout(r, 5));
      expect(seed.downloadedBytes).toBe(8192);
      clock.t = 30_000;
      seed.poll(clock.t);
      const error = await pending;
      expect([error.code, error.message]).toEqual(['webseed/timeout', `web seed sent nothing for 30000 ms: ${server.url}`]);
      for (let i = 0; i < 200 && server.abandoned === abandoned; i++) await new Promise((r) => setTimeout(r, 5));
      expect(server.abandoned).toBe(abandoned + 1);
    } finally {
      server.mode = 'none';
    }
  });

  it('corrupt bytes are fetched but fail verification; three such pieces and the web seed is given up', async () => {
    const m = await fixture('libtorrent-v1-padded');
    const verifier = new PieceVerifier(m, nodeHasher);
    const { clock, seed } = newSeed(server.url, m);
    server.mode = 'corrupt';
    try {
      for (const piece of [1, 2, 4]) {
        expect(await verifier.verify(piece, await seed.fetchPiece(piece))).toBe(false);
        seed.reportCorrupt();
        clock.t = seed.nextRetryAt;
      }
    } finally {
      server.mode = 'none';
    }
    expect([seed.disabled, seed.wantMore(clock.t), seed.lastError?.code]).toEqual([true, 0, 'webseed/disabled']);
    expect((await rejection(seed.fetchPiece(0))).code).toBe('webseed/disabled');
  });
});
