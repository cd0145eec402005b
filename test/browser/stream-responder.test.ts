import { describe, expect, it } from 'vitest';
import { deadlineClaimsOf } from '../../src/core/engine/deadline-claims.js';
import { readFileStream, verifiedFileRanges, type VerifiedPieceSource } from '../../src/core/engine/file-stream.js';
import type { Torrent } from '../../src/core/engine/torrent.js';
import { toHex } from '../../src/core/util/hex.js';
import { readAheadFor, STARTUP_LEAD_MS, TAIL_DEADLINE_MS, tailPieces } from '../../src/core/stream/stream-deadlines.js';
import type { StreamReply, StreamRequest } from '../../src/browser/stream/stream-protocol.js';
import { StreamResponder, type StreamableTorrent, type StreamPort } from '../../src/browser/stream/stream-responder.js';
import { HEAD_PROBE_BYTES } from '../../src/browser/stream/media-index-requests.js';
import { makeTorrent, recordingStorage, seededStorage, SimNet } from '../helpers/engine.js';

/**
 * The engine's end of the stream port, in Node: a real Session on a simulated swarm, a real
 * MessageChannel. What the Service Worker asks (open, pull, cancel) and what comes back.
 */

const PIECE = 16384;

/** The real torrent, with its deadline calls recorded on the way through. */
function recorded(torrent: Torrent): StreamableTorrent & { set: Map<number, number>; cleared: Set<number> } {
  const set = new Map<number, number>();
  const cleared = new Set<number>();
  const source: VerifiedPieceSource = {
    get metainfo() {
      return torrent.metainfo;
    },
    now: () => torrent.now(),
    hasPiece: (p) => torrent.hasPiece(p),
    waitForPiece: (p) => torrent.waitForPiece(p),
    readVerified: (p, b, l) => torrent.readVerified(p, b, l),
    setPieceDeadline: (p, d) => {
      set.set(p, d);
      torrent.setPieceDeadline(p, d);
    },
    clearPieceDeadline: (p) => {
      cleared.add(p);
      torrent.clearPieceDeadline(p);
    },
  };
  return {
    set,
    cleared,
    get metainfo() {
      return torrent.metainfo;
    },
    now: () => torrent.now(),
    hasPiece: (p) => torrent.hasPiece(p),
    holdPieceDeadline: (p, holder, d) => deadlineClaimsOf(source).hold(p, holder, d),
    readStream: (fileIndex, options) => readFileStream(source, fileIndex, options),
    streamRanges: (fileIndex, options) => verifiedFileRanges(source, fileIndex, options),
  };
}

const MOVIE_LENGTH = 40 * PIECE + 123;

/** MP4 box header bytes: a 32-bit size and a type. */
function boxHeader(type: string, size: number): number[] {
  return [size >>> 24, (size >>> 16) & 255, (size >>> 8) & 255, size & 255, ...[...type].map((c) => c.charCodeAt(0))];
}

/** An MP4's bytes as ffmpeg lays them out: ftyp, then mdat and moov (index `at`) in either order. */
function mp4Bytes(length: number, moovAt: 'end' | 'front', moovLength: number): Uint8Array {
  const bytes = new Uint8Array(length).map((_, i) => (i * 7 + 3) & 255);
  const put = (at: number, header: number[]) => bytes.set(header, at);
  put(0, boxHeader('ftyp', 32));
  const mdatLength = length - 32 - moovLength;
  if (moovAt === 'end') {
    put(32, boxHeader('mdat', mdatLength));
    put(32 + mdatLength, boxHeader('moov', moovLength));
  } else {
    put(32, boxHeader('moov', moovLength));
    put(32 + moovLength, boxHeader('mdat', mdatLength));
  }
  return bytes;
}

