import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';
import { parseMetainfo } from '../../../src/core/metainfo/index.js';
import type { Metainfo } from '../../../src/core/metainfo/model.js';
import { toHex } from '../../../src/core/util/hex.js';

const dir = new URL('../../fixtures/torrents/', import.meta.url);
const recorded = JSON.parse(readFileSync(new URL('hashes.json', dir), 'utf8')) as Record<string, { v1: string | null; v2: string | null; reportedBy: string[] }>;
const load = (name: string): Promise<Metainfo> => parseMetainfo(readFileSync(new URL(name, dir)), nodeHasher);
const layout = (m: Metainfo) => m.files.map((f) => [f.path.join('/'), f.length, f.offset, f.padding]);

const ANNOUNCE = 'http://127.0.0.1:6969/announce';
const BACKUP = 'udp://127.0.0.1:6970/announce';

describe('info hashes equal what the tools reported', () => {
  test('every fixture is recorded, by libtorrent and (for v1) transmission-show', () => {
    expect(Object.keys(recorded).sort()).toEqual([
      'libtorrent-hybrid-notail.torrent', 'libtorrent-hybrid-single.torrent', 'libtorrent-hybrid.torrent',
      'libtorrent-v1-padded.torrent', 'libtorrent-v2-single.torrent', 'libtorrent-v2.torrent',
      'mktorrent-multi.torrent', 'mktorrent-single.torrent', 'transmission-multi.torrent', 'transmission-single.torrent',
    ]);
    for (const r of Object.values(recorded)) if (r.v2 === null) expect(r.reportedBy).toContain('transmission-show');
  });

  test.each(Object.entries(recorded))('%s', async (name, hashes) => {
    const m = await load(name);
    expect(m.infoHash === null ? null : toHex(m.infoHash)).toBe(hashes.v1);
    expect(m.infoHashV2 === null ? null : toHex(m.infoHashV2)).toBe(hashes.v2);
    expect(m.version).toBe(hashes.v1 === null ? 'v2' : hashes.v2 === null ? 'v1' : 'hybrid');
  });
});

