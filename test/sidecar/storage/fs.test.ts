import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fsStorage } from '../../../sidecar/src/storage/fs-store.js';
import { openFile, type OpenFile } from '../../../sidecar/src/storage/file-io.js';
import { storageContract, storageErrorCode } from '../../contracts/storage.contract.js';
import {
  allFixtures,
  FIXTURE_ID,
  fileBytes,
  makeFixture,
  MULTI,
  multiFixture,
  paddedFixture,
  pieceBytes,
  shuffled,
  singleFixture,
  type StorageFixture,
} from '../../contracts/storage-layouts.js';

const dirs: string[] = [];
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-fs-store-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Every file under `dir`, as relative paths with '/' separators, sorted. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

function diskPath(dir: string, fixture: StorageFixture, fileIndex: number): string {
  const { layout } = fixture;
  const file = layout.files[fileIndex]!;
  return layout.singleFile ? join(dir, ...file.path) : join(dir, layout.name, ...file.path);
}

async function writeAll(factory: ReturnType<typeof fsStorage>, fixture: StorageFixture, wanted?: boolean[]) {
  const store = await factory.open(fixture.layout, { id: FIXTURE_ID, ...(wanted ? { wanted } : {}) });
  for (const i of shuffled(fixture.layout.pieceCount)) await store.writePiece(i, pieceBytes(fixture, i));
  return store;
}

storageContract('node filesystem', async () => fsStorage({ directory: await freshDir(), maxOpenFiles: 2 }), { persistent: true });

