import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CreateError } from '../../../src/core/create/errors.js';
import { createTorrentFromPath, fsCreateSource, walkPath } from '../../../sidecar/src/create/index.js';
import { nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';
import { createTorrent } from '../../../src/core/create/create.js';
import { writeTree } from './data.js';

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(CreateError);
    return { code: (e as CreateError).code, message: (e as CreateError).message };
  }
  throw new Error('expected a CreateError');
}

describe('walkPath', () => {
  it('lists a folder part by part in byte order, following symlinks, leaving out empty folders', async () => {
    const root = writeTree({ 'top/a-b': 3, 'top/a/x': 4, 'top/B': 1, 'top/é': 2, 'top/.hidden': 5, 'top/a/y/z': 6 });
    mkdirSync(join(root, 'top', 'empty-folder'));
    writeFileSync(join(root, 'outside.bin'), 'linked');
    symlinkSync(join(root, 'outside.bin'), join(root, 'top', 'link'));
    const walked = await walkPath(join(root, 'top'));
    expect(walked.name).toBe('top');
    expect(walked.singleFile).toBe(false);
    expect(walked.files).toEqual([
      { path: ['.hidden'], length: 5 },
      { path: ['B'], length: 1 },
      { path: ['a', 'x'], length: 4 },
      { path: ['a', 'y', 'z'], length: 6 },
      { path: ['a-b'], length: 3 },
      { path: ['link'], length: 6 },
      { path: ['é'], length: 2 },
    ]);
    expect(walked.absolutePaths[5]).toBe(join(root, 'top', 'link'));
  });

  it('treats a file as a single-file torrent named after it', async () => {
    const root = writeTree({ 'movie.mkv': 10 });
    expect(await walkPath(join(root, 'movie.mkv'))).toEqual({
      name: 'movie.mkv',
      singleFile: true,
      files: [{ path: ['movie.mkv'], length: 10 }],
      absolutePaths: [join(root, 'movie.mkv')],
    });
  });

  it('reports a missing path and a symlink loop', async () => {
    const root = writeTree({ 'd/f': 1 });
    expect(await errorOf(walkPath(join(root, 'nope')))).toEqual({
      code: 'create/not-found',
      message: `'${join(root, 'nope')}' does not exist`,
    });
    symlinkSync(join(root, 'd'), join(root, 'd', 'loop'));
    expect(await errorOf(walkPath(join(root, 'd')))).toEqual({
      code: 'create/symlink-loop',
      message: `'${join(root, 'd', 'loop')}' links back to a folder that contains it`,
    });
  });
});

describe('fsCreateSource', () => {
  it('fails with a typed error when a file shrinks after it was listed', async () => {
    const root = writeTree({ 'd/a': 40_000, 'd/b': 40_000 });
    const walked = await walkPath(join(root, 'd'));
    truncateSync(join(root, 'd', 'b'), 39_999);
    const source = fsCreateSource(walked.absolutePaths);
    const err = await errorOf(
      createTorrent({ name: 'd', files: walked.files, singleFile: false, pieceLength: 16384 }, source, nodeHasher),
    );
    await source.close();
    expect(err).toEqual({ code: 'create/short-read', message: `'${join(root, 'd', 'b')}' got shorter while it was being hashed` });
  });

  it('reads the same bytes through read() as through readInto()', async () => {
    const root = writeTree({ 'f': 70_000 });
    const source = fsCreateSource([join(root, 'f')]);
    const viaRead = await source.read(0, 1000, 50_000);
    const viaInto = new Uint8Array(50_000);
    await source.readInto!(0, 1000, viaInto);
    await source.close();
    expect(viaRead).toEqual(viaInto);
  });
});

describe('createTorrentFromPath', () => {
  it('gives the same torrent on the worker pool as on the calling thread, past the pool threshold', async () => {
    const root = writeTree({ 'big/one.bin': 9 * 1024 * 1024 + 17, 'big/two.bin': 8 * 1024 * 1024 });
    const path = join(root, 'big');
    const pooled = await createTorrentFromPath(path, { hybrid: true, workers: 2 });
    const inline = await createTorrentFromPath(path, { hybrid: true, workers: 0 });
    expect(Buffer.from(pooled.torrent).equals(Buffer.from(inline.torrent))).toBe(true);
    expect(pooled.magnet).toBe(inline.magnet);
  });

  it('names the torrent as asked', async () => {
    const root = writeTree({ 'x.bin': 5 });
    const made = await createTorrentFromPath(join(root, 'x.bin'), { name: 'renamed.bin' });
    expect(made.magnet).toContain('&dn=renamed.bin');
  });
});
