import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startNodeSession, type NodeSession } from '../../sidecar/src/engine/node-session.js';
import { readAheadFor } from '../../src/core/stream/stream-deadlines.js';
import type { Torrent } from '../../src/core/engine/torrent.js';
import { startWebTorrent, stopAllWebTorrent, type WebTorrentLine } from '../helpers/webtorrent.js';
import { cleanTemps, tempDir, writeFolder } from './fixture.js';

const PIECE = 64 * 1024;
const BLOCK = 16 * 1024;
const SIZE = 8 * 1024 * 1024;
/** webtorrent's upload limit: its blocks queue in a throttled stream, as they do behind a slow uplink. */
const SEEDER_RATE = 400_000;

let node: NodeSession | null = null;
afterEach(async () => {
  await node?.close(100);
  node = null;
  await stopAllWebTorrent();
  cleanTemps();
});

/** Resolves once `done()` holds, looking every 20 ms (gives up after `giveUpMs`). */
async function until(done: () => boolean, giveUpMs = 60_000): Promise<void> {
  const stop = Date.now() + giveUpMs;
  while (!done()) {
    if (Date.now() > stop) throw new Error('gave up waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Reads the first chunk of a stream from `start`; returns it and the bytes downloaded meanwhile. */
async function firstChunk(torrent: Torrent, start: number) {
  const stream = torrent.readStream(0, { start, ...readAheadFor(PIECE) });
  const before = torrent.status().downloaded;
  const next = await stream.next();
  const downloaded = torrent.status().downloaded - before;
  if (next.done === true) throw new Error('the stream ended without a chunk');
  return { stream, chunk: next.value, downloaded };
}

describe('streaming from a webtorrent seeder, which ignores CANCEL', () => {
  it('a seek to 80% waits behind a few ordinary blocks, not the pipeline (webtorrent over TCP, 400 KB/s)', async () => {
    const folder = writeFolder(tempDir('src'), 'movie', { 'movie.bin': SIZE });
    const file = readFileSync(join(folder, 'movie.bin'));
    const torrentPath = join(tempDir('t'), 'movie.torrent');
    const wt = await startWebTorrent({ seed: join(folder, 'movie.bin'), torrentOut: torrentPath, uploadLimit: SEEDER_RATE, pieceLength: PIECE });
    await wt.waitFor((l: WebTorrentLine) => l.type === 'ready');

    const dir = tempDir('leech');
    node = await startNodeSession({ downloadDir: join(dir, 'out'), stateDir: join(dir, 'state'), port: 0, host: '127.0.0.1', dht: false, webrtc: false });
    const torrent = await node.session.addTorrent({ torrent: readFileSync(torrentPath) }, { peers: [`127.0.0.1:${wt.port}`] });
    // Slow start fills the pipeline first: about 3 s of the seeder's rate is queued there.
    await until(() => torrent.status().downloaded >= 1_000_000);

    // The player opens the file at its start...
    const opened = await firstChunk(torrent, 0);
    expect(Buffer.from(opened.chunk).equals(file.subarray(0, PIECE))).toBe(true);
    // ...plays a few seconds of it (by then what was queued before the stream is drained)...
    for (let i = 1; i < 40; i++) {
      const next = await opened.stream.next();
      expect(next.done).toBe(false);
    }
    // ...then seeks to 80%: the old stream ends (its deadlines go), the new one sets its own.
    await opened.stream.return(undefined);
    let piece = Math.floor((SIZE * 0.8) / PIECE);
    while (torrent.hasPiece(piece)) piece++;
    const at = piece * PIECE;
    expect(at + PIECE).toBeLessThanOrEqual(SIZE);
    const seek = await firstChunk(torrent, at);
    await seek.stream.return(undefined);
    expect(Buffer.from(seek.chunk).equals(file.subarray(at, at + PIECE))).toBe(true);

    // Bytes that came before the piece at 80%: the short queue kept while deadlines existed (about
    // 500 ms of the seeder's rate plus 4 ordinary blocks), not the pipeline (3 s, over 1 MB).
    const ahead = seek.downloaded - PIECE;
    console.log(`webtorrent deadlines: ${opened.downloaded} bytes before the first piece at opening, ${ahead} bytes ahead of the piece at 80% after the seek`);
    expect(ahead).toBeLessThanOrEqual(24 * BLOCK);
  }, 120_000);
});