async function setUp(movie: { name?: string; data?: Uint8Array } = {}, uploadRateLimit = 200_000) {
  const t = await makeTorrent(
    [
      { path: ['notes.txt'], length: 1000 },
      { path: [movie.name ?? 'movie.mkv'], length: MOVIE_LENGTH, ...(movie.data ? { data: movie.data } : {}) },
    ],
    { pieceLength: PIECE },
  );
  const infoHash = toHex(t.metainfo.infoHash!);
  const net = new SimNet();
  const seeder = net.session('seeder', { storage: seededStorage(t), settings: { uploadRateLimit } });
  await seeder.addTorrent({ torrent: t.bytes });
  const leecher = net.session('leecher', { storage: recordingStorage() });
  // By info hash: no metadata until the seeder sends it; nothing wanted but what is streamed.
  const torrent = await leecher.addTorrent({ infoHash }, { peers: ['seeder:1'], filePriorities: [0, 0] });
  const view = recorded(torrent);
  const responder = new StreamResponder({ torrent: (ih) => (ih === infoHash ? view : undefined), onAlert: (l) => leecher.on(l) });
  const replies: StreamReply[] = [];
  const connect = () => {
    const channel = new MessageChannel();
    responder.attach(channel.port1 as unknown as StreamPort);
    channel.port2.addEventListener('message', (e) => replies.push((e as unknown as { data: StreamReply }).data));
    channel.port2.start();
    return (request: StreamRequest) => channel.port2.postMessage(request);
  };
  const until = (what: (r: StreamReply) => boolean) => net.run(() => replies.some(what), { maxSteps: 50_000 });
  return { t, infoHash, net, torrent, view, responder, connect, replies, until };
}

