import { MessageChannel } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { StreamReply, StreamRequest } from '../../src/browser/stream/stream-protocol.js';
import { EngineLink } from '../../src/browser/sw/engine-link.js';
import { answerStream } from '../../src/browser/sw/stream-route.js';
import { content } from '../helpers/engine.js';

/**
 * The Service Worker's end of a stream, in Node: `answerStream` over a real MessageChannel to a
 * scripted engine that answers each pull with the next 1000 bytes of a 50 000-byte file.
 */

const FILE = content(7, 50_000);
const STRETCH = 1000;
const INFO_HASH = 'ab'.repeat(20);
const URL_OF_FILE = `http://app.test/stream/${INFO_HASH}/1/movie.mp4`;

/** `pushes`: an engine that sends the first chunk with the head when the open asks (an older one does not). */
function scriptedEngine(pushes = false) {
  const channel = new MessageChannel();
  const seen: StreamRequest[] = [];
  let next = 0;
  const reply = (message: StreamReply, transfer: ArrayBuffer[] = []) => channel.port1.postMessage(message, transfer);
  channel.port1.on('message', (request: StreamRequest) => {
    seen.push(request);
    const answerPull = (id: number) => {
      if (next >= FILE.length) return reply({ kind: 'end', id });
      const bytes = FILE.slice(next, next + STRETCH);
      next += STRETCH;
      reply({ kind: 'chunk', id, parts: [bytes.buffer] }, [bytes.buffer]);
    };
    if (request.kind === 'open') {
      next = 0;
      const firstFollows = pushes && request.pushFirst === true;
      reply({ kind: 'head', id: request.id, status: 200, headers: { 'Content-Length': String(FILE.length) }, hasBody: true, ...(firstFollows ? { firstFollows } : {}) });
      if (firstFollows) answerPull(request.id);
    } else if (request.kind === 'pull') answerPull(request.id);
  });
  const link = new EngineLink(async () => {});
  link.setPort(channel.port2 as unknown as MessagePort);
  return { link, seen, close: () => channel.port1.close() };
}

describe('answerStream (the SW end of the stream port)', () => {
  it("answers with the engine's head and a body of exactly its chunks, in order", async () => {
    const { link, close } = scriptedEngine();
    const answer = await answerStream(new Request(URL_OF_FILE), link);
    expect(answer.response.status).toBe(200);
    expect(answer.response.headers.get('Content-Length')).toBe('50000');
    const body = new Uint8Array(await answer.response.arrayBuffer());
    await answer.finished;
    close();
    expect(Buffer.from(body).equals(Buffer.from(FILE))).toBe(true);
  });

  it('asks for the first chunk with the open; an engine that sends it unasked gets one pull fewer, and the body is the same', async () => {
    for (const pushes of [false, true]) {
      const { link, seen, close } = scriptedEngine(pushes);
      const answer = await answerStream(new Request(URL_OF_FILE), link);
      const body = new Uint8Array(await answer.response.arrayBuffer());
      await answer.finished;
      close();
      expect(seen[0]).toMatchObject({ kind: 'open', pushFirst: true });
      expect(Buffer.from(body).equals(Buffer.from(FILE)), `pushes ${pushes}`).toBe(true);
      // 50 chunks and the end: 51 answers, one of them unasked when the engine pushes.
      expect(seen.filter((r) => r.kind === 'pull')).toHaveLength(pushes ? 50 : 51);
    }
  });

  it("pulls only as the player reads (two chunks ahead, never the file), and a cancelled body cancels the engine's stream", async () => {
    const { link, seen, close } = scriptedEngine();
    const answer = await answerStream(new Request(URL_OF_FILE), link);
    const reader = answer.response.body!.getReader();
    const first = await reader.read();
    expect(first.value?.length).toBe(STRETCH);
    await sleep(50);
    const pulls = () => seen.filter((r) => r.kind === 'pull').length;
    expect(pulls()).toBeLessThanOrEqual(3);
    await reader.cancel();
    await answer.finished;
    await sleep(20);
    close();
    expect(seen.at(-1)).toEqual({ kind: 'cancel', id: 1 });
    expect(pulls()).toBeLessThanOrEqual(3);
  });
});
