// A scripted BitTorrent seeder on node:net, speaking through our own wire codec, whose misbehaviour
// each test chooses: corrupt blocks, stalls, disconnects mid-piece, malformed messages, slow sending.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Metainfo } from '../../src/core/metainfo/model.js';
import { pieceSize } from '../../src/core/metainfo/layout.js';
import { encodeHandshake, encodeMessage, WireDecoder, type WireMessage } from '../../src/core/wire/index.js';

export interface BlockRequest {
  readonly index: number;
  readonly begin: number;
  readonly length: number;
}

/**
 * What the seeder does with one request: answer it, answer it with flipped bytes, never answer,
 * or hang up. A number delays the (honest) answer by that many milliseconds.
 */
export type RequestAction = 'serve' | 'corrupt' | 'ignore' | 'close' | { readonly delayMs: number };

export interface RawConnection {
  /** 1-based, in accept order. */
  readonly id: number;
  send(message: WireMessage): void;
  /** Bytes exactly as given: for malformed messages the encoder refuses to make. */
  sendRaw(bytes: Uint8Array): void;
  close(): void;
  readonly closed: boolean;
}

export interface RawSeederOptions {
  readonly metainfo: Metainfo;
  /** The torrent's piece space: piece i is space[i * pieceLength ...]. */
  readonly space: Uint8Array;
  /** Decides each request's fate (default: serve). `served` counts blocks this connection already answered. */
  readonly onRequest?: (request: BlockRequest, connection: RawConnection, served: number) => RequestAction;
  /**
   * Replaces the availability message sent after the handshake: return bytes to send raw (e.g. a bitfield
   * with spare bits), or nothing to send no availability at all. Default: a full bitfield.
   */
  readonly availability?: (connection: RawConnection) => Uint8Array | undefined;
  /** Runs after the availability message (e.g. to send a malformed message once the peer is ready). */
  readonly afterAvailability?: (connection: RawConnection) => void;
  /** Unchoke the peer when it says it is interested (default true). */
  readonly unchoke?: boolean;
  /** Say the fast extension (BEP 6) in the handshake (default false). */
  readonly fast?: boolean;
  /** Upload rate for answers, across connections (bytes per second; 0 or absent = as fast as asked). */
  readonly bytesPerSecond?: number;
}

/** The 20-byte peer id of a raw peer: a recognisable prefix, then a per-instance tag. */
export function rawPeerId(tag: number): Uint8Array {
  const id = new TextEncoder().encode(`-RW0001-${String(tag).padStart(12, '0')}`);
  return id.subarray(0, 20);
}

let instances = 0;

/** A full bitfield for `pieceCount` pieces (spare bits clear). */
export function fullBitfield(pieceCount: number): Uint8Array {
  const bits = new Uint8Array(Math.ceil(pieceCount / 8)).fill(0xff);
  const spare = bits.length * 8 - pieceCount;
  if (spare > 0) bits[bits.length - 1] = (0xff << spare) & 0xff;
  return bits;
}

