import { connect, createServer, type Server, type Socket } from 'node:net';
import type { SluiceError } from '../../../src/core/errors.js';
import type { AbortSignalLike, Transport, TransportDialer, TransportHandlers } from '../../../src/core/ports/transport.js';
import { TransportError } from '../../../src/core/transport/errors.js';

function formatAddress(host: string | undefined, port: number | undefined): string {
  const h = host ?? '?';
  return `${h.includes(':') ? `[${h}]` : h}:${port ?? 0}`;
}

/** Splits `host:port` or `[v6]:port`. */
export function parseHostPort(address: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]+):(\d+)$/.exec(address);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port > 0 && port < 65536)) throw new TransportError('transport/refused', `'${address}' is not host:port`);
  return { host: m[1]!, port };
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

/** A TCP socket as a Transport. The socket's own buffer is the queue; its high-water mark is the back-pressure point. */
export class TcpTransport implements Transport {
  readonly kind = 'tcp' as const;
  readonly remoteAddress: string;
  private handlers: TransportHandlers | null = null;
  private pending: Uint8Array[] = [];
  private closed = false;
  private closeNotified = false;
  private closeError: SluiceError | undefined;
  private corked = false;

  constructor(
    private readonly socket: Socket,
    readonly outgoing: boolean,
  ) {
    this.remoteAddress = formatAddress(socket.remoteAddress, socket.remotePort);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    socket.on('drain', () => this.handlers?.drain());
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

  /** Bytes read from the socket (from 'data', or from the large-read callback of a dialled socket). */
  receive(bytes: Uint8Array): void {
    if (this.handlers) this.handlers.data(bytes);
    else this.pending.push(bytes);
  }

  attach(handlers: TransportHandlers): void {
    this.handlers = handlers;
    const pending = this.pending;
    this.pending = [];
    for (const chunk of pending) handlers.data(chunk);
    if (this.closed) this.notifyClose();
  }

  write(data: Uint8Array): boolean {
    if (this.closed || this.socket.destroyed) return false;
    // With Nagle off, every write would be its own segment and syscall: a 17-byte REQUEST per block
    // received. Writes made in the same tick go out together, as one writev, when the tick ends.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    return this.socket.write(data);
  }

  close(error?: SluiceError): void {
    if (this.closed) return;
    this.closed = true;
    this.closeError ??= error;
    // end() flushes what is queued; destroy() after a grace period in case the peer never reads.
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), 2000);
    timer.unref();
  }

  private notifyClose(): void {
    if (this.closeNotified || !this.handlers) return;
    this.closeNotified = true;
    this.handlers.close(this.closeError);
  }
}

/** Bytes asked of the kernel per read on dialled sockets (Node's own reads are 64 KiB). */
export const READ_SIZE = 256 * 1024;
/** Reads shorter than this are copied out, so what a peer keeps (a bitfield, a handshake) does not pin a whole read buffer. */
const COPY_BELOW = 16 * 1024;

/**
 * Reads of up to READ_SIZE into a fresh buffer each time: a quarter of the reads (and of the
 * event-loop turns, and of the REQUEST writes that answer them) of 'data' events at a full-speed
 * download. A fresh buffer, not a reused one, because the wire decoder hands out views into it.
 * (Node offers `onread` only to sockets it connects, not to accepted ones.)
 */
function largeReads(deliver: (bytes: Uint8Array) => void): { buffer: () => Uint8Array; callback: (n: number, buf: Uint8Array) => boolean } {
  return {
    buffer: () => Buffer.allocUnsafeSlow(READ_SIZE),
    callback: (n, buf) => {
      const view = new Uint8Array(buf.buffer, buf.byteOffset, n);
      deliver(n < COPY_BELOW ? view.slice() : view);
      return true;
    },
  };
}

export function tcpDialer(options: { connectTimeoutMs?: number } = {}): TransportDialer {
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  return {
    kind: 'tcp',
    dial(address: string, signal?: AbortSignalLike): Promise<Transport> {
      const { host, port } = parseHostPort(address);
      return new Promise((resolve, reject) => {
        let transport: TcpTransport | null = null;
        const socket = connect({ host, port, onread: largeReads((bytes) => transport?.receive(bytes)) });
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
          transport = new TcpTransport(socket, true);
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

/** Listens for incoming peers; `maxConnections` bounds what the kernel hands us. */
export function listenTcp(
  options: { port: number; host?: string; maxConnections?: number },
  onConnection: (transport: Transport) => void,
): Promise<TcpListener> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer((socket) => onConnection(new TcpTransport(socket, false)));
    if (options.maxConnections !== undefined) server.maxConnections = options.maxConnections;
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
