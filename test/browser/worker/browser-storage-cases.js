// Cases only a browser can run, beside the contract suites: the OPFS layout and File hand-off, the
// IndexedDB Blob, the chooser, and the quota steps the Node test drives (it sets the quota between
// them over the DevTools protocol). Plain JavaScript: test/ is type-checked without DOM types.
import { describe, expect, it } from 'vitest';
import { chooseStorage, indexedDbStorage, opfsStorage } from '../../../src/browser/storage/index.ts';
import { StorageError } from '../../../src/core/storage/errors.ts';
import { fileBytes, FIXTURE_ID, makeFixture, multiFixture, MULTI, pieceBytes } from '../../contracts/storage-layouts.ts';
import { storageErrorCode } from '../../contracts/storage.contract.ts';

let places = 0;
/** A fresh folder for each OPFS factory, so cases never see each other's files. */
export async function freshOpfsFolder(label) {
  const root = await navigator.storage.getDirectory();
  return (await root.getDirectoryHandle(label, { create: true })).getDirectoryHandle(String(++places), { create: true });
}

async function entryAt(folder, parts) {
  let dir = folder;
  for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part);
  return dir.getFileHandle(parts[parts.length - 1]);
}

async function bytesOf(blob) {
  return new Uint8Array(await blob.arrayBuffer());
}

/** Where two byte arrays first differ (-1: equal). Deep equality over 1 MiB arrays takes expect() many seconds. */
function firstDifference(actual, expected) {
  if (actual === null) return 0;
  if (actual.length !== expected.length) return Math.min(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) if (actual[i] !== expected[i]) return i;
  return -1;
}

async function writeAll(store, fixture) {
  for (let i = 0; i < fixture.layout.pieceCount; i++) await store.writePiece(i, pieceBytes(fixture, i));
}

describe('OPFS store', () => {
  it('lays the torrent out as its files under <id>/files, and hands a finished file over as the File itself', async () => {
    const folder = await freshOpfsFolder('layout');
    const fixture = multiFixture();
    const store = await opfsStorage({ directory: folder }).open(fixture.layout, { id: FIXTURE_ID });
    await writeAll(store, fixture);
    await store.flush();
    const onDisk = await (await entryAt(folder, [FIXTURE_ID, 'files', 'multi', 'dir', 'b.bin'])).getFile();
    expect(await bytesOf(onDisk)).toEqual(fileBytes(fixture, MULTI.b));
    const blob = await store.fileBlob(MULTI.b);
    expect(blob).toBeInstanceOf(File);
    expect(blob.name).toBe('b.bin');
    expect(await bytesOf(blob)).toEqual(fileBytes(fixture, MULTI.b));
    expect(await store.fileBlob(MULTI.emptyInDir).then((b) => b.size)).toBe(0);
    await store.close();
  });

  it('keeps unwanted bytes aside, not in a file, and removes the torrent folder with its data', async () => {
    const folder = await freshOpfsFolder('delete');
    const fixture = multiFixture();
    const wanted = fixture.layout.files.map((_, i) => i !== MULTI.b);
    const store = await opfsStorage({ directory: folder }).open(fixture.layout, { id: FIXTURE_ID, wanted });
    await writeAll(store, fixture);
    expect(await store.fileBlob(MULTI.b)).toBeNull();
    const aside = [];
    for await (const name of (await (await folder.getDirectoryHandle(FIXTURE_ID)).getDirectoryHandle('aside')).keys()) aside.push(name);
    expect(aside.sort()).toEqual(['0', '1', '2']); // b.bin is bytes 10..47 of piece space: pieces 0 to 2
    await store.deleteData();
    const left = [];
    for await (const name of folder.keys()) left.push(name);
    expect(left).toEqual([]);
  });

  it('refuses torrent paths that are not plain names', async () => {
    const folder = await freshOpfsFolder('paths');
    for (const bad of [['..', 'x.bin'], ['a\\b'], ['.'], ['nul\0byte']]) {
      const fixture = makeFixture('evil', 'v1', 16, [{ path: ['ok.bin'], length: 4 }, { path: bad, length: 4 }]);
      expect(await storageErrorCode(opfsStorage({ directory: folder }).open(fixture.layout, { id: FIXTURE_ID })), bad.join('/')).toBe('storage/bad-path');
    }
    const evilName = makeFixture('..', 'v1', 16, [{ path: ['x.bin'], length: 4 }]);
    expect(await storageErrorCode(opfsStorage({ directory: folder }).open(evilName.layout, { id: FIXTURE_ID }))).toBe('storage/bad-path');
    expect(await storageErrorCode(opfsStorage({ directory: folder }).open(multiFixture().layout, { id: '../x' }))).toBe('storage/bad-path');
    const left = [];
    for await (const name of folder.keys()) left.push(name);
    expect(left).toEqual([]);
  });
});

