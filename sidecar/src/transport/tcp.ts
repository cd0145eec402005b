import { connect, createServer, Socket, type Server, type SocketConstructorOpts } from 'node:net';
import type { SluiceError } from '../../../src/core/errors.js';
import type { AbortSignalLike, Transport, TransportDialer, TransportHandlers } from '../../../src/core/ports/transport.js';
import { TransportError } from '../../../src/core/transport/errors.js';
import { TransportInbox } from '../../../src/core/transport/inbox.js';
import { splitHostPort } from '../../../src/core/engine/address.js';

function formatAddress(host: string | undefined, port: number | undefined): string {
  const h = host ?? '?';
  return `${h.includes(':') ? `[${h}]` : h}:${port ?? 0}`;
}

/** Splits `host:port` or `[v6]:port`. */
export function parseHostPort(address: string): { host: string; port: number } {
  const parsed = splitHostPort(address);
  if (!parsed) throw new TransportError('transport/refused', `'${address}' is not host:port`);
  return parsed;
}

function mapSocketError(err: NodeJS.ErrnoException): TransportError {
  switch (err.code) {
    case 'ECONNREFUSED':
      return new TransportError('transport/refused', `connection refused by ${err.message.split(' ').pop()}`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new TransportError('transport/reset', 'connection reset by peer');
    case 'ETIMEDOUT':
      return new TransportError('transport/timeout', 'connection timed out');
    default:
      return new TransportError('transport/io', `socket error: ${err.code ?? err.message}`);
  }
}

/** Writes up to this size are staged and sent together (REQUEST, CANCEL, HAVE are 9-17 bytes; a PIECE is 16 KiB). */
const SMALL_WRITE = 256;

/** A TCP socket as a Transport. The socket's own buffer is the queue; its high-water mark is the back-pressure point. */
export class TcpTransport implements Transport {
  readonly kind = 'tcp' as const;
  readonly remoteAddress: string;
  // Chunks are views into the shared read buffer: one kept for a late attach must be copied.
  private readonly inbox = new TransportInbox((chunk) => chunk.slice());
  private closed = false;
  private closeError: SluiceError | undefined;
  /** Small messages written this tick, sent as one buffer when it ends (see `write`). */
  private staged: Uint8Array[] = [];
  private stagedBytes = 0;
  /** A flush is scheduled for the end of this tick (the socket is corked until then). */
  private flushScheduled = false;

  constructor(
    private readonly socket: Socket,
    readonly outgoing: boolean,
  ) {
    this.remoteAddress = formatAddress(socket.remoteAddress, socket.remotePort);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    socket.on('drain', () => this.inbox.drain());
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.closeError ??= mapSocketError(err);
    });
    socket.on('close', () => {
      this.closed = true;
      this.notifyClose();
    });
    // The far side's FIN: we have nothing more to say either.
    socket.on('end', () => socket.end());
  }

  /**
   * Bytes read from the socket: a view into the shared read buffer (a 'data' buffer on the fallback path),
   * valid only during this call, as the Transport port allows. Copied only when nobody is attached yet.
   */
  receive(bytes: Uint8Array): void {
    this.inbox.data(bytes);
  }

  attach(handlers: TransportHandlers): void {
    this.inbox.attach(handlers);
  }

  write(data: Uint8Array): boolean {
    if (this.closed || this.socket.destroyed) return false;
    // With Nagle off, every write would be its own segment and syscall: a 17-byte REQUEST per block
    // received. Writes made in the same tick go out together when the tick ends: small ones copied
    // into one buffer (a Node stream write costs a few microseconds whatever its size, and a download
    // makes one per block), larger ones corked behind them, so all leave in one writev.
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.socket.cork();
      process.nextTick(this.endOfTick);
    }
    if (data.length <= SMALL_WRITE) {
      this.staged.push(data);
      this.stagedBytes += data.length;
      // Past the socket's mark, write now so the socket reports the back-pressure (and 'drain' follows).
      if (this.stagedBytes + this.socket.writableLength < this.socket.writableHighWaterMark) return true;
    }
    const ok = this.writeStaged();
    return data.length <= SMALL_WRITE ? ok : this.socket.write(data);
  }

  private readonly endOfTick = (): void => {
    this.flushScheduled = false;
    if (this.socket.destroyed) return;
    this.writeStaged();
    this.socket.uncork();
  };

  /** Sends the staged small writes, in order, as one buffer; the socket's verdict on back-pressure. */
  private writeStaged(): boolean {
    const staged = this.staged;
    if (staged.length === 0) return !this.socket.writableNeedDrain;
    let batch = staged[0]!;
    if (staged.length > 1) {
      batch = Buffer.allocUnsafe(this.stagedBytes);
      let at = 0;
      for (const chunk of staged) {
        batch.set(chunk, at);
        at += chunk.length;
      }
    }
    this.staged = [];
    this.stagedBytes = 0;
    return this.socket.write(batch);
  }

  close(error?: SluiceError): void {
    if (this.closed) return;
    this.closed = true;
    this.closeError ??= error;
    if (!this.socket.destroyed) this.writeStaged();
    // end() flushes what is queued; destroy() after a grace period in case the peer never reads.
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), 2000);
    timer.unref();
  }

  /** Runs `listener` once the socket has closed (the listener's connection count). */
  onSocketClose(listener: () => void): void {
    this.socket.once('close', listener);
  }

  private notifyClose(): void {
    this.inbox.closed(this.closeError);
  }
}

