/**
 * The v1 piece worker's code, run with `new Worker(code, { eval: true })` (a CommonJS script) so it
 * works the same from the compiled sidecar and from TypeScript sources under vitest.
 *
 * It is started before it knows its job, then gets one message (it stays up until terminated):
 * { paths, lengths, pieceLength, chunkPieces, next: Int32Array, pieces: Uint8Array } where `next`
 * and `pieces` are shared memory. It claims chunks of `chunkPieces` whole pieces with
 * Atomics.add(next, 0, 1) (so a worker on a busier core simply takes fewer chunks), reads each
 * chunk with blocking reads into its one reused buffer — across file boundaries, files laid end to
 * end as in BEP 3 — and writes each piece's SHA-1 into `pieces`. Replies: { bytes } after every
 * chunk (progress), then { done: true }, or { error, code } ('short-read' | 'read-failed').
 */
export const PIECE_WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');
const sha1 = typeof crypto.hash === 'function'
  ? (data) => crypto.hash('sha1', data, 'buffer')
  : (data) => crypto.createHash('sha1').update(data).digest();
class Fail extends Error { constructor(code, message) { super(message); this.code = code; } }
parentPort.on('message', (job) => {
  const { paths, lengths, pieceLength, chunkPieces, next, pieces } = job;
  const starts = new Array(lengths.length + 1);
  starts[0] = 0;
  for (let i = 0; i < lengths.length; i++) starts[i + 1] = starts[i] + lengths[i];
  const total = starts[lengths.length];
  const pieceCount = Math.ceil(total / pieceLength);
  const buffer = new Uint8Array(Math.min(chunkPieces * pieceLength, total));
  let fd = -1;
  let fdIndex = -1;
  const fdFor = (index) => {
    if (fdIndex === index) return fd;
    if (fd >= 0) fs.closeSync(fd);
    fd = -1;
    fdIndex = -1;
    try {
      fd = fs.openSync(paths[index], 'r');
    } catch (error) {
      throw new Fail('read-failed', "cannot open '" + paths[index] + "': " + (error.code || String(error)));
    }
    fdIndex = index;
    return fd;
  };
  // The file holding byte 'at' of piece space: the last file starting at or before it that is not empty.
  const fileAt = (at) => {
    let lo = 0, hi = lengths.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= at) lo = mid; else hi = mid - 1;
    }
    while (lengths[lo] === 0 || starts[lo] + lengths[lo] <= at) lo++;
    return lo;
  };
  const fill = (start, length) => {
    let index = fileAt(start);
    let filled = 0;
    while (filled < length) {
      const offset = start + filled - starts[index];
      const want = Math.min(lengths[index] - offset, length - filled);
      if (want > 0) {
        const handle = fdFor(index);
        let got = 0;
        while (got < want) {
          let n;
          try {
            n = fs.readSync(handle, buffer, filled + got, want - got, offset + got);
          } catch (error) {
            throw new Fail('read-failed', "cannot read '" + paths[index] + "': " + (error.code || String(error)));
          }
          if (n === 0) throw new Fail('short-read', "'" + paths[index] + "' got shorter while it was being hashed");
          got += n;
        }
        filled += want;
      }
      index++;
    }
  };
  try {
    for (;;) {
      const first = Atomics.add(next, 0, 1) * chunkPieces;
      if (first >= pieceCount) break;
      const end = Math.min(first + chunkPieces, pieceCount);
      const start = first * pieceLength;
      const length = Math.min(end * pieceLength, total) - start;
      fill(start, length);
      for (let p = first; p < end; p++) {
        const from = (p - first) * pieceLength;
        pieces.set(sha1(buffer.subarray(from, Math.min(from + pieceLength, length))), p * 20);
      }
      parentPort.postMessage({ bytes: length });
    }
    if (fd >= 0) fs.closeSync(fd);
    parentPort.postMessage({ done: true });
  } catch (error) {
    try { if (fd >= 0) fs.closeSync(fd); } catch {}
    parentPort.postMessage({ error: String(error && error.message || error), code: error && error.code });
  }
});
`;