describe('filesystem store on disk', () => {
  for (const [label, fixture] of allFixtures()) {
    it(`lays out ${label} as the torrent's files, byte for byte, with no padding files`, async () => {
      const dir = await freshDir();
      const store = await writeAll(fsStorage({ directory: dir }), fixture);
      await store.close();
      const expected = fixture.layout.files
        .map((f, i) => ({ f, i }))
        .filter(({ f }) => !f.padding)
        .map(({ i }) => relative(dir, diskPath(dir, fixture, i)).split('\\').join('/'))
        .sort();
      expect(await tree(dir)).toEqual(expected);
      for (let i = 0; i < fixture.layout.files.length; i++) {
        if (fixture.layout.files[i]!.padding) continue;
        expect(new Uint8Array(await readFile(diskPath(dir, fixture, i))), `file ${i}`).toEqual(fileBytes(fixture, i));
      }
    });
  }

  it('puts a single-file torrent directly in the download folder', async () => {
    const dir = await freshDir();
    const fixture = singleFixture();
    await (await writeAll(fsStorage({ directory: dir }), fixture)).close();
    expect(await tree(dir)).toEqual(['single.bin']);
  });

  it('keeps bytes of unwanted files in the part file, and drops it once they move out', async () => {
    const dir = await freshDir();
    const fixture = multiFixture();
    const wanted = fixture.layout.files.map((_, i) => i !== MULTI.b);
    const factory = fsStorage({ directory: dir });
    const store = await writeAll(factory, fixture, wanted);
    await store.flush();
    const partName = `.${FIXTURE_ID}.parts`;
    expect(await tree(dir)).toEqual([partName, 'multi/a.bin', 'multi/d.bin', 'multi/dir/e.txt', 'multi/dir/sub/c.bin', 'multi/empty.txt']);
    // Slots of pieces 0..2 (b.bin spans them): header 16 bytes + 3 x (8 + 16).
    expect((await readFile(join(dir, partName))).length).toBe(16 + 3 * 24);
    await store.setFileWanted(MULTI.b, true);
    expect(await tree(dir)).toEqual(['multi/a.bin', 'multi/d.bin', 'multi/dir/b.bin', 'multi/dir/e.txt', 'multi/dir/sub/c.bin', 'multi/empty.txt']);
    expect(new Uint8Array(await readFile(diskPath(dir, fixture, MULTI.b)))).toEqual(fileBytes(fixture, MULTI.b));
    await store.close();
  });

  it('deleteData leaves the download folder as it found it, other people\'s files included', async () => {
    const dir = await freshDir();
    const fixture = multiFixture();
    const store = await writeAll(fsStorage({ directory: dir }), fixture, fixture.layout.files.map((_, i) => i !== MULTI.d));
    await readdir(join(dir, 'multi')); // exists
    await symlink('/dev/null', join(dir, 'someone-elses-file'));
    await store.deleteData();
    expect(await tree(dir)).toEqual(['someone-elses-file']);
  });

  it('refuses a path that escapes the download folder', async () => {
    const dir = await freshDir();
    const escaping = makeFixture('t', 'v1', 16, [{ path: ['ok.bin'], length: 4 }, { path: ['..', '..', 'evil.bin'], length: 4 }]);
    expect(await storageErrorCode(fsStorage({ directory: dir }).open(escaping.layout, { id: FIXTURE_ID }))).toBe('storage/bad-path');
    const single = makeFixture('../evil.bin', 'v1', 16, [{ path: ['../evil.bin'], length: 4 }], true);
    expect(await storageErrorCode(fsStorage({ directory: dir }).open(single.layout, { id: FIXTURE_ID }))).toBe('storage/bad-path');
    const named = makeFixture('..', 'v1', 16, [{ path: ['a.bin'], length: 4 }]);
    expect(await storageErrorCode(fsStorage({ directory: dir }).open(named.layout, { id: FIXTURE_ID }))).toBe('storage/bad-path');
    expect(await storageErrorCode(fsStorage({ directory: dir }).open(multiFixture().layout, { id: '../x' }))).toBe('storage/bad-path');
    expect(await tree(dir)).toEqual([]);
  });

  it('reports a full disk as storage/disk-full (/dev/full behind a single-file torrent)', async () => {
    const dir = await freshDir();
    const fixture = singleFixture();
    await symlink('/dev/full', join(dir, 'single.bin'));
    const store = await fsStorage({ directory: dir }).open(fixture.layout, { id: FIXTURE_ID });
    expect(await storageErrorCode(store.writePiece(0, pieceBytes(fixture, 0)))).toBe('storage/disk-full');
    await store.close();
  });

  it('loses nothing stored before a write that hits a full disk, and writes again once there is room', async () => {
    const dir = await freshDir();
    const fixture = multiFixture();
    let full = false;
    const failing: OpenFile = async (path, flags) => {
      const handle = await openFile(path, flags);
      if (!path.endsWith('d.bin')) return handle;
      return {
        read: (...args) => handle.read(...args),
        write: async (...args) => {
          if (full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          return handle.write(...args);
        },
        truncate: (length) => handle.truncate(length),
        sync: () => handle.sync(),
        close: () => handle.close(),
      };
    };
    const store = await fsStorage({ directory: dir, openFile: failing }).open(fixture.layout, { id: FIXTURE_ID });
    for (const i of [0, 1, 2]) await store.writePiece(i, pieceBytes(fixture, i));
    full = true;
    const error = store.writePiece(4, pieceBytes(fixture, 4)).catch((e: unknown) => e);
    expect(await storageErrorCode(Promise.reject(await error))).toBe('storage/disk-full');
    expect(((await error) as Error).message).toBe('disk full while writing piece 4');
    for (const i of [0, 1, 2]) expect(await store.readPiece(i)).toEqual(pieceBytes(fixture, i));
    full = false;
    await store.writePiece(4, pieceBytes(fixture, 4));
    await store.writePiece(3, pieceBytes(fixture, 3));
    for (let i = 0; i < 5; i++) expect(await store.readPiece(i)).toEqual(pieceBytes(fixture, i));
    await store.close();
  });

  it('creates files at their full size (sparse), so a file\'s size is settled from the first write', async () => {
    const dir = await freshDir();
    const fixture = paddedFixture();
    const store = await fsStorage({ directory: dir }).open(fixture.layout, { id: FIXTURE_ID });
    await store.writePiece(3, pieceBytes(fixture, 3)); // the first 16 bytes of f3.bin (30 bytes)
    expect((await store.fileStates())[4]?.size).toBe(30);
    expect(await store.readPiece(3)).toEqual(pieceBytes(fixture, 3));
    await store.close();
  });

  it('serves many files through a handle cache of one', async () => {
    const dir = await freshDir();
    const files = Array.from({ length: 40 }, (_, i) => ({ path: [`f${i}.bin`], length: 3 + (i % 5) }));
    const fixture = makeFixture('many', 'v1', 16, files, false, 11);
    const factory = fsStorage({ directory: dir, maxOpenFiles: 1 });
    const store = await factory.open(fixture.layout, { id: FIXTURE_ID });
    await Promise.all(shuffled(fixture.layout.pieceCount).map((i) => store.writePiece(i, pieceBytes(fixture, i))));
    await store.close();
    const again = await factory.open(fixture.layout, { id: FIXTURE_ID });
    await Promise.all(shuffled(fixture.layout.pieceCount).map(async (i) => expect(await again.readPiece(i)).toEqual(pieceBytes(fixture, i))));
    await again.close();
    for (let i = 0; i < files.length; i++) {
      expect(new Uint8Array(await readFile(diskPath(dir, fixture, i)))).toEqual(fileBytes(fixture, i));
    }
  });

  it('discards a part file that is not ours and starts a fresh one', async () => {
    const dir = await freshDir();
    const fixture = multiFixture();
    const partPath = join(dir, `.${FIXTURE_ID}.parts`);
    await writeFile(partPath, 'not a part file at all, just some bytes');
    const wanted = fixture.layout.files.map((_, i) => i !== MULTI.b);
    const store = await fsStorage({ directory: dir }).open(fixture.layout, { id: FIXTURE_ID, wanted });
    expect(await store.readPiece(1)).toBeNull();
    await store.writePiece(1, pieceBytes(fixture, 1)); // wholly inside b.bin: part file only
    expect(await store.readPiece(1)).toEqual(pieceBytes(fixture, 1));
    expect((await readFile(partPath)).subarray(0, 8).toString()).toBe('SLPARTS1');
    await store.close();
  });
});
