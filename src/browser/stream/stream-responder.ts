import type { Alert } from '../../core/api/types.js';
import type { FileStreamOptions, VerifiedRange } from '../../core/engine/file-stream.js';
import { isSluiceError } from '../../core/errors.js';
import { concatBytes } from '../../core/util/bytes.js';
import type { Metainfo } from '../../core/metainfo/model.js';
import { mediaKind, planRange, rangeResponseHead } from '../../core/stream/http-range.js';
import { fileIndexOfNumber } from '../../core/stream/stream-path.js';
import type { StreamReply, StreamRequest } from './stream-protocol.js';
import { fileToOpen } from '../../core/stream/file-to-open.js';
import { readAheadFor } from '../../core/stream/stream-deadlines.js';
import { MediaIndexRequests } from './media-index-requests.js';

/**
 * What `prefetch` reads of a file the page will play: the first 2 MiB (a second of a 16 Mbit/s video:
 * its first frames), as a player's first read would ask for them.
 */
export const PREFETCH_HEAD_BYTES = 2 * 1024 * 1024;

/** What the responder needs of a torrent: the public Torrent methods it streams with. */
export interface StreamableTorrent {
  readonly metainfo: Metainfo | null;
  now(): number;
  hasPiece(piece: number): boolean;
  /** Wants `piece` by `deadline` for `holder`, shared with the torrent's readers: one letting go of the piece keeps it due. */
  holdPieceDeadline(piece: number, holder: object, deadline: number): void;
  readStream(fileIndex: number, options: FileStreamOptions): AsyncGenerator<Uint8Array>;
  streamRanges(fileIndex: number, options: FileStreamOptions): AsyncGenerator<VerifiedRange>;
}

/** The engine as the responder sees it. */
export interface StreamSource {
  torrent(infoHash: string): StreamableTorrent | undefined;
  /** Subscribes to the session's alerts; returns the unsubscribe. */
  onAlert(listener: (alert: Alert) => void): () => void;
}

/** The part of a MessagePort the responder uses (a DOM MessagePort, or Node's in tests). */
export interface StreamPort {
  postMessage(message: StreamReply, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: { readonly data: StreamRequest }) => void): void;
  start(): void;
  close(): void;
}

interface OpenStream {
  readonly port: StreamPort;
  readonly abort: AbortController;
  body: AsyncGenerator<Uint8Array> | null;
  /** The body's first chunk, asked for when the stream opened (so its deadlines were set then), until a pull takes it. */
  first: Promise<IteratorResult<Uint8Array>> | null;
  pulling: boolean;
  /** True when the body's next chunk is already verified (a pull takes it without waiting). */
  nextIsReady: () => boolean;
  /** Bytes of the body handed out so far. */
  sent: number;
  /** The body ended inside a pull that carried other chunks: the next pull answers `end`. */
  ended: boolean;
}

/**
 * Bytes one pull may carry: every chunk already verified, joined, up to this much. A player reading
 * data that is there already then waits one round trip per MiB, not per piece (8 per MiB with the
 * common 128 KiB pieces, each behind whatever else the worker is doing).
 */
export const PULL_MAX_BYTES = 1024 * 1024;

/**
 * Serves the Service Worker's stream requests from the Session, in the engine worker. Each request
 * is one `readStream` over the planned range (the playhead's piece first, then read-ahead); a video's
 * tail gets deadlines when it is first opened, since an MP4 written without `faststart` keeps its
 * index (moov) there and no frame plays before it arrives. Bytes leave as transferred buffers, one
 * chunk per pull (what is verified already, up to PULL_MAX_BYTES), so no file is ever held whole.
 */
export class StreamResponder {
  private port: StreamPort | null = null;
  private readonly streams = new Map<number, OpenStream>();
  private readonly index = new MediaIndexRequests();

  constructor(private readonly source: StreamSource) {}

  /** Serves `port` from now on. The SW that held the previous one is gone: its streams stop. */
  attach(port: StreamPort): void {
    const old = this.port;
    this.port = port;
    if (old) {
      for (const [id, stream] of this.streams) if (stream.port === old) this.cancel(id);
      old.close();
    }
    port.addEventListener('message', (event) => this.onRequest(port, event.data));
    port.start();
  }

