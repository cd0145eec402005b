// A scripted BitTorrent leecher on node:net, speaking through our own wire codec: it dials a peer (a real
// `sluice seed`, or the engine), sends the opening messages each test chooses (e.g. a late BITFIELD after
// HAVE NONE), then downloads every piece and checks each against the torrent's SHA-1.
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { pieceSize } from '../../src/core/metainfo/layout.js';
import type { Metainfo } from '../../src/core/metainfo/model.js';
import { encodeHandshake, encodeMessage, WireDecoder, type WireMessage } from '../../src/core/wire/index.js';
import { rawPeerId } from './raw-peer.js';

const BLOCK = 16384;

export interface RawLeecherOptions {
  readonly metainfo: Metainfo;
  /**
   * Sent in order once the other side's handshake came: messages, or raw bytes for what the encoder refuses.
   * INTERESTED is added at the end unless the script already sends it.
   */
  readonly opening: readonly (WireMessage | Uint8Array)[];
  /** Say the fast extension (BEP 6) in the handshake (default true). */
  readonly fast?: boolean;
  /** Requests kept outstanding (default 32). */
  readonly pipeline?: number;
  /** Sent once, when `afterPieces` pieces have passed their check; `have` lists them. */
  readonly later?: { readonly afterPieces: number; readonly send: (have: readonly number[]) => readonly (WireMessage | Uint8Array)[] };
}

let instances = 0;

export class RawLeecher {
  /** Every message type received, in order (handshake first). */
  readonly received: WireMessage['type'][] = [];
  /** Bytes of block payload received. */
  receivedBytes = 0;
  /** True once the other side closed the connection (or it failed). */
  closedByRemote = false;
  private readonly socket: Socket;
  private readonly decoder = new WireDecoder();
  private readonly space: Uint8Array;
  private readonly blocksLeft: number[];
  private readonly queue: { index: number; begin: number; length: number }[] = [];
  private readonly outstanding = new Map<string, { index: number; begin: number; length: number }>();
  private readonly verified: number[] = [];
  private choked = true;
  private settle!: { resolve: (space: Uint8Array) => void; reject: (error: Error) => void };
  /** Resolves with the piece space once every piece passed its SHA-1 check; rejects if the connection ends first. */
  readonly done: Promise<Uint8Array>;

  constructor(host: string, port: number, private readonly options: RawLeecherOptions) {
    const { metainfo } = options;
    this.space = new Uint8Array(metainfo.pieceSpaceLength);
    this.blocksLeft = Array.from({ length: metainfo.pieceCount }, (_, i) => Math.ceil(pieceSize(metainfo, i) / BLOCK));
    for (let index = 0; index < metainfo.pieceCount; index++) {
      const size = pieceSize(metainfo, index);
      for (let begin = 0; begin < size; begin += BLOCK) this.queue.push({ index, begin, length: Math.min(BLOCK, size - begin) });
    }
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.done.catch(() => {});
    this.socket = connect(port, host);
    this.socket.setNoDelay(true);
    const reserved = new Uint8Array(8);
    reserved[5] = 0x10; // BEP 10, so the other side's extended handshake is legitimate
    if (options.fast !== false) reserved[7] = 0x04;
    this.socket.write(encodeHandshake({ reserved, infoHash: metainfo.infoHash!, peerId: rawPeerId(900_000 + ++instances) }));
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      this.closedByRemote = true;
      this.settle.reject(new Error(`the connection ended after ${this.verified.length}/${metainfo.pieceCount} pieces; received ${this.received.join(',')}`));
    });
    this.socket.on('data', (chunk: Buffer) => {
      let messages: WireMessage[];
      try {
        messages = this.decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      } catch (error) {
        this.settle.reject(error as Error);
        this.socket.destroy();
        return;
      }
      for (const m of messages) this.onMessage(m);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private send(message: WireMessage | Uint8Array): void {
    this.socket.write(message instanceof Uint8Array ? message : encodeMessage(message));
  }

  private onMessage(m: WireMessage): void {
    this.received.push(m.type);
    switch (m.type) {
      case 'handshake':
        for (const message of this.options.opening) this.send(message);
        if (!this.options.opening.some((o) => !(o instanceof Uint8Array) && o.type === 'interested')) this.send({ type: 'interested' });
        return;
      case 'unchoke':
        this.choked = false;
        this.fill();
        return;
      case 'choke':
        this.choked = true;
        // Without the fast extension a choke drops our requests; with it, rejects follow. Either way, ask again.
        for (const r of this.outstanding.values()) this.queue.push(r);
        this.outstanding.clear();
        return;
      case 'reject': {
        const key = `${m.index}:${m.begin}`;
        const r = this.outstanding.get(key);
        if (r) {
          this.outstanding.delete(key);
          this.queue.push(r);
        }
        this.fill();
        return;
      }
      case 'piece':
        this.onBlock(m.index, m.begin, m.block);
        return;
      default:
        return;
    }
  }

  private onBlock(index: number, begin: number, block: Uint8Array): void {
    const key = `${index}:${begin}`;
    if (!this.outstanding.delete(key)) return;
    const { metainfo } = this.options;
    this.receivedBytes += block.length;
    this.space.set(block, index * metainfo.pieceLength + begin);
    if (--this.blocksLeft[index]! === 0) {
      const start = index * metainfo.pieceLength;
      const digest = createHash('sha1').update(this.space.subarray(start, start + pieceSize(metainfo, index))).digest();
      if (!digest.equals(metainfo.pieceHashes!.subarray(index * 20, index * 20 + 20))) {
        this.settle.reject(new Error(`piece ${index} failed its SHA-1 check`));
        this.socket.destroy();
        return;
      }
      this.verified.push(index);
      if (this.verified.length === metainfo.pieceCount) {
        this.settle.resolve(this.space);
        return;
      }
      const later = this.options.later;
      if (later && this.verified.length === later.afterPieces) for (const message of later.send([...this.verified])) this.send(message);
    }
    this.fill();
  }

  private fill(): void {
    if (this.choked) return;
    const limit = this.options.pipeline ?? 32;
    while (this.outstanding.size < limit && this.queue.length > 0) {
      const r = this.queue.shift()!;
      this.outstanding.set(`${r.index}:${r.begin}`, r);
      this.send({ type: 'request', ...r });
    }
  }
}
