import { hashClaimedChunks } from './piece-chunks.js';

/**
 * The v1 piece worker's code, run with `new Worker(code, { eval: true })` (a CommonJS script) so it
 * works the same from the compiled sidecar and from TypeScript sources under vitest. It embeds
 * hashClaimedChunks's source text, so worker and calling thread run the same code.
 *
 * It is started before it knows its job and stays up until terminated; it gets one message, a
 * ChunkJob (its `next` and `pieces` in shared memory). Replies: { bytes } after every chunk
 * (progress), then { done: true }, or { error, code } (code 'short-read' | 'read-failed' or none).
 */
export const PIECE_WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');
const hashClaimedChunks = ${hashClaimedChunks.toString()};
const deps = {
  openSync: fs.openSync,
  readSync: fs.readSync,
  closeSync: fs.closeSync,
  sha1: typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha1', data, 'buffer')
    : (data) => crypto.createHash('sha1').update(data).digest(),
  fail: (code, message) => Object.assign(new Error(message), { code }),
};
parentPort.on('message', (job) => {
  try {
    hashClaimedChunks(job, deps, (bytes) => parentPort.postMessage({ bytes }));
    parentPort.postMessage({ done: true });
  } catch (error) {
    parentPort.postMessage({ error: String((error && error.message) || error), code: error && error.code });
  }
});
`;