  /**
   * The page will play this torrent's media as soon as it can (it opens the file `fileToOpen` picks,
   * as the app does for a torrent added from a link): from the moment the metadata is in, the engine
   * fetches what that player reads first (the file's head, and a video's index) instead of waiting
   * for the page to learn of the metadata, render the player and have its first request reach here
   * through the Service Worker (0.3-0.5 s in the app). Reads nothing: it waits for the pieces to verify.
   */
  prefetch(infoHash: string): void {
    void this.prefetchHead(infoHash).catch(() => {});
  }

  private async prefetchHead(infoHash: string): Promise<void> {
    const torrent = this.source.torrent(infoHash);
    if (!torrent) return;
    const meta = torrent.metainfo ?? (await this.metadataOf(infoHash, new AbortController().signal));
    if (!meta) return;
    const files = meta.files.flatMap((f, index) => (f.padding ? [] : [{ index, path: f.path.join('/'), length: f.length }]));
    const pick = fileToOpen(files);
    if (!pick || pick.kind === 'image' || pick.file.length === 0) return;
    const readAhead = readAheadFor(meta.pieceLength);
    if (pick.kind === 'video') this.index.ask(infoHash, torrent, meta, pick.file.index, readAhead.deadlineStepMs);
    const end = Math.min(pick.file.length, PREFETCH_HEAD_BYTES);
    for await (const range of torrent.streamRanges(pick.file.index, { start: 0, end, ...readAhead })) void range;
  }

  private onRequest(port: StreamPort, request: StreamRequest): void {
    switch (request.kind) {
      case 'open':
        void this.open(port, request);
        return;
      case 'pull':
        void this.pull(request.id);
        return;
      case 'cancel':
        this.cancel(request.id);
        return;
    }
  }

  private async open(port: StreamPort, request: Extract<StreamRequest, { kind: 'open' }>): Promise<void> {
    const { id } = request;
    const stream: OpenStream = { port, abort: new AbortController(), body: null, first: null, pulling: false, nextIsReady: () => false, sent: 0, ended: false };
    this.streams.set(id, stream);
    const fail = (status: number, code: string, message: string) => {
      this.streams.delete(id);
      this.reply(port, { kind: 'fail', id, status, code, message });
    };
    const torrent = this.source.torrent(request.infoHash);
    if (!torrent) return fail(404, 'stream/unknown-torrent', `no torrent ${request.infoHash} in the engine`);
    const meta = torrent.metainfo ?? (await this.metadataOf(request.infoHash, stream.abort.signal));
    if (stream.abort.signal.aborted) return;
    if (!meta) return fail(404, 'stream/unknown-torrent', `torrent ${request.infoHash} was removed`);
    const fileIndex = fileIndexOfNumber(meta, request.fileNumber);
    if (fileIndex === null) return fail(404, 'stream/no-such-file', `torrent ${request.infoHash} has no file ${request.fileNumber}`);
    const file = meta.files[fileIndex]!;
    const name = file.path[file.path.length - 1] ?? '';
    const plan = planRange(request.range, file.length);
    const head = rangeResponseHead(plan, file.length, name);
    const hasBody = plan.kind !== 'unsatisfiable' && !request.headOnly && plan.end > plan.start;
    if (hasBody) {
      const readAhead = readAheadFor(meta.pieceLength);
      stream.body = torrent.readStream(fileIndex, { start: plan.start, end: plan.end, ...readAhead, signal: stream.abort.signal });
      // Started now, not at the first pull: the playhead's piece gets its deadline (and its blocks are
      // requested) before the tail's, and while the head travels to the player and its first read comes
      // back (100+ ms in the app), not after. A cancel before any pull rejects it; that is no error.
      stream.first = stream.body.next();
      stream.first.catch(() => {});
      const from = file.offset + plan.start;
      stream.nextIsReady = () => plan.start + stream.sent < plan.end && torrent.hasPiece(Math.floor((from + stream.sent) / meta.pieceLength));
      if (mediaKind(name) === 'video') this.index.ask(request.infoHash, torrent, meta, fileIndex, readAhead.deadlineStepMs);
    } else this.streams.delete(id);
    const firstFollows = hasBody && request.pushFirst === true;
    this.reply(port, { kind: 'head', id, status: head.status, headers: head.headers, hasBody, ...(firstFollows ? { firstFollows } : {}) });
    if (firstFollows) void this.pull(id);
  }

