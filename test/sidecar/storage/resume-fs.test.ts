import { mkdtemp, rm, unlink, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { checkResume } from '../../../src/core/resume/check.js';
import { decodeResume, encodeResume } from '../../../src/core/resume/resume-data.js';
import { Bitfield } from '../../../src/core/util/bitfield.js';
import { fsStorage } from '../../../sidecar/src/storage/fs-store.js';
import { FIXTURE_ID, multiFixture, pieceBytes } from '../../contracts/storage-layouts.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

it('trusts pieces on untouched files after a restart and rechecks the ones on files changed meanwhile', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-resume-'));
  dirs.push(dir);
  const fixture = multiFixture();
  const { layout } = fixture;
  const factory = fsStorage({ directory: dir });
  const store = await factory.open(layout, { id: FIXTURE_ID });
  for (let i = 0; i < layout.pieceCount; i++) await store.writePiece(i, pieceBytes(fixture, i));
  await store.flush();
  const saved = encodeResume({
    version: 2,
    infoHash: FIXTURE_ID,
    pieceCount: layout.pieceCount,
    location: store.location,
    have: Bitfield.full(layout.pieceCount).toWire(),
    files: await store.fileStates(),
    peers: ['127.0.0.1:6881'],
    filePriorities: layout.files.map(() => 4),
    sequential: false,
    savedAt: 1,
  });
  await store.close();

  const reopened = await factory.open(layout, { id: FIXTURE_ID });
  const clean = checkResume(decodeResume(saved), { infoHash: FIXTURE_ID, location: reopened.location, layout, files: await reopened.fileStates() });
  expect(clean.valid).toBe(true);
  expect(clean.trusted.hasAll()).toBe(true);
  await reopened.close();

  // Someone edits dir/b.bin (pieces 0..2) and deletes d.bin (pieces 3..4) while we are not running.
  await utimes(join(dir, 'multi', 'dir', 'b.bin'), new Date(2001, 1, 1), new Date(2001, 1, 1));
  await unlink(join(dir, 'multi', 'd.bin'));
  const again = await factory.open(layout, { id: FIXTURE_ID });
  const changed = checkResume(decodeResume(saved), { infoHash: FIXTURE_ID, location: again.location, layout, files: await again.fileStates() });
  expect(changed.valid).toBe(false);
  expect(changed.recheck).toEqual([0, 1, 2, 3, 4]);
  // The recheck reads what is there: b.bin's pieces are intact, d.bin's are gone.
  expect(await again.readPiece(1)).toEqual(pieceBytes(fixture, 1));
  expect(await again.readPiece(4)).toBeNull();
  await again.close();
});
