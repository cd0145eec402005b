import { createHash } from 'node:crypto';
import bencode from 'bencode';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTorrent } from '../../../src/core/create/create.js';
import { CreateError } from '../../../src/core/create/errors.js';
import type { CreateOptions, CreateSource } from '../../../src/core/create/types.js';
import type { Hasher } from '../../../src/core/ports/hasher.js';
import { toHex } from '../../../src/core/util/hex.js';
import { nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';
import { memorySource } from './memory-source.js';

const KiB = 1024;
type Dict = Record<string, unknown>;

function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const sha1 = (b: Uint8Array) => new Uint8Array(createHash('sha1').update(b).digest());
const sha256 = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());
const text = (b: unknown) => new TextDecoder().decode(b as Uint8Array);
const decode = (b: Uint8Array) => bencode.decode(b) as Dict;

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function v1Pieces(data: Uint8Array, pieceLength: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += pieceLength) parts.push(sha1(data.subarray(at, at + pieceLength)));
  return concat(parts);
}

/** The BEP 52 root straight from the definition: every 16 KiB leaf, zero leaves to a power of two, pairwise up. */
function merkleOf(leaves: Uint8Array[], count: number): Uint8Array {
  let level = [...leaves];
  while (level.length < count) level.push(new Uint8Array(32));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(sha256(concat([level[i]!, level[i + 1]!])));
    level = next;
  }
  return level[0]!;
}

function v2Reference(data: Uint8Array, pieceLength: number): { root: Uint8Array; layer: Uint8Array | null } {
  const leaves: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += 16 * KiB) leaves.push(sha256(data.subarray(at, at + 16 * KiB)));
  let count = 1;
  while (count < leaves.length) count *= 2;
  const root = merkleOf(leaves, count);
  if (data.length <= pieceLength) return { root, layer: null };
  const perPiece = pieceLength / (16 * KiB);
  const layer: Uint8Array[] = [];
  for (let i = 0; i < leaves.length; i += perPiece) layer.push(merkleOf(leaves.slice(i, i + perPiece), perPiece));
  return { root, layer: concat(layer) };
}

function options(files: Record<string, Uint8Array>, extra: Partial<CreateOptions> = {}): CreateOptions {
  return {
    name: 'root',
    files: Object.entries(files).map(([p, d]) => ({ path: p.split('/'), length: d.length })),
    singleFile: false,
    ...extra,
  };
}

async function create(files: Record<string, Uint8Array>, extra: Partial<CreateOptions> = {}, hasher: Hasher = nodeHasher) {
  return createTorrent(options(files, extra), memorySource(Object.values(files)), hasher);
}

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(CreateError);
    return { code: (e as CreateError).code, message: (e as CreateError).message };
  }
  throw new Error('expected a CreateError');
}

describe('createTorrent v1', () => {
  it('writes a single-file torrent with every optional key in place', async () => {
    const data = bytes(100_000, 1);
    const made = await createTorrent(
      {
        name: 'video.mp4',
        files: [{ path: ['video.mp4'], length: data.length }],
        singleFile: true,
        pieceLength: 32 * KiB,
        announce: [['udp://a:1'], ['http://b/announce', 'wss://c']],
        urlList: ['https://seed/video.mp4'],
        private: true,
        comment: 'hi',
        creationDate: 1700000000,
      },
      memorySource([data]),
      nodeHasher,
    );
    const t = decode(made.torrent);
    const info = t.info as Dict;
    expect(Object.keys(t)).toEqual(['announce', 'announce-list', 'comment', 'created by', 'creation date', 'info', 'url-list']);
    expect(text(t.announce)).toBe('udp://a:1');
    expect((t['announce-list'] as unknown[][]).map((tier) => tier.map(text))).toEqual([['udp://a:1'], ['http://b/announce', 'wss://c']]);
    expect([text(t.comment), text(t['created by']), t['creation date']]).toEqual(['hi', 'Sluice/0.1.0', 1700000000]);
    expect((t['url-list'] as unknown[]).map(text)).toEqual(['https://seed/video.mp4']);
    expect(Object.keys(info)).toEqual(['length', 'name', 'piece length', 'pieces', 'private']);
    expect([info.length, text(info.name), info['piece length'], info.private]).toEqual([100_000, 'video.mp4', 32 * KiB, 1]);
    expect(info.pieces).toEqual(v1Pieces(data, 32 * KiB));
    expect(made.infoHash).toEqual(sha1(bencode.encode(info) as Uint8Array));
    expect(made.infoHashV2).toBeNull();
    expect(made.magnet).toBe(
      `magnet:?xt=urn:btih:${toHex(made.infoHash)}&dn=video.mp4&tr=udp%3A%2F%2Fa%3A1&tr=http%3A%2F%2Fb%2Fannounce` +
        '&tr=wss%3A%2F%2Fc&ws=https%3A%2F%2Fseed%2Fvideo.mp4',
    );
  });

  it('leaves out what was not given, and a lone tracker needs no announce-list', async () => {
    const made = await create({ a: bytes(10, 1) }, { announce: [['udp://only:1']] });
    const t = decode(made.torrent);
    expect(Object.keys(t)).toEqual(['announce', 'created by', 'info']);
    expect(Object.keys(t.info as Dict)).toEqual(['files', 'name', 'piece length', 'pieces']);
  });

  it('cuts pieces across file boundaries, files in the order given, empty files kept', async () => {
    const files = { 'b/2.bin': bytes(40_000, 2), 'a.bin': bytes(20_001, 3), 'empty': new Uint8Array(0), 'c': bytes(5, 4) };
    const made = await create(files, { pieceLength: 16 * KiB });
    const info = decode(made.torrent).info as Dict;
    expect((info.files as Dict[]).map((f) => [(f.path as unknown[]).map(text).join('/'), f.length])).toEqual([
      ['b/2.bin', 40_000],
      ['a.bin', 20_001],
      ['empty', 0],
      ['c', 5],
    ]);
    expect(info.pieces).toEqual(v1Pieces(concat(Object.values(files)), 16 * KiB));
  });
});