export class RawSeeder {
  /** Connections accepted so far (a banned peer must not see this grow). */
  connections = 0;
  /** Every request received, in order, across connections. */
  readonly requests: BlockRequest[] = [];
  /** Bytes of block payload sent (honest or corrupt). */
  servedBytes = 0;
  /** Connections that ended; `byRemote` when the other side closed first. */
  readonly ended: { id: number; byRemote: boolean }[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly peerId: Uint8Array;
  private readonly closeWaiters: (() => void)[] = [];
  /** Upload rate (bytes per second, 0 = unlimited); may be changed while running. */
  bytesPerSecond: number;
  /** When the rate limiter can send the next answer (ms, Date.now clock). */
  private nextSendAt = 0;

  private constructor(private readonly options: RawSeederOptions) {
    this.peerId = rawPeerId(++instances);
    this.bytesPerSecond = options.bytesPerSecond ?? 0;
    this.server = createServer((socket) => this.accept(socket));
  }

  static async start(options: RawSeederOptions): Promise<RawSeeder> {
    const seeder = new RawSeeder(options);
    await new Promise<void>((resolve, reject) => {
      seeder.server.once('error', reject);
      seeder.server.listen(0, '127.0.0.1', () => resolve());
    });
    return seeder;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `127.0.0.1:<port>`, as `--peer` takes it. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Resolves once `count` connections have ended. */
  waitForEnded(count: number): Promise<void> {
    if (this.ended.length >= count) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.ended.length >= count) resolve();
        else this.closeWaiters.push(check);
      };
      this.closeWaiters.push(check);
    });
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const { metainfo } = this.options;
    const id = ++this.connections;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    let closedHere = false;
    let closed = false;
    let served = 0;
    const connection: RawConnection = {
      id,
      send: (message) => {
        if (!closed) socket.write(encodeMessage(message));
      },
      sendRaw: (bytes) => {
        if (!closed) socket.write(bytes);
      },
      close: () => {
        if (closed) return;
        closedHere = true;
        socket.destroy();
      },
      get closed() {
        return closed;
      },
    };
    const decoder = new WireDecoder();
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
      this.sockets.delete(socket);
      this.ended.push({ id, byRemote: !closedHere });
      for (const w of this.closeWaiters.splice(0)) w();
    });
    socket.on('data', (chunk: Buffer) => {
      let messages: WireMessage[];
      try {
        messages = decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      } catch {
        connection.close();
        return;
      }
      for (const m of messages) {
        if (closed) return;
        this.onMessage(m, connection, metainfo, () => served++, () => served);
      }
    });
  }

  private onMessage(m: WireMessage, c: RawConnection, metainfo: Metainfo, countServed: () => void, servedSoFar: () => number): void {
    switch (m.type) {
      case 'handshake': {
        const infoHash = metainfo.infoHash ?? metainfo.infoHashV2!.subarray(0, 20);
        if (!sameBytes(m.infoHash, infoHash)) {
          c.close();
          return;
        }
        const reserved = new Uint8Array(8);
        if (this.options.fast) reserved[7] = 0x04;
        c.sendRaw(encodeHandshake({ reserved, infoHash, peerId: this.peerId }));
        const availability = this.options.availability ? this.options.availability(c) : encodeMessage({ type: 'bitfield', bits: fullBitfield(metainfo.pieceCount) });
        if (availability) c.sendRaw(availability);
        this.options.afterAvailability?.(c);
        return;
      }
      case 'interested':
        if (this.options.unchoke !== false) c.send({ type: 'unchoke' });
        return;
      case 'request': {
        const request = { index: m.index, begin: m.begin, length: m.length };
        this.requests.push(request);
        const action = this.options.onRequest?.(request, c, servedSoFar()) ?? 'serve';
        if (action === 'ignore') return;
        if (action === 'close') {
          c.close();
          return;
        }
        countServed();
        const answer = () => {
          if (c.closed) return;
          const block = this.block(request, metainfo);
          if (action === 'corrupt') for (let i = 0; i < block.length; i++) block[i] = block[i]! ^ 0x5a;
          this.servedBytes += block.length;
          c.send({ type: 'piece', index: request.index, begin: request.begin, block });
        };
        const delay = Math.max(typeof action === 'object' ? action.delayMs : 0, this.rateDelay(request.length));
        if (delay > 0) {
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            answer();
          }, delay);
          this.timers.add(timer);
        } else answer();
        return;
      }
      default:
        return;
    }
  }

  /** How long to hold an answer of `length` bytes so answers leave at `bytesPerSecond`. */
  private rateDelay(length: number): number {
    if (this.bytesPerSecond <= 0) return 0;
    const now = Date.now();
    this.nextSendAt = Math.max(now, this.nextSendAt) + (length * 1000) / this.bytesPerSecond;
    return this.nextSendAt - now;
  }

  private block(r: BlockRequest, metainfo: Metainfo): Uint8Array {
    const size = r.index < metainfo.pieceCount ? pieceSize(metainfo, r.index) : 0;
    const length = Math.max(0, Math.min(r.length, size - r.begin));
    const start = r.index * metainfo.pieceLength + r.begin;
    return this.options.space.slice(start, start + length);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