describe('StreamResponder (the engine end of the stream port)', () => {
  it('answers an open made before the metadata, streams exactly the range chunk by chunk, and asks for a video tail early', async () => {
    const { t, infoHash, view, connect, replies, until } = await setUp();
    const send = connect();
    const size = t.files[1]!.length;
    send({ kind: 'open', id: 1, infoHash, fileNumber: 2, range: 'bytes=50000-', headOnly: false });
    await until((r) => r.id === 1 && r.kind === 'head');
    expect(replies.find((r) => r.id === 1)).toEqual({
      kind: 'head',
      id: 1,
      status: 206,
      hasBody: true,
      headers: { 'Accept-Ranges': 'bytes', 'Cache-Control': 'no-store', 'Content-Type': 'video/x-matroska', 'Content-Length': String(size - 50_000), 'Content-Range': `bytes 50000-${size - 1}/${size}` },
    });
    // The movie's tail (where a Matroska file's cues may be) was given deadlines when it was opened.
    const meta = view.metainfo!;
    for (const p of tailPieces(meta, 1)) expect(view.set.has(p)).toBe(true);

    const body: Uint8Array[] = [];
    for (;;) {
      const before = replies.length;
      send({ kind: 'pull', id: 1 });
      await until((r) => replies.indexOf(r) >= before && r.id === 1);
      const reply = replies.at(-1)!;
      if (reply.kind === 'end') break;
      expect(reply.kind).toBe('chunk');
      if (reply.kind === 'chunk') body.push(...reply.parts.map((b) => new Uint8Array(b)));
    }
    expect(Buffer.concat(body).equals(Buffer.from(t.files[1]!.subarray(50_000)))).toBe(true);
  });

  it('gives the playhead\'s piece its deadline when the stream opens, before the tail\'s and before any pull', async () => {
    const { infoHash, view, connect, until } = await setUp();
    const send = connect();
    send({ kind: 'open', id: 1, infoHash, fileNumber: 2, range: 'bytes=0-', headOnly: false });
    await until((r) => r.id === 1 && r.kind === 'head');
    // No pull yet: the player has not read. Its first piece is already due, and was set first, so its
    // blocks are the first requested (the tail's, set later, are due later and come behind them).
    const meta = view.metainfo!;
    const playhead = Math.floor(meta.files[1]!.offset / PIECE);
    const order = [...view.set.keys()];
    expect(order[0]).toBe(playhead);
    const firstTail = order.findIndex((p) => tailPieces(meta, 1).includes(p));
    expect(firstTail).toBeGreaterThan(order.indexOf(playhead));
  });

  it('asks for a video\'s last piece (where a moov at the end is) right behind the playhead, then its tail from the end backward', async () => {
    const { infoHash, view, connect, until } = await setUp();
    const send = connect();
    const opened = view.now();
    send({ kind: 'open', id: 1, infoHash, fileNumber: 2, range: 'bytes=0-', headOnly: false });
    await until((r) => r.id === 1 && r.kind === 'head');
    const tail = tailPieces(view.metainfo!, 1);
    const last = tail[tail.length - 1]!;
    // The index is read before the first frame: due as early as the stream's startup pieces.
    const due = (p: number) => view.set.get(p)! - opened + STARTUP_LEAD_MS;
    const step = readAheadFor(PIECE).deadlineStepMs;
    // Due with the stream's second piece, ahead of the rest of its read-ahead and of the tail.
    expect(due(last)).toBeLessThanOrEqual(step + 50);
    const rest = tail.slice(0, -1);
    for (const p of rest) expect(due(p)).toBeGreaterThanOrEqual(TAIL_DEADLINE_MS);
    // From the end backward: a later piece is due sooner.
    expect(rest.map(due)).toEqual([...rest.map(due)].sort((a, b) => b - a));
    expect(new Set(rest.map(due)).size).toBe(rest.length);
  });

  it('answers 416, HEAD and unknown files without a body, and 404 for what is not there', async () => {
    const { t, infoHash, connect, replies, until } = await setUp();
    const send = connect();
    const size = t.files[1]!.length;
    send({ kind: 'open', id: 1, infoHash, fileNumber: 2, range: `bytes=${size}-`, headOnly: false });
    send({ kind: 'open', id: 2, infoHash, fileNumber: 1, range: null, headOnly: true });
    send({ kind: 'open', id: 3, infoHash, fileNumber: 3, range: null, headOnly: false });
    send({ kind: 'open', id: 4, infoHash: 'ab'.repeat(20), fileNumber: 1, range: null, headOnly: false });
    await until((r) => r.id === 3);
    await until((r) => r.id === 2);
    await until((r) => r.id === 1);
    const byId = (id: number) => replies.find((r) => r.id === id);
    expect(byId(1)).toMatchObject({ kind: 'head', status: 416, hasBody: false, headers: { 'Content-Range': `bytes */${size}`, 'Content-Length': '0' } });
    expect(byId(2)).toMatchObject({ kind: 'head', status: 200, hasBody: false, headers: { 'Content-Length': '1000', 'Content-Type': 'text/plain; charset=utf-8' } });
    expect(byId(3)).toMatchObject({ kind: 'fail', status: 404, code: 'stream/no-such-file' });
    expect(byId(4)).toMatchObject({ kind: 'fail', status: 404, code: 'stream/unknown-torrent' });
  });

  it('drops every deadline of a cancelled stream at once, and of the old port\'s streams when a new port comes', async () => {
    const { infoHash, view, connect, replies, until, net } = await setUp();
    const send = connect();
    send({ kind: 'open', id: 1, infoHash, fileNumber: 2, range: `bytes=${20 * PIECE}-`, headOnly: false });
    await until((r) => r.id === 1 && r.kind === 'head');
    send({ kind: 'pull', id: 1 });
    // The reader waits for the playhead's piece: it and the read-ahead have deadlines.
    await net.run(() => view.set.size > tailPieces(view.metainfo!, 1).length);
    const playhead = Math.floor((view.metainfo!.files[1]!.offset + 20 * PIECE) / PIECE);
    expect(view.set.has(playhead)).toBe(true);
    send({ kind: 'cancel', id: 1 });
    await net.run(() => view.cleared.has(playhead), { maxSteps: 5 });
    const marked = [...view.set.keys()].filter((p) => p >= playhead && p < playhead + readAheadFor(PIECE).readAhead && !view.hasPiece(p));
    expect(marked.length).toBeGreaterThan(0);
    // The movie's tail (where its cues may be) is held for the index too, not only by the stream: it stays due.
    const tail = new Set(tailPieces(view.metainfo!, 1));
    for (const p of marked) expect(view.cleared.has(p)).toBe(!tail.has(p));

    // A stream on the old port is stopped when the page hands a new one (its SW is gone).
    view.set.clear();
    view.cleared.clear();
    // Far from the first stream and the tail, so its pieces are not had yet.
    send({ kind: 'open', id: 2, infoHash, fileNumber: 2, range: `bytes=${2 * PIECE}-`, headOnly: false });
    await until((r) => r.id === 2 && r.kind === 'head');
    send({ kind: 'pull', id: 2 });
    const second = Math.floor((view.metainfo!.files[1]!.offset + 2 * PIECE) / PIECE);
    await net.run(() => view.set.has(second));
    connect();
    await net.run(() => view.cleared.has(second), { maxSteps: 5 });
    expect(replies.filter((r) => r.id === 2 && r.kind === 'chunk')).toEqual([]);
  });
});