describe('createTorrent hybrid', () => {
  it('aligns files with libtorrent-style padding, in file tree order, with BEP 52 roots and piece layers', async () => {
    const pl = 32 * KiB;
    const files = {
      'z': bytes(5, 1),
      'a.bin': bytes(70_000, 2),
      'a/x': bytes(10, 3),
      'empty': new Uint8Array(0),
      'exact': bytes(pl, 4),
      'big': bytes(5 * pl + 16 * KiB + 1, 5),
    };
    const made = await create(files, { hybrid: true, pieceLength: pl });
    const t = decode(made.torrent);
    const info = t.info as Dict;
    expect(info['meta version']).toBe(2);
    const list = (info.files as Dict[]).map((f) => [(f.path as unknown[]).map(text).join('/'), f.length, f.attr && text(f.attr)]);
    expect(list).toEqual([
      ['a/x', 10, undefined],
      ['.pad/32758', 32758, 'p'],
      ['a.bin', 70_000, undefined],
      ['.pad/28304', 28304, 'p'],
      ['big', 5 * pl + 16 * KiB + 1, undefined],
      ['.pad/16383', 16383, 'p'],
      ['empty', 0, undefined],
      ['exact', pl, undefined],
      ['z', 5, undefined],
      ['.pad/32763', 32763, 'p'],
    ]);
    const padded = concat(
      list.map(([path, length]) => (String(path).startsWith('.pad/') ? new Uint8Array(Number(length)) : files[path as keyof typeof files])),
    );
    expect(info.pieces).toEqual(v1Pieces(padded, pl));

    const tree = info['file tree'] as Dict;
    const layers = t['piece layers'] as Dict;
    // bencode decodes the raw 32-byte keys as text, losing bytes; the next test reads the keys raw.
    const layerValues = Object.values(layers).map((v) => toHex(v as Uint8Array));
    for (const [path, data] of Object.entries(files)) {
      let node = tree;
      for (const part of path.split('/')) node = node[part] as Dict;
      const leaf = node[''] as Dict;
      expect(leaf.length).toBe(data.length);
      if (data.length === 0) {
        expect(leaf['pieces root']).toBeUndefined();
        continue;
      }
      const ref = v2Reference(data, pl);
      expect(leaf['pieces root']).toEqual(ref.root);
      if (ref.layer !== null) expect(layerValues).toContain(toHex(ref.layer));
    }
    expect(layerValues.length).toBe(2); // 'a.bin' and 'big'; the rest fit in one piece
    expect(made.infoHashV2).toEqual(sha256(bencode.encode(info) as Uint8Array));
  });

  it('writes piece layers keyed by raw roots in byte order', async () => {
    const pl = 16 * KiB;
    const made = await create({ one: bytes(3 * pl, 7), two: bytes(3 * pl, 8), three: bytes(2 * pl + 1, 9) }, { hybrid: true, pieceLength: pl });
    const raw = made.torrent;
    const marker = new TextEncoder().encode('12:piece layersd');
    const start = raw.findIndex((_, i) => marker.every((m, j) => raw[i + j] === m)) + marker.length;
    const keys: string[] = [];
    let at = start;
    for (let k = 0; k < 3; k++) {
      expect(text(raw.subarray(at, at + 3))).toBe('32:');
      keys.push(toHex(raw.subarray(at + 3, at + 35)));
      at += 35;
      const colon = raw.indexOf(58, at);
      at = colon + 1 + Number(text(raw.subarray(at, colon)));
    }
    expect(keys).toEqual([...keys].sort());
    const info = decode(raw).info as Dict;
    const tree = info['file tree'] as Record<string, Record<string, Dict>>;
    const roots = ['one', 'two', 'three'].map((f) => toHex(tree[f]!['']!['pieces root'] as Uint8Array));
    expect(new Set(keys)).toEqual(new Set(roots));
    expect(raw[at]).toBe(101); // 'e' closes the dict: exactly three layers
  });
});

