import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../../src/core/util/bytes.js';
import { makeTorrent, recordingStorage, seededStorage, SimNet } from '../../helpers/engine.js';

describe('Torrent.readStream', () => {
  it('yields exactly the requested verified bytes, fetching only the pieces it needs', async () => {
    const t = await makeTorrent(
      [
        { path: ['intro.txt'], length: 5_000 },
        { path: ['movie.bin'], length: 2_000_000 },
      ],
      { pieceLength: 16384 },
    );
    const movieIndex = t.metainfo.files.findIndex((f) => f.path.join('/') === 'movie.bin');
    const movie = t.files[1]!;
    const net = new SimNet();
    const seeder = net.session('seeder', { storage: seededStorage(t), settings: { uploadRateLimit: 400_000 } });
    await seeder.addTorrent({ torrent: t.bytes });
    const leecher = net.session('leecher', { storage: recordingStorage() });
    // Nothing is wanted: only what the reader asks for is fetched.
    const torrent = await leecher.addTorrent({ torrent: t.bytes }, { peers: ['seeder:1'], filePriorities: t.metainfo.files.map(() => 0) });
    const start = 1_234_567;
    const end = 1_400_001;
    const chunks: Uint8Array[] = [];
    let finished = false;
    const reading = (async () => {
      for await (const chunk of torrent.readStream(movieIndex, { start, end, readAhead: 2 })) chunks.push(chunk);
      finished = true;
    })();
    await net.run(() => finished);
    await reading;
    expect(Buffer.from(concatBytes(chunks)).equals(Buffer.from(movie.subarray(start, end)))).toBe(true);
    // About 10 pieces were read plus at most two ahead; far fewer than the file's 123.
    const files = torrent.files();
    const verified = files.find((f) => f.path === 'movie.bin')!.progress * 2_000_000;
    expect(verified).toBeGreaterThanOrEqual(end - start);
    expect(verified).toBeLessThan(end - start + 4 * 16384);
  });

  it('refuses a range outside the file with a typed error', async () => {
    const t = await makeTorrent([{ path: ['a.bin'], length: 1000 }], { pieceLength: 16384 });
    const net = new SimNet();
    const torrent = await net.session('x', { storage: recordingStorage() }).addTorrent({ torrent: t.bytes });
    await expect(torrent.readStream(0, { start: 10, end: 1001 }).next()).rejects.toMatchObject({ code: 'torrent/bad-range', message: 'range 10-1001 is outside the file (0-1000)' });
    await expect(torrent.readStream(5).next()).rejects.toMatchObject({ code: 'torrent/bad-file' });
  });
});
