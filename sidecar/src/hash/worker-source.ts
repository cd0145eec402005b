/**
 * The hash worker's code, run with `new Worker(code, { eval: true })` (a CommonJS script), so the
 * pool works the same from the compiled sidecar and from TypeScript sources under vitest.
 * Requests: { id, algorithm, data, blockSize } (blockSize 0 = one digest). Replies: { id, out } with
 * `out` transferred, or { id, error }.
 */
export const HASH_WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const SIZE = { sha1: 20, sha256: 32 };
const one = typeof crypto.hash === 'function'
  ? (algorithm, data) => crypto.hash(algorithm, data, 'buffer')
  : (algorithm, data) => crypto.createHash(algorithm).update(data).digest();
parentPort.on('message', ({ id, algorithm, data, blockSize }) => {
  try {
    const size = SIZE[algorithm];
    if (size === undefined) throw new Error('unknown hash algorithm ' + algorithm);
    const step = blockSize > 0 ? blockSize : Math.max(1, data.length);
    const count = blockSize > 0 ? Math.ceil(data.length / step) : 1;
    const out = new Uint8Array(count * size);
    for (let i = 0; i < count; i++) out.set(one(algorithm, data.subarray(i * step, Math.min(data.length, (i + 1) * step))), i * size);
    parentPort.postMessage({ id, out }, [out.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;
