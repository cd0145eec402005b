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
    { infoHash: target.infoHash, fileNumber: target.fileNumber, range: request.headers.get('Range'), headOnly: request.method === 'HEAD' },
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
  const body = bodyStream(channel, (listener) => (onReply = listener), finish);
  return { response: new Response(body, { status: first.status, headers: withDisposition(first.headers, request, target.name) }), finished };
}

/** The body: each pull asks the engine for one chunk; replies arrive through `listen`. */
function bodyStream(channel: StreamChannel, listen: (listener: (reply: StreamReply) => void) => void, finish: () => void): ReadableStream<Uint8Array> {
  let waiting: { resolve: () => void; controller: ReadableStreamDefaultController<Uint8Array> } | null = null;
  /** A failure that came between pulls (the engine restarted): the next pull fails with it. */
  let failedBetweenPulls: Error | null = null;
  const end = () => {
    channel.done();
    finish();
  };
  listen((reply) => {
    const w = waiting;
    waiting = null;
    if (!w) {
      if (reply.kind === 'fail') failedBetweenPulls = new Error(reply.message);
      return;
    }
    if (reply.kind === 'chunk') for (const part of reply.parts) w.controller.enqueue(new Uint8Array(part));
    else if (reply.kind === 'end') {
      w.controller.close();
      end();
    } else {
      w.controller.error(new Error(reply.kind === 'fail' ? reply.message : 'unexpected reply'));
      end();
    }
    w.resolve();
  });
  return new ReadableStream<Uint8Array>(
    {
      pull: (controller) =>
        new Promise<void>((resolve) => {
          if (failedBetweenPulls) {
            controller.error(failedBetweenPulls);
            end();
            return resolve();
          }
          waiting = { resolve, controller };
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
