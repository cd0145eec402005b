import type { SluiceError } from '../errors.js';
import type { PeerConnection } from '../peer/peer-connection.js';
import type { PeerEvent } from '../peer/events.js';
import type { RequestPipeline } from '../pipeline/request-pipeline.js';
import type { Transport } from '../ports/transport.js';
import { RateMeter } from '../rate/rate-meter.js';

/** What a PeerLink reports to whoever owns it (the torrent, or the session before the handshake routes it). */
export interface PeerLinkHost {
  now(): number;
  onPeerEvents(link: PeerLink, events: PeerEvent[]): void;
  onPeerDrain(link: PeerLink): void;
  onPeerClosed(link: PeerLink, error: SluiceError | undefined): void;
}

/**
 * One peer: a Transport moving the bytes of a sans-I/O PeerConnection, plus the per-peer units that
 * decide what to ask it for. It is glue only: all decisions are the host's.
 */
export class PeerLink {
  readonly downloadMeter = new RateMeter();
  readonly uploadMeter = new RateMeter();
  clientName = 'Unknown';
  /** The transport accepted our last write without asking us to wait. */
  writable = true;
  closed = false;
  /** Listen port the peer announced (extended handshake `p`), for PEX and reconnects. */
  listenPort: number | null = null;
  /** The peer has every piece (bitfield full or HAVE ALL). */
  seed = false;
  /** Blocks of failed pieces this peer contributed to. */
  strikes = 0;
  /** Pieces the peer lets us request while it chokes us (BEP 6 ALLOWED FAST); bounded, extras ignored. */
  readonly allowedFast = new Set<number>();
  /** Reads from storage in flight to answer this peer's requests. */
  readsInFlight = 0;

  constructor(
    readonly transport: Transport,
    readonly conn: PeerConnection,
    readonly pipeline: RequestPipeline,
    private host: PeerLinkHost,
    readonly connectedAt: number,
    /** A stable key for this peer within a torrent: the dialled `host:port`, the remote address, or `webrtc:<peer id>`. */
    readonly address: string = transport.remoteAddress,
  ) {}

  /** Hands the link to a new host (the session routes incoming peers to their torrent). */
  rehost(host: PeerLinkHost): void {
    this.host = host;
  }

  /** Starts delivery; `replay` is data that arrived before the link existed (an incoming handshake). */
  start(replay: readonly Uint8Array[] = []): void {
    for (const chunk of replay) this.receive(chunk);
    this.transport.attach({
      data: (chunk) => this.receive(chunk),
      drain: () => {
        this.writable = true;
        if (!this.closed) this.host.onPeerDrain(this);
      },
      close: (error) => this.onClosed(error),
    });
    this.flush();
  }

  /** Writes whatever the connection has queued. */
  flush(): void {
    if (this.closed) return;
    for (const chunk of this.conn.takeOutgoing()) {
      if (!this.transport.write(chunk)) this.writable = false;
    }
  }

  close(error?: SluiceError): void {
    if (this.closed) return;
    this.flush();
    this.transport.close(error);
    this.onClosed(error);
  }

  private receive(chunk: Uint8Array): void {
    if (this.closed) return;
    const events = this.conn.receive(chunk, this.host.now());
    if (events.length > 0) this.host.onPeerEvents(this, events);
    this.flush();
  }

  private onClosed(error: SluiceError | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.host.onPeerClosed(this, error);
  }
}
