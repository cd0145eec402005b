import type { ServiceWorkerMessage, StreamReply, StreamRequest } from '../stream/stream-protocol.js';

/** How long an open request waits for a port before the SW asks the pages again, and before it gives up. */
const ASK_AGAIN_MS = 5_000;
const GIVE_UP_MS = 60_000;

type Listener = (reply: StreamReply) => void;

/**
 * The SW's end of the MessagePort to the engine. The SW starts with none (it is started afresh
 * whenever the browser likes), so the first request asks every window of the origin for one; the tab
 * running the engine answers with a new MessageChannel whose other end goes to its worker. A new port
 * (a new engine tab, a restarted SW) replaces the old one, and what was in flight on the old one fails.
 */
export class EngineLink {
  private port: MessagePort | null = null;
  private waiting: ((port: MessagePort | null) => void)[] = [];
  private readonly listeners = new Map<number, { readonly port: MessagePort; readonly listener: Listener }>();
  private nextId = 1;

  constructor(private readonly askPages: (message: ServiceWorkerMessage) => Promise<void>) {}

  /** A port from a page. */
  setPort(port: MessagePort): void {
    const old = this.port;
    this.port = port;
    port.addEventListener('message', (event: MessageEvent<StreamReply>) => this.listeners.get(event.data.id)?.listener(event.data));
    port.start();
    if (old) {
      for (const [id, entry] of this.listeners) {
        if (entry.port !== old) continue;
        entry.listener({ kind: 'fail', id, status: 503, code: 'stream/engine-restarted', message: 'the engine restarted' });
      }
      old.close();
    }
    for (const resolve of this.waiting.splice(0)) resolve(port);
  }

  /** Opens a request on the current port (waiting for one if there is none); `listener` gets every reply. */
  async open(request: Omit<Extract<StreamRequest, { kind: 'open' }>, 'kind' | 'id'>, listener: Listener): Promise<StreamChannel | null> {
    const port = await this.currentPort();
    if (!port) return null;
    const id = this.nextId++;
    this.listeners.set(id, { port, listener });
    port.postMessage({ kind: 'open', id, ...request } satisfies StreamRequest);
    return {
      pull: () => port.postMessage({ kind: 'pull', id } satisfies StreamRequest),
      cancel: () => {
        this.listeners.delete(id);
        port.postMessage({ kind: 'cancel', id } satisfies StreamRequest);
      },
      done: () => void this.listeners.delete(id),
    };
  }

  private async currentPort(): Promise<MessagePort | null> {
    if (this.port) return this.port;
    const got = new Promise<MessagePort | null>((resolve) => this.waiting.push(resolve));
    const started = Date.now();
    let answer: MessagePort | null | 'timeout' = 'timeout';
    while (answer === 'timeout' && Date.now() - started < GIVE_UP_MS) {
      await this.askPages({ kind: 'sluice:need-stream-port' });
      answer = await Promise.race([got, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ASK_AGAIN_MS))]);
    }
    return answer === 'timeout' ? null : answer;
  }
}

export interface StreamChannel {
  pull(): void;
  /** The reader went away: the engine stops and drops the stream's deadlines. */
  cancel(): void;
  /** The stream ended or failed: stop listening. */
  done(): void;
}