describe('fixture contents', () => {
  test('mktorrent single file: tiers deduplicated, web seed, comment, no date', async () => {
    const m = await load('mktorrent-single.torrent');
    expect(m.name).toBe('sample.bin');
    expect(m.singleFile).toBe(true);
    expect(layout(m)).toEqual([['sample.bin', 40000, 0, false]]);
    expect([m.pieceLength, m.pieceCount, m.pieceSpaceLength, m.length]).toEqual([32768, 2, 40000, 40000]);
    expect(m.pieceHashes?.length).toBe(40);
    // mktorrent was given "-a ANNOUNCE -a BACKUP,ANNOUNCE": the repeat is dropped from the second tier.
    expect(m.announce).toEqual([[ANNOUNCE], [BACKUP]]);
    expect(m.urlList).toEqual(['http://127.0.0.1:8080/seed/']);
    expect(m.comment).toBe('mktorrent single');
    expect(m.createdBy).toBe('mktorrent 1.1');
    expect(m.creationDate).toBeUndefined();
    expect(m.private).toBe(false);
  });

  test('mktorrent folder: private, back-to-back offsets, empty and non-ASCII files', async () => {
    const m = await load('mktorrent-multi.torrent');
    expect(m.singleFile).toBe(false);
    expect(m.name).toBe('album');
    expect(m.private).toBe(true);
    expect(m.announce).toEqual([[ANNOUNCE]]);
    expect(layout(m)).toEqual([
      ['a.txt', 1000, 0, false],
      ['c.bin', 33000, 1000, false],
      ['empty.txt', 0, 34000, false],
      ['sub/b.bin', 70000, 34000, false],
      ['sub/ünïcödé ✓.txt', 5000, 104000, false],
    ]);
    expect([m.pieceCount, m.pieceSpaceLength, m.length]).toEqual([4, 109000, 109000]);
  });

  test('libtorrent v1 with BEP 47 padding files', async () => {
    const m = await load('libtorrent-v1-padded.torrent');
    expect(m.version).toBe('v1');
    expect(layout(m)).toEqual([
      ['a.txt', 1000, 0, false],
      ['.pad/15384', 15384, 1000, true],
      ['c.bin', 33000, 16384, false],
      ['.pad/16152', 16152, 49384, true],
      ['empty.txt', 0, 65536, false],
      ['sub/b.bin', 70000, 65536, false],
      ['.pad/11920', 11920, 135536, true],
      ['sub/ünïcödé ✓.txt', 5000, 147456, false],
      ['.pad/11384', 11384, 152456, true],
    ]);
    expect(m.files.filter((f) => f.padding).every((f) => f.attributes === 'p')).toBe(true);
    expect([m.pieceLength, m.pieceCount, m.pieceSpaceLength, m.length]).toEqual([16384, 10, 163840, 109000]);
    expect(m.announce).toEqual([[ANNOUNCE], [BACKUP]]);
    expect(m.pieceLayers.size).toBe(0);
    expect(m.infoHashV2).toBeNull();
  });

  test('libtorrent hybrid: v1 padding agrees with v2 alignment; pieces roots and verified layers', async () => {
    const m = await load('libtorrent-hybrid.torrent');
    const v1 = await load('libtorrent-v1-padded.torrent');
    expect(layout(m)).toEqual(layout(v1));
    expect(m.files.filter((f) => !f.padding && f.length > 0).every((f) => f.piecesRoot?.length === 32)).toBe(true);
    // Files longer than one 16 KiB piece have layers: c.bin (3 pieces) and sub/b.bin (5 pieces).
    const sizes = m.files.filter((f) => f.length > 16384).map((f) => m.pieceLayers.get(toHex(f.piecesRoot!))?.length);
    expect(sizes).toEqual([96, 160]);
    expect(m.pieceLayers.size).toBe(2);
    expect(m.pieceHashes?.length).toBe(200);
  });

  test('libtorrent hybrid without tail padding: an empty file before the padding', async () => {
    const m = await load('libtorrent-hybrid-notail.torrent');
    expect(layout(m)).toEqual([
      ['a.txt', 1000, 0, false],
      ['.pad/15384', 15384, 1000, true],
      ['c.bin', 33000, 16384, false],
      ['empty.txt', 0, 49384, false],
      ['.pad/16152', 16152, 49384, true],
      ['sub/b.bin', 70000, 65536, false],
      ['.pad/11920', 11920, 135536, true],
      ['sub/ünïcödé ✓.txt', 5000, 147456, false],
    ]);
    expect([m.pieceCount, m.pieceSpaceLength]).toEqual([10, 152456]);
  });

  test('libtorrent v2-only: implicit alignment, no v1 hash, no padding entries', async () => {
    const m = await load('libtorrent-v2.torrent');
    expect(m.infoHash).toBeNull();
    expect(m.pieceHashes).toBeNull();
    expect(layout(m)).toEqual([
      ['a.txt', 1000, 0, false],
      ['c.bin', 33000, 16384, false],
      ['empty.txt', 0, 65536, false],
      ['sub/b.bin', 70000, 65536, false],
      ['sub/ünïcödé ✓.txt', 5000, 147456, false],
    ]);
    expect([m.pieceCount, m.pieceSpaceLength, m.length]).toEqual([10, 163840, 109000]);
    expect(m.pieceLayers.size).toBe(2);
    expect(m.comment).toBe('libtorrent v2');
    expect(m.urlList).toEqual(['http://127.0.0.1:8080/seed/']);
  });

  test('libtorrent single-file v2 and hybrid', async () => {
    const v2 = await load('libtorrent-v2-single.torrent');
    expect([v2.singleFile, v2.name, v2.pieceLength, v2.pieceCount]).toEqual([true, 'sample.bin', 32768, 2]);
    expect(layout(v2)).toEqual([['sample.bin', 40000, 0, false]]);
    const hybrid = await load('libtorrent-hybrid-single.torrent');
    expect([hybrid.singleFile, hybrid.pieceCount, hybrid.pieceSpaceLength]).toEqual([true, 3, 40000]);
  });

  test('transmission-create: omits empty files; sorted its own way; private', async () => {
    const m = await load('transmission-multi.torrent');
    expect(m.private).toBe(true);
    expect(m.announce).toEqual([[ANNOUNCE], [BACKUP]]);
    expect(m.files.map((f) => f.path.join('/')).sort()).toEqual(['a.txt', 'c.bin', 'sub/b.bin', 'sub/ünïcödé ✓.txt']);
    expect(m.createdBy).toMatch(/^Transmission\/3\.00/);
  });

  test('infoBytes are the exact info dictionary bytes of the file', async () => {
    const bytes = readFileSync(new URL('libtorrent-hybrid.torrent', dir));
    const m = await parseMetainfo(bytes, nodeHasher);
    const at = bytes.indexOf('4:infod') + 6;
    expect(Buffer.from(m.infoBytes).equals(bytes.subarray(at, at + m.infoBytes.length))).toBe(true);
    expect(m.infoBytes[m.infoBytes.length - 1]).toBe(0x65);
  });
});