describe('an MP4\'s index, and what the page will play, fetched early', () => {
  /** The movie's pieces: first, last, and those holding its bytes from `start` on. */
  function moviePieces(view: StreamableTorrent, start = 0) {
    const file = view.metainfo!.files[1]!;
    const first = Math.floor(file.offset / PIECE);
    const last = Math.floor((file.offset + file.length - 1) / PIECE);
    const from = Math.floor((file.offset + start) / PIECE);
    // What the index probe reads: the file's first HEAD_PROBE_BYTES.
    const probeLast = Math.floor((file.offset + HEAD_PROBE_BYTES - 1) / PIECE);
    const probe = Array.from({ length: probeLast - first + 1 }, (_, i) => first + i);
    return { first, last, probe, from: Array.from({ length: last - from + 1 }, (_, i) => from + i) };
  }

  it('reads where the moov is from the first piece of an MP4 written moov-last, and asks for exactly its pieces, from the end backward', async () => {
    const moovLength = 3 * PIECE;
    const { infoHash, view, connect, until, net } = await setUp({ name: 'movie.mp4', data: mp4Bytes(MOVIE_LENGTH, 'end', moovLength) });
    const send = connect();
    // Safari's probe: a body of two bytes, so no read-ahead sets deadlines over the file.
    send({ kind: 'open', id: 1, infoHash, fileNumber: 2, range: 'bytes=0-1', headOnly: false });
    await until((r) => r.id === 1 && r.kind === 'head');
    const { probe, from: index } = moviePieces(view, MOVIE_LENGTH - moovLength);
    await net.run(() => index.every((p) => view.set.has(p)));
    // Nothing else of the 1% tail (16 pieces here): only the index's 4 pieces and the head the probe read.
    const tail = tailPieces(view.metainfo!, 1);
    expect(tail.length).toBeGreaterThan(index.length + 4);
    expect([...view.set.keys()].sort((a, b) => a - b)).toEqual([...probe, ...index]);
    const due = index.map((p) => view.set.get(p)!);
    expect(due).toEqual([...due].sort((a, b) => b - a));
  });

  it('keeps the index due when the player\'s own read of it is cancelled before it arrives', async () => {
    const moovLength = 3 * PIECE;
    // Slow enough (after the 64 KiB burst the head takes) that the index is still on its way.
    const { infoHash, view, connect, until, net } = await setUp({ name: 'movie.mp4', data: mp4Bytes(MOVIE_LENGTH, 'end', moovLength) }, 20_000);
    const send = connect();
    send({ kind: 'open', id: 1, infoHash, fileNumber: 2, range: 'bytes=0-1', headOnly: false });
    await until((r) => r.id === 1 && r.kind === 'head');
    const { from: index } = moviePieces(view, MOVIE_LENGTH - moovLength);
    await net.run(() => index.every((p) => view.set.has(p)));
    const missing = index.filter((p) => !view.hasPiece(p));
    expect(missing.length).toBeGreaterThan(0);
    // The player reads the moov (as Chromium does after the head), and gives that request up at once.
    send({ kind: 'open', id: 2, infoHash, fileNumber: 2, range: `bytes=${MOVIE_LENGTH - moovLength}-`, headOnly: false });
    await until((r) => r.id === 2 && r.kind === 'head');
    send({ kind: 'pull', id: 2 });
    send({ kind: 'cancel', id: 2 });
    await net.run(() => false, { maxSteps: 5 }).catch(() => {});
    for (const p of missing) if (!view.hasPiece(p)) expect(view.cleared.has(p)).toBe(false);
    await net.run(() => index.every((p) => view.hasPiece(p)));
  });

  it('asks for nothing at the end of a faststart MP4 but its last piece (asked before the head is read)', async () => {
    const { infoHash, view, connect, until, net } = await setUp({ name: 'movie.mp4', data: mp4Bytes(MOVIE_LENGTH, 'front', 2 * PIECE) });
    const send = connect();
    send({ kind: 'open', id: 1, infoHash, fileNumber: 2, range: 'bytes=0-1', headOnly: false });
    await until((r) => r.id === 1 && r.kind === 'head');
    const { probe, last } = moviePieces(view);
    await net.run(() => probe.every((p) => view.hasPiece(p)) && view.hasPiece(last));
    await net.run(() => false, { maxSteps: 200 }).catch(() => {});
    expect([...view.set.keys()].sort((a, b) => a - b)).toEqual([...probe, last]);
  });

  it('prefetch: once the metadata is in, the file the page will play gets its head and its index fetched, with no stream opened', async () => {
    const moovLength = PIECE;
    const { infoHash, view, responder, net } = await setUp({ name: 'movie.mp4', data: mp4Bytes(MOVIE_LENGTH, 'end', moovLength) });
    // Before the metadata: the torrent wants nothing (its files are at priority 0), and nothing is open.
    responder.prefetch(infoHash);
    await net.run(() => view.metainfo !== null);
    const { first, last } = moviePieces(view);
    await net.run(() => view.hasPiece(first) && view.hasPiece(last));
    // The head: the first 2 MiB, here the whole movie; each piece was due in read-ahead order.
    const { from: all } = moviePieces(view);
    await net.run(() => all.every((p) => view.hasPiece(p)));
    expect(view.set.get(first)).toBeLessThan(view.set.get(first + 5)!);
  });
});

