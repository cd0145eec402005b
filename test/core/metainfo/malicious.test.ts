import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';
import { encodeBencode } from '../../../src/core/bencode/encode.js';
import { SluiceError } from '../../../src/core/errors.js';
import { parseMetainfo } from '../../../src/core/metainfo/index.js';
import { utf8 } from '../../../src/core/util/bytes.js';
import { PIECE, v1Torrent, v2Parts, v2Torrent } from './build.js';

async function rejection(bytes: Uint8Array): Promise<{ code: string; message: string }> {
  try {
    await parseMetainfo(bytes, nodeHasher);
  } catch (e) {
    expect(e).toBeInstanceOf(SluiceError);
    return { code: (e as SluiceError).code, message: (e as SluiceError).message };
  }
  throw new Error('parseMetainfo accepted the torrent');
}

const withSecondPath = (path: unknown[]) => v1Torrent({ files: [{ length: 1000, path: ['a'] }, { length: 20000, path: path as string[] }] });

test('the valid base torrents parse', async () => {
  await expect(parseMetainfo(v1Torrent(), nodeHasher)).resolves.toMatchObject({ version: 'v1', length: 21000, pieceCount: 2 });
  const parts = await v2Parts([{ path: ['a'], length: 1000 }, { path: ['d', 'b'], length: 40000 }]);
  await expect(parseMetainfo(v2Torrent(parts), nodeHasher)).resolves.toMatchObject({ version: 'v2', pieceCount: 4, pieceSpaceLength: 65536 });
});

describe('untrusted paths', () => {
  test.each([
    [['..', 'etc'], 'metainfo/path-traversal', "file path part '..' in files[1] is not allowed"],
    [['d', '..', '..', 'x'], 'metainfo/path-traversal', "file path part '..' in files[1] is not allowed"],
    [['/etc', 'passwd'], 'metainfo/path-traversal', "file path part '/etc' in files[1] is an absolute path"],
    [['\\Windows'], 'metainfo/path-traversal', "file path part '\\\\Windows' in files[1] is an absolute path"],
    [['C:', 'x'], 'metainfo/path-traversal', "file path part 'C:' in files[1] is an absolute path"],
    [['a\0b'], 'metainfo/bad-path', "file path part 'a\\u0000b' in files[1] contains a NUL byte"],
    [['d', ''], 'metainfo/bad-path', 'empty file path part in files[1]'],
    [['.'], 'metainfo/bad-path', "file path part '.' in files[1] is not allowed"],
    [['a/b'], 'metainfo/bad-path', "file path part 'a/b' in files[1] contains a path separator"],
    [['a\\b'], 'metainfo/bad-path', "file path part 'a\\\\b' in files[1] contains a path separator"],
    [['line\nbreak', '..'], 'metainfo/path-traversal', "file path part '..' in files[1] is not allowed"],
    [[], 'metainfo/bad-path', "'path' in files[1] is empty"],
    [['x'.repeat(1025)], 'metainfo/bad-path', 'file path part in files[1] is 1025 bytes long (limit 1024)'],
    [Array(65).fill('d'), 'metainfo/path-too-deep', "'path' in files[1] has 65 parts (limit 64)"],
    [[7], 'metainfo/wrong-type', "'path'[0] in files[1] must be a byte string, not an integer"],
  ])('%j', async (path, code, message) => {
    expect(await rejection(withSecondPath(path))).toEqual({ code, message });
  });

  test('the name is a path part too', async () => {
    expect(await rejection(v1Torrent({ info: { name: '..' } }))).toEqual({ code: 'metainfo/path-traversal', message: "name '..' in info is not allowed" });
    expect(await rejection(v1Torrent({ info: { name: '' } }))).toEqual({ code: 'metainfo/bad-path', message: 'empty name in info' });
  });

  test('a valid path.utf-8 twin wins; an invalid path.utf-8 falls back to a checked path', async () => {
    const files = [{ length: 1000, path: ['a'], 'path.utf-8': ['ä'] }, { length: 20000, path: ['b'], 'path.utf-8': [new Uint8Array([0xff])] }];
    const m = await parseMetainfo(v1Torrent({ files }), nodeHasher);
    expect(m.files.map((f) => f.path)).toEqual([['ä'], ['b']]);
    const sneaky = [{ length: 1000, path: ['a'] }, { length: 20000, path: ['..'], 'path.utf-8': [new Uint8Array([0xff])] }];
    expect(await rejection(v1Torrent({ files: sneaky }))).toEqual({ code: 'metainfo/path-traversal', message: "file path part '..' in files[1] is not allowed" });
  });

  test('BEP 47 symlink targets are checked like paths', async () => {
    const files = [{ length: 1000, path: ['a'] }, { length: 20000, path: ['b'] }, { attr: 'l', path: ['link'], 'symlink path': ['..', 'x'] }];
    expect(await rejection(v1Torrent({ files }))).toEqual({ code: 'metainfo/path-traversal', message: "file path part '..' in files[2] is not allowed" });
  });

  test('two files at one path, or a file that is also a folder', async () => {
    expect(await rejection(withSecondPath(['a']))).toEqual({ code: 'metainfo/duplicate-path', message: "file path 'a' appears twice" });
    expect(await rejection(withSecondPath(['a', 'b']))).toEqual({ code: 'metainfo/duplicate-path', message: "file path 'a' is also a folder" });
  });
});