describe('createTorrent scheduling', () => {
  const fileSet = fc.array(fc.integer({ min: 0, max: 150_000 }), { minLength: 1, maxLength: 5 }).filter((l) => l.some((n) => n > 0));

  it('gives the same bytes whatever the batch size, the number in flight, or the read path', async () => {
    await fc.assert(
      fc.asyncProperty(
        fileSet,
        fc.boolean(),
        fc.constantFrom(16 * KiB, 32 * KiB, 64 * KiB),
        fc.integer({ min: 1, max: 300_000 }),
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
        async (lengths, hybrid, pieceLength, batchBytes, inFlight, withReadInto) => {
          const contents = lengths.map((n, i) => bytes(n, i + 10));
          const opts: CreateOptions = {
            name: 'set',
            files: lengths.map((length, i) => ({ path: [`f${lengths.length - i}`], length })),
            singleFile: false,
            pieceLength,
            hybrid,
          };
          const reference = await createTorrent(opts, memorySource(contents), nodeHasher);
          const tuned = await createTorrent(opts, memorySource(contents, withReadInto), nodeHasher, { batchBytes, inFlight });
          expect(toHex(tuned.torrent)).toBe(toHex(reference.torrent));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('hashes whole batches: one SHA-1 call per batch, never a call per 16 KiB block', async () => {
    const calls: [string, string, number, number][] = [];
    const counting: Hasher = {
      digest: (a, d) => (calls.push(['digest', a, d.length, 0]), nodeHasher.digest(a, d)),
      digestBlocks: (a, d, s) => (calls.push(['blocks', a, d.length, s]), nodeHasher.digestBlocks(a, d, s)),
    };
    const data = bytes(1024 * KiB, 3);
    await createTorrent(
      { name: 'f', files: [{ path: ['f'], length: data.length }], singleFile: true, pieceLength: 16 * KiB },
      memorySource([data]),
      counting,
      { batchBytes: 256 * KiB },
    );
    expect(calls.slice(0, 4)).toEqual(Array(4).fill(['blocks', 'sha1', 256 * KiB, 16 * KiB]));
    expect(calls.length).toBe(5);
    expect(calls[4]![0]).toBe('digest');

    calls.length = 0;
    await createTorrent(
      { name: 'f', files: [{ path: ['f'], length: data.length }], singleFile: true, pieceLength: 64 * KiB, hybrid: true },
      memorySource([data]),
      counting,
      { batchBytes: 512 * KiB },
    );
    const big = calls.filter((c) => c[2] >= 16 * KiB);
    expect(big).toEqual([
      ['blocks', 'sha1', 512 * KiB, 64 * KiB],
      ['blocks', 'sha256', 512 * KiB, 16 * KiB],
      ['blocks', 'sha1', 512 * KiB, 64 * KiB],
      ['blocks', 'sha256', 512 * KiB, 16 * KiB],
    ]);
    expect(calls.filter((c) => c[0] === 'digest' && c[2] === 16 * KiB)).toEqual([]);
  });

  it('reports progress in content bytes, ending at the total', async () => {
    const seen: [number, number][] = [];
    const files = { a: bytes(50_000, 1), b: bytes(30_000, 2) };
    await create(files, { pieceLength: 16 * KiB, hybrid: true, onProgress: (done, total) => seen.push([done, total]) });
    expect(seen[0]).toEqual([0, 80_000]);
    expect(seen.at(-1)).toEqual([80_000, 80_000]);
    for (let i = 1; i < seen.length; i++) expect(seen[i]![0]).toBeGreaterThanOrEqual(seen[i - 1]![0]);
  });

  it('passes on a failing read or a failing hasher', async () => {
    const failing: CreateSource = { read: async () => Promise.reject(new CreateError('create/read-failed', 'disk gone')) };
    const opts = options({ a: bytes(100_000, 1) }, { pieceLength: 16 * KiB });
    expect(await errorOf(createTorrent(opts, failing, nodeHasher))).toEqual({ code: 'create/read-failed', message: 'disk gone' });
    const short: CreateSource = { read: async (_i, _o, length) => new Uint8Array(length - 1) };
    expect(await errorOf(createTorrent(opts, short, nodeHasher))).toEqual({
      code: 'create/short-read',
      message: 'file 0 gave 99999 bytes where 100000 were expected',
    });
    const broken: Hasher = {
      digest: nodeHasher.digest,
      digestBlocks: async () => Promise.reject(new CreateError('create/read-failed', 'hasher gone')),
    };
    expect(await errorOf(createTorrent(opts, memorySource([bytes(100_000, 1)]), broken, { batchBytes: 16 * KiB }))).toEqual({
      code: 'create/read-failed',
      message: 'hasher gone',
    });
  });
});

describe('createTorrent validation', () => {
  const one = { a: bytes(10, 1) };
  const cases: [string, Partial<CreateOptions>, string, string][] = [
    ['case 1 create/no-files', { files: [] }, 'create/no-files', 'there are no files to put in the torrent'],
    ['case 2 create/empty', { files: [{ path: ['a'], length: 0 }] }, 'create/empty', 'nothing to share: every file is empty'],
    ['case 3 create/single-file-count', { singleFile: true, files: [{ path: ['a'], length: 1 }, { path: ['b'], length: 1 }] }, 'create/single-file-count', 'a single-file torrent needs exactly one file, got 2'],
    ['case 4 create/bad-name', { name: '..' }, 'create/bad-name', "torrent name '..' is not a usable file name"],
    ['case 5 create/bad-path', { files: [{ path: ['a', ''], length: 1 }] }, 'create/bad-path', "path part '' is not a usable file name"],
    ['case 6 create/bad-path', { files: [{ path: ['a/b'], length: 1 }] }, 'create/bad-path', "path part 'a/b' is not a usable file name"],
    ['case 7 create/duplicate-path', { files: [{ path: ['x'], length: 1 }, { path: ['x'], length: 2 }] }, 'create/duplicate-path', "'x' appears twice, or as a file and a folder"],
    ['case 8 create/duplicate-path', { files: [{ path: ['x'], length: 1 }, { path: ['x', 'y'], length: 2 }] }, 'create/duplicate-path', "'x' is both a file and a folder"],
    ['case 9 create/duplicate-path', { files: [{ path: ['x', 'y'], length: 1 }, { path: ['x'], length: 2 }] }, 'create/duplicate-path', "'x' appears twice, or as a file and a folder"],
    ['case 10 create/bad-length', { files: [{ path: ['x'], length: -1 }] }, 'create/bad-length', "file 'x' has a bad length -1"],
    ['case 11 create/bad-length', { files: [{ path: ['x'], length: 1.5 }] }, 'create/bad-length', "file 'x' has a bad length 1.5"],
    ['case 12 create/bad-piece-length', { pieceLength: 3 * 16 * KiB }, 'create/bad-piece-length', 'piece length 49152 is not a power of two from 16 KiB to 16 MiB'],
    ['case 13 create/bad-piece-length', { pieceLength: 8 * KiB }, 'create/bad-piece-length', 'piece length 8192 is not a power of two from 16 KiB to 16 MiB'],
    ['case 14 create/too-many-pieces', { pieceLength: 16 * KiB, files: [{ path: ['x'], length: 0x200000 * 16 * KiB + 1 }] }, 'create/too-many-pieces', '2097153 pieces; the limit is 2097152 (use a larger piece length)'],
    ['case 15 create/too-many-files', { files: Array.from({ length: 100_001 }, (_, i) => ({ path: [`f${i}`], length: 1 })) }, 'create/too-many-files', '100001 files; the limit is 100000'],
  ];
  it.each(cases)('rejects %s', async (_label, extra, code, message) => {
    const err = await errorOf(createTorrent(options(one, extra), memorySource([bytes(10, 1)]), nodeHasher));
    expect(err.code).toBe(code);
    expect(err.message).toBe(message);
  });
});