describe('IndexedDB store', () => {
  it('hands a finished file over as a Blob of its bytes, and none while a piece is missing', async () => {
    const fixture = multiFixture();
    const store = await indexedDbStorage({ databaseName: `blob-${++places}` }).open(fixture.layout, { id: FIXTURE_ID });
    for (let i = 0; i < 4; i++) await store.writePiece(i, pieceBytes(fixture, i));
    expect(await bytesOf(await store.fileBlob(MULTI.b))).toEqual(fileBytes(fixture, MULTI.b));
    expect(await store.fileBlob(MULTI.d)).toBeNull(); // piece 4 is not there
    await store.writePiece(4, pieceBytes(fixture, 4));
    expect(await bytesOf(await store.fileBlob(MULTI.d))).toEqual(fileBytes(fixture, MULTI.d));
    await store.close();
  });
});

describe('choosing a store', () => {
  it('picks OPFS in a dedicated worker that has sync access handles', () => {
    expect('createSyncAccessHandle' in FileSystemFileHandle.prototype).toBe(true);
    expect(chooseStorage().kind).toBe('opfs');
    expect(chooseStorage({ memory: true }).kind).toBe('memory');
  });
});

/**
 * 1 MiB pieces of one 96 MiB file; the Node test gives the origin 6 MiB of quota above its usage
 * first. Chromium accounts IndexedDB Blob bytes against the quota lazily, so a run of fast writes can
 * overshoot the quota by tens of MiB before one fails: the file is large enough that one does.
 */
const QUOTA_FIXTURE = makeFixture('quota.bin', 'v1', 1 << 20, [{ path: ['quota.bin'], length: 96 << 20 }], true, 9);
const quotaState = new Map();

function quotaCases(label, makeFactory) {
  describe(`quota > ${label}`, () => {
    it('fails a write beyond the quota as storage/disk-full, keeping every piece written before', async () => {
      const store = await (await makeFactory()).open(QUOTA_FIXTURE.layout, { id: FIXTURE_ID });
      let failed = -1;
      for (let i = 0; i < QUOTA_FIXTURE.layout.pieceCount && failed < 0; i++) {
        try {
          await store.writePiece(i, pieceBytes(QUOTA_FIXTURE, i));
        } catch (error) {
          expect(error).toBeInstanceOf(StorageError);
          expect(error.code).toBe('storage/disk-full');
          expect(error.message).toMatch(/^the browser's storage quota for this site is used up \(writing piece \d+\); free space or remove torrents, then resume$/);
          failed = i;
        }
      }
      expect(failed, 'a write failed before the torrent fit').toBeGreaterThan(0);
      for (let i = 0; i < failed; i++) expect(firstDifference(await store.readPiece(i), pieceBytes(QUOTA_FIXTURE, i)), `piece ${i}`).toBe(-1);
      quotaState.set(label, { store, failed });
    });

    it('writes the failed piece once there is room again', async () => {
      const { store, failed } = quotaState.get(label);
      await store.writePiece(failed, pieceBytes(QUOTA_FIXTURE, failed));
      for (let i = 0; i <= failed; i++) expect(firstDifference(await store.readPiece(i), pieceBytes(QUOTA_FIXTURE, i)), `piece ${i}`).toBe(-1);
      await store.deleteData();
    });
  });
}

quotaCases('OPFS', async () => opfsStorage({ directory: await freshOpfsFolder('quota') }));
quotaCases('IndexedDB', async () => indexedDbStorage({ databaseName: `quota-${++places}` }));