describe('lengths and pieces', () => {
  test.each([
    [-1, 'metainfo/bad-length', 'length -1 of files[1] is negative'],
    [2 ** 51, 'metainfo/bad-length', 'length 2251799813685248 of files[1] is larger than the 1125899906842624-byte limit'],
  ])('file length %d', async (length, code, message) => {
    expect(await rejection(v1Torrent({ files: [{ length: 1000, path: ['a'] }, { length, path: ['b'] }] }))).toEqual({ code, message });
  });

  test('lengths that overflow the total together', async () => {
    const files = [{ length: 2 ** 49, path: ['a'] }, { length: 2 ** 49, path: ['b'] }, { length: 2 ** 49, path: ['c'] }];
    expect(await rejection(v1Torrent({ files }))).toEqual({ code: 'metainfo/bad-length', message: 'total length is larger than the 1125899906842624-byte limit' });
  });

  test('wrong piece count, ragged pieces, absurd piece lengths', async () => {
    expect(await rejection(v1Torrent({ info: { pieces: new Uint8Array(20) } }))).toEqual({
      code: 'metainfo/piece-count-mismatch', message: "'pieces' in info has 1 hashes but 21000 bytes in pieces of 16384 need 2",
    });
    expect(await rejection(v1Torrent({ info: { pieces: new Uint8Array(41) } }))).toEqual({
      code: 'metainfo/piece-count-mismatch', message: "'pieces' in info has 41 bytes, not a multiple of 20",
    });
    expect(await rejection(v1Torrent({ info: { 'piece length': 0 } }))).toEqual({
      code: 'metainfo/bad-piece-length', message: "'piece length' 0 in info is outside 1..268435456",
    });
    expect(await rejection(v1Torrent({ info: { 'piece length': 2 ** 29 } }))).toEqual({
      code: 'metainfo/bad-piece-length', message: "'piece length' 536870912 in info is outside 1..268435456",
    });
  });

  test('v1 accepts a piece length that is not a power of two', async () => {
    const m = await parseMetainfo(v1Torrent({ info: { 'piece length': 15000, pieces: new Uint8Array(40) } }), nodeHasher);
    expect([m.pieceLength, m.pieceCount]).toEqual([15000, 2]);
  });

  test('zero-length files are fine, a zero-length torrent is not', async () => {
    const ok = await parseMetainfo(v1Torrent({ files: [{ length: 0, path: ['e'] }, { length: 21000, path: ['b'] }] }), nodeHasher);
    expect(ok.files.map((f) => [f.length, f.offset])).toEqual([[0, 0], [21000, 0]]);
    expect(await rejection(v1Torrent({ files: [{ length: 0, path: ['e'] }], info: { pieces: new Uint8Array(0) } }))).toEqual({
      code: 'metainfo/empty', message: 'torrent has no data (total length 0)',
    });
  });

  test('too many files is refused before reading them', async () => {
    const files = Array.from({ length: 500_001 }, () => 0);
    expect(await rejection(v1Torrent({ files }))).toEqual({ code: 'metainfo/too-many-files', message: "'files' in info has 500001 entries (limit 500000)" });
  });
});

