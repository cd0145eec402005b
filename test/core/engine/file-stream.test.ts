import { describe, expect, it } from 'vitest';
import { readFileStream, type VerifiedPieceSource } from '../../../src/core/engine/file-stream.js';
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

  it('streamRanges: the same stretches without reading them, each with its piece and its place in the file', async () => {
    const t = await makeTorrent(
      [
        { path: ['intro.txt'], length: 5_000 },
        { path: ['movie.bin'], length: 200_000 },
      ],
      { pieceLength: 16384 },
    );
    const movieIndex = t.metainfo.files.findIndex((f) => f.path.join('/') === 'movie.bin');
    const file = t.metainfo.files[movieIndex]!;
    const net = new SimNet();
    const seeder = net.session('seeder', { storage: seededStorage(t) });
    await seeder.addTorrent({ torrent: t.bytes });
    const reads: number[] = [];
    const storage = recordingStorage();
    const leecher = net.session('leecher', { storage: { open: async (layout, options) => {
      const store = await storage.open(layout, options);
      const read = store.read.bind(store);
      return Object.assign(store, { read: (piece: number, begin: number, length: number) => (reads.push(piece), read(piece, begin, length)) });
    } } });
    const torrent = await leecher.addTorrent({ torrent: t.bytes }, { peers: ['seeder:1'], filePriorities: t.metainfo.files.map(() => 0) });
    const start = 20_000;
    const end = 70_001;
    const ranges: { piece: number; begin: number; length: number; fileOffset: number }[] = [];
    let finished = false;
    void (async () => {
      for await (const range of torrent.streamRanges(movieIndex, { start, end })) {
        expect(torrent.hasPiece(range.piece)).toBe(true);
        ranges.push(range);
      }
      finished = true;
    })();
    await net.run(() => finished);
    // In order, back to back, from start to end; each stretch is where that piece holds those bytes.
    expect(ranges[0]!.fileOffset).toBe(start);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]!.fileOffset).toBe(ranges[i - 1]!.fileOffset + ranges[i - 1]!.length);
    expect(ranges.at(-1)!.fileOffset + ranges.at(-1)!.length).toBe(end);
    for (const r of ranges) expect(r.piece * 16384 + r.begin).toBe(file.offset + r.fileOffset);
    expect(reads).toEqual([]);
  });

  it('refuses a range outside the file with a typed error', async () => {
    const t = await makeTorrent([{ path: ['a.bin'], length: 1000 }], { pieceLength: 16384 });
    const net = new SimNet();
    const torrent = await net.session('x', { storage: recordingStorage() }).addTorrent({ torrent: t.bytes });
    await expect(torrent.readStream(0, { start: 10, end: 1001 }).next()).rejects.toMatchObject({ code: 'torrent/bad-range', message: 'range 10-1001 is outside the file (0-1000)' });
    await expect(torrent.readStream(5).next()).rejects.toMatchObject({ code: 'torrent/bad-file' });
  });

  it('stops waiting and drops every deadline it set as soon as its signal aborts', async () => {
    const t = await makeTorrent([{ path: ['movie.mp4'], length: 10 * 16384 }], { pieceLength: 16384 });
    const net = new SimNet();
    // No peer: the piece the reader waits for never arrives, so only the abort can end the wait.
    const torrent = await net.session('leecher', { storage: recordingStorage() }).addTorrent({ torrent: t.bytes });
    const set = new Set<number>();
    const cleared = new Set<number>();
    // The real torrent, with its deadline calls recorded on the way through.
    const source: VerifiedPieceSource = {
      get metainfo() {
        return torrent.metainfo;
      },
      now: () => torrent.now(),
      hasPiece: (p) => torrent.hasPiece(p),
      waitForPiece: (p) => torrent.waitForPiece(p),
      readVerified: (p, b, l) => torrent.readVerified(p, b, l),
      setPieceDeadline: (p, d) => {
        set.add(p);
        torrent.setPieceDeadline(p, d);
      },
      clearPieceDeadline: (p) => {
        cleared.add(p);
        torrent.clearPieceDeadline(p);
      },
    };
    const abort = new AbortController();
    const next = readFileStream(source, 0, { start: 3 * 16384, readAhead: 3, signal: abort.signal }).next();
    await new Promise((r) => setTimeout(r, 0));
    expect([...set].sort()).toEqual([3, 4, 5, 6]);
    expect(cleared.size).toBe(0);
    abort.abort();
    const outcome = await Promise.race([next.then(() => 'yielded', (e: unknown) => e), new Promise((r) => setTimeout(() => r('still waiting'), 10_000))]);
    expect(outcome).toMatchObject({ code: 'torrent/stream-cancelled' });
    expect([...cleared].sort()).toEqual([3, 4, 5, 6]);
    // An already aborted signal ends the stream before it asks for anything.
    set.clear();
    await expect(readFileStream(source, 0, { signal: abort.signal }).next()).rejects.toMatchObject({ code: 'torrent/stream-cancelled' });
    expect(set.size).toBe(0);
  });
});

