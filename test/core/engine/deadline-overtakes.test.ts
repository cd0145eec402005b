import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../../src/core/util/bytes.js';
import { makeTorrent, recordingStorage, seededStorage, SimNet } from '../../helpers/engine.js';

const PIECE = 64 * 1024;
const BLOCK = 16 * 1024;

describe('a streaming reader behind a full pipeline', () => {
  it('gets the last piece of a file after a bounded number of ordinary bytes from a seeder limited to 200 KB/s', async () => {
    const size = 8 * 1024 * 1024;
    const t = await makeTorrent([{ path: ['movie.bin'], length: size }], { pieceLength: PIECE, name: 'movie.bin' });
    const net = new SimNet();
    const seeder = net.session('seeder', { storage: seededStorage(t), settings: { uploadRateLimit: 200_000 } });
    await seeder.addTorrent({ torrent: t.bytes });
    const leecher = net.session('leecher', { storage: recordingStorage() });
    const torrent = await leecher.addTorrent({ torrent: t.bytes }, { peers: ['seeder:1'] });
    // Let slow start fill the pipeline: seconds of ordinary requests are queued at the seeder.
    await net.run(() => torrent.status().downloaded >= 1_500_000, { stepMs: 20 });

    const lastPieceStart = (t.metainfo.pieceCount - 1) * PIECE;
    const startedAt = torrent.status().downloaded;
    let firstChunkAt: number | null = null;
    const chunks: Uint8Array[] = [];
    const reading = (async () => {
      for await (const chunk of torrent.readStream(0, { start: lastPieceStart, end: size, readAhead: 0 })) {
        firstChunkAt ??= torrent.status().downloaded;
        chunks.push(chunk);
      }
    })();
    await net.run(() => firstChunkAt !== null, { stepMs: 20 });
    await net.run(() => chunks.reduce((n, c) => n + c.length, 0) === size - lastPieceStart, { stepMs: 20 });
    await reading;
    expect(Buffer.from(concatBytes(chunks)).equals(Buffer.from(t.files[0]!.subarray(lastPieceStart)))).toBe(true);
    // Bytes that arrived between the reader starting and its bytes: the piece itself plus what was
    // already on its way (a few blocks), not the seconds of requests that were queued (measured: 32 KiB;
    // 1 687 552 bytes before deadlines could overtake).
    const ordinary = firstChunkAt! - startedAt - PIECE;
    expect(ordinary).toBeLessThanOrEqual(8 * BLOCK);
  });
});