describe('structure and types', () => {
  test.each([
    ['missing info', encodeBencode({ announce: 'x' }), 'metainfo/missing-field', "missing 'info'"],
    ['info is a list', encodeBencode({ info: [1] }), 'metainfo/wrong-type', "'info' must be a dictionary, not a list"],
    ['root is a list', encodeBencode([1]), 'metainfo/not-a-dictionary', 'torrent file is not a bencoded dictionary'],
    ['missing name', v1Torrent({ info: { name: undefined } }), 'metainfo/missing-field', "missing 'name' in info"],
    ['missing piece length', v1Torrent({ info: { 'piece length': undefined } }), 'metainfo/missing-field', "missing 'piece length' in info"],
    ['missing pieces', v1Torrent({ info: { pieces: undefined } }), 'metainfo/missing-field', "missing 'pieces' in info"],
    ['no files, no length', v1Torrent({ info: { files: undefined } }), 'metainfo/missing-field', "missing 'length' or 'files' in info"],
    ['files and length', v1Torrent({ info: { length: 5 } }), 'metainfo/conflicting-fields', "info has both 'length' and 'files'"],
    ['file entry is an integer', v1Torrent({ files: [7] }), 'metainfo/wrong-type', 'files[0] must be a dictionary, not an integer'],
    ['length is a string', v1Torrent({ files: [{ length: '5', path: ['a'] }] }), 'metainfo/wrong-type', "'length' in files[0] must be an integer, not a byte string"],
    ['path missing', v1Torrent({ files: [{ length: 5 }] }), 'metainfo/missing-field', "missing 'path' in files[0]"],
    ['meta version 3', v1Torrent({ info: { 'meta version': 3 } }), 'metainfo/unsupported-version', "'meta version' 3 in info is not supported (only 2)"],
    ['announce-list of strings', v1Torrent({ root: { 'announce-list': ['http://a'] } }), 'metainfo/wrong-type', "'announce-list'[0] must be a list, not a byte string"],
    ['url-list integer', v1Torrent({ root: { 'url-list': 5 } }), 'metainfo/wrong-type', "'url-list' must be a byte string or a list"],
  ])('%s', async (_name, bytes, code, message) => {
    expect(await rejection(bytes)).toEqual({ code, message });
  });
});

describe('hostile bencode', () => {
  test('a truncated torrent', async () => {
    const bytes = readFileSync(new URL('../../fixtures/torrents/mktorrent-multi.torrent', import.meta.url));
    expect(await rejection(bytes.subarray(0, 200))).toEqual({ code: 'bencode/truncated', message: expect.stringMatching(/^(byte string at offset \d+ declares \d+ bytes but only \d+ remain|input ends inside .+ at offset 200)$/) });
  });

  test('100000 nested lists inside info', async () => {
    const bytes = utf8(`d4:infod4:name1:x4:nestl${'l'.repeat(100_000)}${'e'.repeat(100_001)}ee`);
    expect(await rejection(bytes)).toEqual({ code: 'bencode/too-deep', message: 'nesting deeper than 100 at offset 121' });
  });

  test('a huge declared string length', async () => {
    expect(await rejection(utf8('d4:infod4:name9999999999999:xee'))).toEqual({
      code: 'bencode/truncated', message: 'byte string at offset 14 declares 9999999999999 bytes but only 3 remain',
    });
  });

  test('trailing garbage after the torrent', async () => {
    const bytes = new Uint8Array([...v1Torrent(), 0x0a]);
    expect(await rejection(bytes)).toEqual({ code: 'bencode/trailing-bytes', message: `1 unexpected bytes after the value ending at offset ${bytes.length - 1}` });
  });
});