/** Bytes asked of the kernel per read (Node's own reads are 64 KiB). */
export const READ_SIZE = 256 * 1024;

/**
 * Every socket reads into this one buffer, and the engine sees a view of it for the length of one
 * `data` call (the Transport port's lifetime rule): no allocation and no garbage per read, and one
 * READ_SIZE buffer whatever the number of peers. Sharing is safe because libuv hands each read to its
 * callback before it reads again, on any socket, and the callback consumes the bytes synchronously.
 */
let sharedReadBuffer: Buffer | null = null;

/** Where reads go (`onread`), and to whom they are handed. */
class ReadTarget {
  transport: TcpTransport | null = null;
  readonly buffer: Buffer = (sharedReadBuffer ??= Buffer.allocUnsafeSlow(READ_SIZE));
  readonly callback = (n: number, buf: Uint8Array): boolean => {
    // A plain Uint8Array, not a Buffer: Buffer#slice makes a view, and the engine's slice() must copy.
    this.transport?.receive(new Uint8Array(buf.buffer, buf.byteOffset, n));
    return true;
  };
}

export function tcpDialer(options: { connectTimeoutMs?: number } = {}): TransportDialer {
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  return {
    kind: 'tcp',
    dial(address: string, signal?: AbortSignalLike): Promise<Transport> {
      const { host, port } = parseHostPort(address);
      return new Promise((resolve, reject) => {
        const reads = new ReadTarget();
        const socket = connect({ host, port, onread: reads });
        const fail = (err: TransportError) => {
          clearTimeout(timer);
          socket.destroy();
          reject(err);
        };
        const timer = setTimeout(() => fail(new TransportError('transport/timeout', `connecting to ${address} timed out`)), timeoutMs);
        signal?.addEventListener('abort', () => fail(new TransportError('transport/closed', `dial to ${address} cancelled`)), { once: true });
        socket.once('error', (err: NodeJS.ErrnoException) => fail(mapSocketError(err)));
        socket.once('connect', () => {
          clearTimeout(timer);
          socket.removeAllListeners('error');
          const transport = new TcpTransport(socket, true);
          reads.transport = transport;
          resolve(transport);
        });
      });
    },
  };
}

export interface TcpListener {
  readonly port: number;
  close(): Promise<void>;
}

/** The part of Node's private native handle that adopting an accepted socket relies on. */
interface NativeHandle {
  readonly useUserBuffer?: unknown;
}

/**
 * Node offers `onread` (reads into a buffer of ours) only to sockets built from options, not to those a
 * server accepts. An accepted socket, still paused (`pauseOnConnect`, so nothing was read), is adopted:
 * its native handle (private `_handle`) moves into a new Socket built with `onread`, and the empty shell
 * is destroyed. Should Node's internals not look as expected, the accepted socket is used as it is
 * ('data' events, a fresh buffer per read), so a Node upgrade can cost speed, not correctness.
 */
function adoptAccepted(accepted: Socket): TcpTransport {
  const shell = accepted as unknown as { _handle: NativeHandle | null };
  const handle = shell._handle;
  if (!handle || typeof handle.useUserBuffer !== 'function') {
    const transport = new TcpTransport(accepted, false);
    accepted.resume();
    return transport;
  }
  const reads = new ReadTarget();
  const options = { handle, readable: true, writable: true, onread: reads } as SocketConstructorOpts;
  const socket = new Socket(options);
  shell._handle = null;
  accepted.destroy();
  const transport = new TcpTransport(socket, false);
  reads.transport = transport;
  return transport;
}

/** Listens for incoming peers; at most `maxConnections` accepted connections are open at once (more are closed at once). */
export function listenTcp(
  options: { port: number; host?: string; maxConnections?: number },
  onConnection: (transport: Transport) => void,
): Promise<TcpListener> {
  return new Promise((resolve, reject) => {
    let open = 0;
    // Adopted sockets leave the server's own count, so the bound is kept here.
    const server: Server = createServer({ pauseOnConnect: true }, (accepted) => {
      if (options.maxConnections !== undefined && open >= options.maxConnections) {
        accepted.destroy();
        return;
      }
      const transport = adoptAccepted(accepted);
      open++;
      transport.onSocketClose(() => open--);
      onConnection(transport);
    });
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new TransportError('transport/io', err.code === 'EADDRINUSE' ? `port ${options.port} is already in use` : `cannot listen: ${err.message}`)),
    );
    server.listen(options.port, options.host, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : options.port;
      resolve({ port, close: () => new Promise<void>((done) => server.close(() => done())) });
    });
  });
}