  private async pull(id: number): Promise<void> {
    const stream = this.streams.get(id);
    if (!stream?.body || stream.pulling) return;
    stream.pulling = true;
    try {
      const next = stream.ended ? ({ done: true, value: undefined } as const) : await (stream.first ?? stream.body.next());
      stream.first = null;
      if (stream.abort.signal.aborted) return;
      if (next.done) {
        this.streams.delete(id);
        this.reply(stream.port, { kind: 'end', id });
        return;
      }
      const chunks = [next.value];
      let size = next.value.length;
      stream.sent += size;
      while (size < PULL_MAX_BYTES && stream.nextIsReady()) {
        const more = await stream.body.next();
        if (stream.abort.signal.aborted) return;
        if (more.done) {
          stream.ended = true;
          break;
        }
        chunks.push(more.value);
        size += more.value.length;
        stream.sent += more.value.length;
      }
      const part = oneBuffer(chunks);
      this.reply(stream.port, { kind: 'chunk', id, parts: [part] }, [part]);
    } catch (err) {
      this.streams.delete(id);
      if (stream.abort.signal.aborted) return;
      const code = isSluiceError(err) ? err.code : 'stream/failed';
      this.reply(stream.port, { kind: 'fail', id, status: 500, code, message: err instanceof Error ? err.message : String(err) });
    } finally {
      stream.pulling = false;
    }
  }

  private cancel(id: number): void {
    const stream = this.streams.get(id);
    if (!stream) return;
    this.streams.delete(id);
    // A waiting `next()` rejects at once and the stream's finally drops its deadlines; a stream
    // resting between chunks is ended here.
    stream.abort.abort();
    if (!stream.pulling) void stream.body?.return(undefined).catch(() => {});
  }

  /** The torrent's metadata once it arrives, or null if it is removed or the request is cancelled first. */
  private metadataOf(infoHash: string, signal: AbortSignal): Promise<Metainfo | null> {
    return new Promise((resolve) => {
      const done = (meta: Metainfo | null) => {
        unsubscribe();
        signal.removeEventListener('abort', onAbort);
        resolve(meta);
      };
      const onAbort = () => done(null);
      const unsubscribe = this.source.onAlert((alert) => {
        if (alert.infoHash !== infoHash) return;
        if (alert.type === 'metadata-received') done(this.source.torrent(infoHash)?.metainfo ?? null);
        else if (alert.type === 'torrent-removed') done(null);
      });
      signal.addEventListener('abort', onAbort);
    });
  }

  private reply(port: StreamPort, message: StreamReply, transfer: ArrayBuffer[] = []): void {
    port.postMessage(message, transfer);
  }
}

/**
 * The chunks as one transferable buffer. Posting to a Service Worker in another renderer process (as
 * when it was started by an earlier tab) costs per transferred buffer, not only per byte: measured in
 * Chromium 156, 1 MiB as 32 transferred buffers took 44 ms to arrive (29 ms of it blocking the worker's
 * postMessage), as one buffer 12 ms; joining them is one memcpy (~0.2 ms per MiB). In one process either
 * is under 1 ms.
 */
function oneBuffer(chunks: readonly Uint8Array[]): ArrayBuffer {
  return chunks.length === 1 ? ownedBuffer(chunks[0]!) : concatBytes(chunks).buffer;
}

/**
 * A buffer that can be transferred. Stores return bytes the caller owns (every store copies on
 * read), so a view over a whole buffer moves as it is; a view into a larger buffer is copied, since
 * transferring it would detach bytes that are not ours.
 */
function ownedBuffer(view: Uint8Array): ArrayBuffer {
  if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength && view.buffer instanceof ArrayBuffer) return view.buffer;
  return view.slice().buffer;
}