describe('v2 and hybrid', () => {
  const files = [{ path: ['a'], length: 1000 }, { path: ['d', 'b'], length: 40000 }];

  test('v2 piece length must be a power of two of at least 16 KiB', async () => {
    const parts = await v2Parts(files);
    expect(await rejection(v2Torrent(parts, { 'piece length': 24576 }))).toEqual({
      code: 'metainfo/bad-piece-length', message: "'piece length' 24576 in info must be a power of two of at least 16384 for v2",
    });
  });

  test('a missing piece layer, a short one, one that does not hash to the root', async () => {
    const parts = await v2Parts(files);
    const [, root] = parts.roots as [Uint8Array, Uint8Array];
    const layer = parts.layers.get(root)!;
    expect(await rejection(v2Torrent(parts, {}, new Map()))).toEqual({ code: 'metainfo/missing-piece-layer', message: "missing piece layer for file 'd/b'" });
    expect(await rejection(v2Torrent(parts, {}, new Map([[root, layer.subarray(32)]])))).toEqual({
      code: 'metainfo/bad-piece-layer', message: "piece layer of file 'd/b' has 64 bytes, expected 96",
    });
    const tampered = layer.slice();
    tampered[5]! ^= 1;
    expect(await rejection(v2Torrent(parts, {}, new Map([[root, tampered]])))).toEqual({
      code: 'metainfo/bad-piece-layer', message: "piece layer of file 'd/b' does not match its pieces root",
    });
  });

  test('file tree shape', async () => {
    const parts = await v2Parts(files);
    expect(await rejection(v2Torrent(parts, { 'file tree': { '..': { '': { length: 1, 'pieces root': new Uint8Array(32) } } } }))).toEqual({
      code: 'metainfo/path-traversal', message: "file path part '..' in 'file tree' is not allowed",
    });
    expect(await rejection(v2Torrent(parts, { 'file tree': { a: { '': { length: 1, 'pieces root': new Uint8Array(31) } } } }))).toEqual({
      code: 'metainfo/bad-pieces-root', message: "'pieces root' in file 'a' has 31 bytes, not 32",
    });
    expect(await rejection(v2Torrent(parts, { 'file tree': { a: { '': { length: 1 } } } }))).toEqual({
      code: 'metainfo/missing-field', message: "missing 'pieces root' in file 'a'",
    });
    expect(await rejection(v2Torrent(parts, { 'file tree': { a: { '': { length: 0 }, b: { '': { length: 0 } } } } }))).toEqual({
      code: 'metainfo/bad-file-tree', message: "'a' in 'file tree' is both a file and a folder",
    });
    expect(await rejection(v2Torrent(parts, { 'file tree': { a: {} } }))).toEqual({
      code: 'metainfo/bad-file-tree', message: "folder 'a' in 'file tree' is empty",
    });
  });

  test('hybrid: the v1 list must match the v2 tree, padding included', async () => {
    const parts = await v2Parts(files);
    const hybrid = (v1files: unknown[], pieces = 4) => v2Torrent(parts, { files: v1files as never, pieces: new Uint8Array(20 * pieces) });
    const pad = (length: number) => ({ attr: 'p', length, path: ['.pad', String(length)] });
    const good = [{ length: 1000, path: ['a'] }, pad(15384), { length: 40000, path: ['d', 'b'] }];
    const ok = await parseMetainfo(hybrid(good), nodeHasher);
    expect(ok.version).toBe('hybrid');
    expect(ok.files.map((f) => [f.path.join('/'), f.offset, f.padding, f.piecesRoot !== undefined])).toEqual([
      ['a', 0, false, true], ['.pad/15384', 1000, true, false], ['d/b', 16384, false, true],
    ]);
    expect(await rejection(hybrid([good[0], pad(15383), good[2]]))).toEqual({
      code: 'metainfo/hybrid-mismatch', message: "hybrid torrent: files[2] 'd/b' starts at 16383 in v1 but v2 aligns it to 16384",
    });
    expect(await rejection(hybrid([good[0], pad(15384 + PIECE), good[2]], 5))).toEqual({
      code: 'metainfo/hybrid-mismatch', message: "hybrid torrent: files[2] 'd/b' starts at 32768 in v1 but v2 aligns it to 16384",
    });
    expect(await rejection(hybrid([good[0], pad(15384), { length: 40000, path: ['d', 'c'] }]))).toEqual({
      code: 'metainfo/hybrid-mismatch', message: "hybrid torrent: files[2] 'd/c' does not match 'd/b' in the v2 file tree",
    });
    expect(await rejection(hybrid([good[0]], 1))).toEqual({
      code: 'metainfo/hybrid-mismatch', message: "hybrid torrent: v2 file 'd/b' is not in the v1 file list",
    });
  });
});
