// A bare WebSocket tracker client for tests: sends frames, hands back what the tracker sends, in order.
import WebSocket from 'ws';

export interface RawWsClient {
  send(frame: string | object): void;
  /** The next frame from the tracker, parsed. */
  next(): Promise<Record<string, unknown>>;
  /** Resolves with the close code once the tracker closes the socket. */
  readonly closed: Promise<number>;
  close(): void;
}

export async function rawWsClient(url: string): Promise<RawWsClient> {
  const socket = new WebSocket(url);
  const inbox: Record<string, unknown>[] = [];
  const waiting: ((m: Record<string, unknown>) => void)[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as Record<string, unknown>;
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else inbox.push(message);
  });
  socket.on('error', () => {});
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    send: (frame) => socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    next: () => {
      const ready = inbox.shift();
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
    closed,
    close: () => socket.close(),
  };
}

/** A 20-character binary string of one repeated byte. */
export const bin = (byte: number): string => String.fromCharCode(byte).repeat(20);
