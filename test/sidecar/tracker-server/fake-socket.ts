// A TCP socket stand-in for the tracker's connection handlers: what they write is collected, what the
// test "receives" is fed with feed(), and end/destroy are recorded.
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

export class FakeSocket extends Duplex {
  readonly remoteAddress = '127.0.0.1';
  readonly out: Buffer[] = [];
  ended = false;

  constructor() {
    super({ read() {} });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.out.push(Buffer.from(chunk));
    callback();
  }

  override _final(callback: () => void): void {
    this.ended = true;
    callback();
  }

  setNoDelay(): this {
    return this;
  }

  setTimeout(): this {
    return this;
  }

  feed(bytes: Uint8Array): void {
    this.emit('data', Buffer.from(bytes));
  }

  /** Everything written so far, as one buffer. */
  written(): Buffer {
    return Buffer.concat(this.out);
  }

  asSocket(): Socket {
    return this as unknown as Socket;
  }
}