describe('pulls', () => {
  it('a pull carries every chunk already verified (up to 1 MiB) in one message, as one buffer; the next pull ends the body', async () => {
    const { t, infoHash, view, responder, connect, replies, until, net } = await setUp({ name: 'movie.mp4' });
    // The whole movie (under the prefetch's 2 MiB head) is fetched and verified first.
    responder.prefetch(infoHash);
    await net.run(() => view.metainfo !== null);
    const file = view.metainfo!.files[1]!;
    const pieces = Array.from({ length: Math.floor((file.offset + file.length - 1) / PIECE) - Math.floor(file.offset / PIECE) + 1 }, (_, i) => Math.floor(file.offset / PIECE) + i);
    await net.run(() => pieces.every((p) => view.hasPiece(p)));
    const send = connect();
    send({ kind: 'open', id: 7, infoHash, fileNumber: 2, range: 'bytes=100-', headOnly: false });
    await until((r) => r.id === 7 && r.kind === 'head');
    send({ kind: 'pull', id: 7 });
    await until((r) => r.id === 7 && r.kind === 'chunk');
    const chunk = replies.find((r) => r.id === 7 && r.kind === 'chunk');
    expect(chunk?.kind === 'chunk' && Buffer.concat(chunk.parts.map((b) => Buffer.from(b))).equals(Buffer.from(t.files[1]!.subarray(100)))).toBe(true);
    // Several pieces, joined: a Service Worker in another process pays per transferred buffer.
    expect(pieces.length).toBeGreaterThan(2);
    expect(chunk?.kind === 'chunk' && chunk.parts.length).toBe(1);
    send({ kind: 'pull', id: 7 });
    await until((r) => r.id === 7 && r.kind === 'end');
    expect(replies.filter((r) => r.id === 7).map((r) => r.kind)).toEqual(['head', 'chunk', 'end']);
  });
});

