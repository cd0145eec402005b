import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';
import { SluiceError } from '../../../src/core/errors.js';
import { parseMetainfo } from '../../../src/core/metainfo/index.js';

// Whatever the bytes, parseMetainfo resolves or rejects with a SluiceError: never a TypeError,
// a RangeError or a stack overflow.

const dir = new URL('../../fixtures/torrents/', import.meta.url);
const fixtures = Object.keys(JSON.parse(readFileSync(new URL('hashes.json', dir), 'utf8')) as object)
  .map((name) => new Uint8Array(readFileSync(new URL(name, dir))));

async function onlySluiceErrors(bytes: Uint8Array): Promise<void> {
  try {
    const m = await parseMetainfo(bytes, nodeHasher);
    expect(m.infoBytes.length).toBeLessThanOrEqual(bytes.length);
  } catch (e) {
    if (!(e instanceof SluiceError)) throw e;
  }
}

test('random bytes', async () => {
  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), onlySluiceErrors), { numRuns: 1000 });
});

test('real torrents with bytes flipped, cut or spliced', async () => {
  const mutation = fc.record({
    file: fc.nat(fixtures.length - 1),
    edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
    cut: fc.option(fc.nat()),
  });
  await fc.assert(fc.asyncProperty(mutation, async ({ file, edits, cut }) => {
    const bytes = fixtures[file]!.slice();
    for (const [at, value] of edits) bytes[at % bytes.length] = value;
    await onlySluiceErrors(cut === null ? bytes : bytes.subarray(0, cut % bytes.length));
  }), { numRuns: 1500 });
});

test('the fixtures themselves parse', async () => {
  for (const bytes of fixtures) await expect(parseMetainfo(bytes, nodeHasher)).resolves.toBeTruthy();
});
