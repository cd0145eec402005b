import { parseStreamPath } from '../../core/stream/stream-path.js';
import type { StreamReply } from '../stream/stream-protocol.js';
import type { EngineLink, StreamChannel } from './engine-link.js';

/** Chunks (pieces) the SW may hold ahead of the player: enough to keep the engine busy, never a file. */
const CHUNKS_AHEAD = 2;

export interface StreamAnswer {
  readonly response: Response;
  /** Settles when the body is finished, failed or cancelled: the SW stays alive until then. */
  readonly finished: Promise<void>;
}

/**
 * Answers `GET /stream/<infohash>/<n>/<name>`: the engine plans the range (200, 206 or 416 exactly
 * as `planRange`/`rangeResponseHead` say), then the body is a ReadableStream whose pulls ask the
 * engine for its next verified chunk. Cancelling the body (the player seeks, the tab closes)
 * cancels the engine's stream.
 */
export async function answerStream(request: Request, link: EngineLink): Promise<StreamAnswer> {
  const target = parseStreamPath(new URL(request.url).pathname);
  if (!target) return { response: textResponse(404, 'not a stream address: /stream/<info hash>/<file number>/<name>'), finished: Promise.resolve() };
  let onReply: (reply: StreamReply) => void = () => {};
  const channel = await link.open(
    { infoHash: target.infoHash, fileNumber: target.fileNumber, range: request.headers.get('Range'), headOnly: request.method === 'HEAD', pushFirst: true },
    (reply) => onReply(reply),
  );
  if (!channel) return { response: textResponse(503, 'no tab of the app is running the engine'), finished: Promise.resolve() };
  const first = await new Promise<StreamReply>((resolve) => (onReply = resolve));
  if (first.kind !== 'head') {
    channel.done();
    return { response: textResponse(first.kind === 'fail' ? first.status : 500, first.kind === 'fail' ? first.message : 'unexpected reply'), finished: Promise.resolve() };
  }
  if (!first.hasBody) {
    channel.done();
    return { response: new Response(null, { status: first.status, headers: first.headers }), finished: Promise.resolve() };
  }
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const body = bodyStream(channel, (listener) => (onReply = listener), finish, first.firstFollows === true);
  return { response: new Response(body, { status: first.status, headers: withDisposition(first.headers, request, target.name) }), finished };
}

/**
 * The body: each pull asks the engine for one chunk (the first one the engine sends unasked when
 * `firstFollows`); replies arrive through `listen`. A reply that comes before the stream pulls for it
 * waits for that pull, so none is lost.
 */
function bodyStream(channel: StreamChannel, listen: (listener: (reply: StreamReply) => void) => void, finish: () => void, firstFollows: boolean): ReadableStream<Uint8Array> {
  let waiting: { resolve: () => void; controller: ReadableStreamDefaultController<Uint8Array> } | null = null;
  /** Replies that came while no pull waited: the engine's unasked first chunk, or a failure (the engine restarted). */
  const early: StreamReply[] = [];
  /** Chunks asked of the engine (or coming unasked) and not answered yet. */
  let asked = firstFollows ? 1 : 0;
  const end = () => {
    channel.done();
    finish();
  };
  const take = (reply: StreamReply, controller: ReadableStreamDefaultController<Uint8Array>) => {
    if (reply.kind === 'chunk') for (const part of reply.parts) controller.enqueue(new Uint8Array(part));
    else if (reply.kind === 'end') {
      controller.close();
      end();
    } else {
      controller.error(new Error(reply.kind === 'fail' ? reply.message : 'unexpected reply'));
      end();
    }
  };
  listen((reply) => {
    if (reply.kind !== 'fail') asked = Math.max(0, asked - 1);
    const w = waiting;
    waiting = null;
    if (!w) {
      early.push(reply);
      return;
    }
    take(reply, w.controller);
    w.resolve();
  });
  return new ReadableStream<Uint8Array>(
    {
      pull: (controller) =>
        new Promise<void>((resolve) => {
          const reply = early.shift();
          if (reply) {
            take(reply, controller);
            return resolve();
          }
          waiting = { resolve, controller };
          if (asked > 0) return;
          asked += 1;
          channel.pull();
        }),
      cancel: () => {
        channel.cancel();
        end();
      },
    },
    new CountQueuingStrategy({ highWaterMark: CHUNKS_AHEAD }),
  );
}

/**
 * `?download` asks for the file as an attachment. A download link is a plain navigation to that URL:
 * Chromium fetches an `<a download>` link past the Service Worker (from the network, where the file
 * is not), but a navigation answered with `Content-Disposition: attachment` is saved from the SW's body.
 */
function withDisposition(headers: Readonly<Record<string, string>>, request: Request, name: string): Record<string, string> {
  if (!new URL(request.url).searchParams.has('download')) return { ...headers };
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_') || 'download';
  return { ...headers, 'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}` };
}

function textResponse(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });
}
