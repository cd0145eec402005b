// Decoder throughput: 64 MiB of 16 KiB piece messages (with a have after every 8th) cut into socket-sized
// chunks, decoded by Sluice's WireDecoder and, as the anchor, by bittorrent-protocol's Wire parser (the one
// WebTorrent uses) in the same run. Needs the compiled core: `npx tsc -b src/core` first.
// Usage: node bench/wire-decode.mjs
import { WireDecoder } from '../build/src/core/wire/decoder.js';
import { encodeHandshake, encodeMessage, encodePieceHeader } from '../build/src/core/wire/encode.js';
import { createReserved } from '../build/src/core/wire/reserved.js';

const BLOCK = 16 * 1024;
const TOTAL = 64 * 1024 * 1024;

function buildStream() {
  const parts = [encodeHandshake({ reserved: createReserved({ extended: true, fast: true }), infoHash: new Uint8Array(20).fill(1), peerId: new Uint8Array(20).fill(2) })];
  const block = new Uint8Array(BLOCK).fill(7);
  for (let i = 0; i * BLOCK < TOTAL; i++) {
    parts.push(encodePieceHeader(i >> 4, (i & 15) * BLOCK, BLOCK), block);
    if (i % 8 === 0) parts.push(encodeMessage({ type: 'have', index: i }));
  }
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function chunks(stream, size) {
  const out = [];
  for (let at = 0; at < stream.length; at += size) out.push(stream.slice(at, at + size));
  return out;
}

function time(fn) {
  fn(); // warm up
  const runs = 5;
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) fn();
  return Number(process.hrtime.bigint() - start) / 1e9 / runs;
}

const stream = buildStream();
const mib = stream.length / 1024 / 1024;
let anchor = null;
try {
  anchor = (await import('bittorrent-protocol')).default;
} catch {
  console.log('bittorrent-protocol is not installed: no anchor');
}

for (const chunkSize of [1460, 16 * 1024, 64 * 1024 + 17]) {
  const parts = chunks(stream, chunkSize);
  const sluice = time(() => {
    const decoder = new WireDecoder();
    let pieces = 0;
    const out = [];
    for (const c of parts) {
      out.length = 0;
      for (const m of decoder.push(c, out)) if (m.type === 'piece') pieces++;
    }
    if (pieces !== TOTAL / BLOCK) throw new Error(`sluice decoded ${pieces} pieces`);
  });
  let line = `chunks of ${chunkSize} B: sluice ${(mib / sluice).toFixed(0)} MiB/s`;
  if (anchor) {
    const theirs = time(() => {
      const wire = new anchor();
      let pieces = 0;
      wire.on('piece', () => pieces++);
      wire.on('error', () => {});
      const noop = () => {};
      for (const c of parts) wire._write(c, noop);
      wire.destroy();
      if (pieces !== TOTAL / BLOCK) throw new Error(`bittorrent-protocol decoded ${pieces} pieces`);
    });
    line += `, bittorrent-protocol ${(mib / theirs).toFixed(0)} MiB/s, ratio ${(theirs / sluice).toFixed(1)}x`;
  }
  console.log(line);
}