describe('the first chunk with the head', () => {
  it('sends the body\'s first chunk right after the head when the open asks (pushFirst), and says so; not otherwise', async () => {
    const { t, infoHash, view, responder, connect, replies, until, net } = await setUp({ name: 'movie.mp4' });
    responder.prefetch(infoHash);
    await net.run(() => view.metainfo !== null);
    const file = view.metainfo!.files[1]!;
    await net.run(() => view.hasPiece(Math.floor(file.offset / PIECE)));
    const send = connect();
    send({ kind: 'open', id: 3, infoHash, fileNumber: 2, range: 'bytes=0-1', headOnly: false, pushFirst: true });
    await until((r) => r.id === 3 && r.kind === 'chunk');
    const mine = replies.filter((r) => r.id === 3);
    expect(mine.map((r) => r.kind)).toEqual(['head', 'chunk']);
    expect(mine[0]).toMatchObject({ status: 206, firstFollows: true });
    const chunk = mine[1];
    expect(chunk?.kind === 'chunk' && [...new Uint8Array(chunk.parts[0]!)]).toEqual([...t.files[1]!.subarray(0, 2)]);
    // An older SW does not ask: it pulls after the head, and gets nothing before.
    send({ kind: 'open', id: 4, infoHash, fileNumber: 2, range: 'bytes=0-1', headOnly: false });
    await until((r) => r.id === 4 && r.kind === 'head');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(replies.filter((r) => r.id === 4).map((r) => r.kind)).toEqual(['head']);
    expect(replies.find((r) => r.id === 4)).not.toHaveProperty('firstFollows');
  });
});

describe('stream deadlines', () => {
  it('reads ahead about 8 MiB, within 2 to 64 pieces, due over 10 s', () => {
    expect(readAheadFor(16384)).toMatchObject({ readAhead: 64, deadlineStepMs: 156 });
    expect(readAheadFor(1024 * 1024)).toMatchObject({ readAhead: 8, deadlineStepMs: 1250 });
    expect(readAheadFor(16 * 1024 * 1024)).toMatchObject({ readAhead: 2, deadlineStepMs: 5000 });
  });

  it('takes a reader\'s first MiB (at least its first piece) as startup pieces, due an hour early', () => {
    expect(readAheadFor(16384).startup).toEqual({ pieces: 64, leadMs: STARTUP_LEAD_MS });
    expect(readAheadFor(128 * 1024).startup).toEqual({ pieces: 8, leadMs: STARTUP_LEAD_MS });
    expect(readAheadFor(16 * 1024 * 1024).startup).toEqual({ pieces: 1, leadMs: STARTUP_LEAD_MS });
    expect(STARTUP_LEAD_MS).toBe(3_600_000);
  });

  it('takes the pieces of a file\'s last 1% (256 KiB to 8 MiB) as its tail', () => {
    const files = [
      { length: 100, offset: 0, padding: false, path: ['a'] },
      { length: 1024 * 1024 * 1024, offset: 100, padding: false, path: ['b.mp4'] },
    ];
    const meta = { pieceLength: 1024 * 1024, files } as unknown as Parameters<typeof tailPieces>[0];
    // 1% of 1 GiB is over 8 MiB: the last 8 MiB, which straddle 9 pieces at this offset.
    expect(tailPieces(meta, 1)).toEqual([1016, 1017, 1018, 1019, 1020, 1021, 1022, 1023, 1024]);
    expect(tailPieces(meta, 0)).toEqual([0]);
  });
});