describe('startup pieces (a reader just opened: the player opened the file or seeked)', () => {
  it('are set due `leadMs` early, the rest of the read-ahead at its place', async () => {
    const t = await makeTorrent([{ path: ['movie.mp4'], length: 10 * 16384 }], { pieceLength: 16384 });
    const torrent = await new SimNet().session('leecher', { storage: recordingStorage() }).addTorrent({ torrent: t.bytes });
    const due = new Map<number, number>();
    const source: VerifiedPieceSource = {
      get metainfo() {
        return torrent.metainfo;
      },
      now: () => 5_000,
      hasPiece: () => false,
      waitForPiece: () => new Promise(() => {}),
      readVerified: (p, b, l) => torrent.readVerified(p, b, l),
      setPieceDeadline: (p, d) => due.set(p, d),
      clearPieceDeadline: (p) => due.delete(p),
    };
    void readFileStream(source, 0, { start: 2 * 16384, readAhead: 4, deadlineStepMs: 100, startup: { pieces: 2, leadMs: 60_000 } }).next();
    await new Promise((r) => setTimeout(r, 0));
    expect([...due].sort((a, b) => a[0] - b[0])).toEqual([
      [2, 5_000 - 60_000],
      [3, 5_100 - 60_000],
      [4, 5_200],
      [5, 5_300],
      [6, 5_400],
    ]);
  });

  it('come before the read-ahead a reader left when it stopped reading: a seek is not served after the old position', async () => {
    const PIECE = 16384;
    const t = await makeTorrent([{ path: ['movie.mp4'], length: 64 * PIECE }], { pieceLength: PIECE });
    const net = new SimNet();
    const seeder = net.session('seeder', { storage: seededStorage(t), settings: { uploadRateLimit: 50_000 } });
    await seeder.addTorrent({ torrent: t.bytes });
    // Nothing is wanted but what the readers ask for.
    const torrent = await net.session('leecher', { storage: recordingStorage() }).addTorrent({ torrent: t.bytes }, { peers: ['seeder:1'], filePriorities: [0] });
    const options = { readAhead: 32, deadlineStepMs: 10, startup: { pieces: 2, leadMs: 3_600_000 } };
    // The player reads the first two pieces, then stops reading with its request open (its buffer is
    // full): the read-ahead it left (pieces 2-33) is due in the past by now.
    const old = torrent.readStream(0, options);
    await Promise.all([old.next(), net.run(() => torrent.hasPiece(0))]);
    await Promise.all([old.next(), net.run(() => torrent.hasPiece(1))]);
    let steps = 0;
    await net.run(() => ++steps > 25);
    // It seeks to piece 48; the old request stays open.
    const seek = torrent.readStream(0, { start: 48 * PIECE, ...options });
    const first = seek.next();
    await net.run(() => torrent.hasPiece(48));
    await first;
    // What was already requested from the seeder comes first; the rest of the old read-ahead waits (21
    // of its 32 pieces here; without the lead all 32 came before the seek's first piece).
    let oldAhead = 0;
    for (let p = 2; p < 34; p++) if (!torrent.hasPiece(p)) oldAhead++;
    expect(oldAhead).toBeGreaterThanOrEqual(8);
    await seek.return(undefined);
    await old.return(undefined);
  });
});

describe('two readers of one file', () => {
  it('a seek inside the old position\'s read-ahead: cancelling the old reader leaves the new one\'s deadlines', async () => {
    const PIECE = 16384;
    const t = await makeTorrent([{ path: ['movie.mp4'], length: 256 * PIECE }], { pieceLength: PIECE });
    const net = new SimNet();
    const seeder = net.session('seeder', { storage: seededStorage(t), settings: { uploadRateLimit: 100_000 } });
    await seeder.addTorrent({ torrent: t.bytes });
    // The whole file is wanted, as when a person opens a video: what has no deadline comes rarest first.
    const torrent = await net.session('leecher', { storage: recordingStorage() }).addTorrent({ torrent: t.bytes }, { peers: ['seeder:1'] });
    const options = { readAhead: 64, deadlineStepMs: 100, startup: { pieces: 2, leadMs: 3_600_000 } };
    const old = torrent.readStream(0, options);
    await Promise.all([old.next(), net.run(() => torrent.hasPiece(0))]);
    // A short seek forward, into the old reader's read-ahead, to a piece not asked for yet (its first 16
    // deadline pieces are requested at once).
    let at = 40;
    while (torrent.hasPiece(at)) at++;
    expect(at).toBeLessThan(64);
    const seek = torrent.readStream(0, { start: at * PIECE, ...options });
    const first = seek.next();
    // The player's cancel of the old request comes after the new one opened.
    await old.return(undefined);
    const verifiedBefore = () => [...Array(256).keys()].filter((p) => torrent.hasPiece(p)).length;
    await net.run(() => torrent.hasPiece(at));
    await first;
    // The seek's piece came with its deadline: 9 pieces were there by then (59 when the old reader's cancel
    // dropped the deadline and the piece came as an ordinary one).
    expect(verifiedBefore()).toBeLessThan(30);
    await seek.return(undefined);
  });
});
