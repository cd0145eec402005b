import { rtcConnectorSettings, type RtcConnectorOptions, type RtcConnectorSettings } from '../../core/transport/rtc-connector-options.js';
import { selectedRemoteAddress } from './data-channel-transport.js';
import { toRtcIceServers } from './ice-config.js';
import { countCandidates, NO_CANDIDATES_MESSAGE, reason, watchGathering, watchIceFailure } from './peer-connection-util.js';
import type { ChannelMode, RtcEvent, RtcRequest } from './rtc-messages.js';

/** Sends an event to the worker, transferring what `transfer` lists. */
export type PostToWorker = (event: RtcEvent, transfer?: Transferable[]) => void;

interface Connection {
  readonly pc: RTCPeerConnection;
  /** Set when the page relays this connection's channel (it could not be transferred). */
  relayed: RelayedChannel | null;
  handedOver: boolean;
}

/**
 * The page's half of WebRTC for the engine worker: Chromium has no RTCPeerConnection in workers, so
 * the page creates the peer connections and does the SDP work the worker asks for, and hands each
 * data channel to the worker the moment it exists (a channel cannot be transferred once open). Where
 * the browser refuses the transfer, the page keeps the channel and relays its bytes in transferred
 * ArrayBuffers. The worker owns timeouts and the connection's life; the page only reports.
 */
export class RtcHost {
  private readonly settings: RtcConnectorSettings;
  private readonly config: RTCConfiguration;
  private readonly connections = new Map<number, Connection>();
  /** How many channels were transferred and how many relayed (shown to tests and the curious). */
  readonly counts = { transferred: 0, relayed: 0 };

  constructor(
    private readonly post: PostToWorker,
    options: RtcConnectorOptions & { readonly channelMode?: ChannelMode } = {},
  ) {
    this.settings = rtcConnectorSettings(options);
    this.config = { iceServers: toRtcIceServers(this.settings.iceServers) };
    this.mode = options.channelMode ?? 'auto';
  }

  private readonly mode: ChannelMode;

  handle(request: RtcRequest): void {
    switch (request.op) {
      case 'offer':
        void this.offer(request.id);
        return;
      case 'answer':
        this.applyAnswer(request.id, request.sdp);
        return;
      case 'accept':
        void this.accept(request.id, request.sdp);
        return;
      case 'close':
        this.closeConnection(request.id);
        return;
      default:
        this.connections.get(request.id)?.relayed?.handle(request);
    }
  }

  /** Closes every peer connection (the page is going away, or the engine stopped). */
  close(): void {
    for (const id of [...this.connections.keys()]) this.closeConnection(id);
  }

  private async offer(id: number): Promise<void> {
    const pc = this.newPeerConnection(id);
    if (!pc) return;
    const connection = this.track(id, pc);
    let channel: RTCDataChannel;
    try {
      // Ordered and reliable: a BitTorrent byte stream.
      channel = pc.createDataChannel(this.settings.channelLabel, { ordered: true });
    } catch (err) {
      this.fail(id, 'rtc/failed', `cannot open a data channel: ${reason(err)}`);
      return;
    }
    // In the same task as createDataChannel: later, the browser refuses to move it.
    this.handOver(id, connection, channel);
    await this.describe(id, pc, 'offer-ready', async () => pc.setLocalDescription(await pc.createOffer()));
  }

  private applyAnswer(id: number, sdp: string): void {
    const connection = this.connections.get(id);
    if (!connection) return;
    connection.pc.setRemoteDescription({ type: 'answer', sdp }).catch((err: unknown) => this.fail(id, 'rtc/bad-sdp', `the answer was refused: ${reason(err)}`));
  }

  private async accept(id: number, sdp: string): Promise<void> {
    const pc = this.newPeerConnection(id);
    if (!pc) return;
    const connection = this.track(id, pc);
    pc.addEventListener('datachannel', ({ channel }) => {
      // WebTorrent opens exactly one channel; anything more is not ours to carry.
      if (connection.handedOver) channel.close();
      else this.handOver(id, connection, channel);
    });
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp });
    } catch (err) {
      this.fail(id, 'rtc/bad-sdp', `the offer was refused: ${reason(err)}`);
      return;
    }
    await this.describe(id, pc, 'answer-ready', async () => pc.setLocalDescription(await pc.createAnswer()));
  }

  private handOver(id: number, connection: Connection, channel: RTCDataChannel): void {
    connection.handedOver = true;
    if (this.mode !== 'relay') {
      try {
        this.post({ op: 'channel', id, channel }, [channel as unknown as Transferable]);
        this.counts.transferred += 1;
        return;
      } catch (err) {
        // DataCloneError: this browser cannot move data channels to workers.
        if (this.mode === 'transfer') {
          this.fail(id, 'rtc/failed', `the data channel could not be moved to the engine: ${reason(err)}`);
          return;
        }
      }
    }
    connection.relayed = new RelayedChannel(id, channel, this.post);
    this.counts.relayed += 1;
    this.post({ op: 'relay', id, state: channel.readyState });
  }

  private async describe(id: number, pc: RTCPeerConnection, op: 'offer-ready' | 'answer-ready', describe: () => Promise<void>): Promise<void> {
    const gathered = watchGathering(pc);
    try {
      await describe();
    } catch (err) {
      this.fail(id, 'rtc/failed', `no local description: ${reason(err)}`);
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([gathered, new Promise<void>((r) => (timer = setTimeout(r, this.settings.gatherTimeoutMs)))]);
    clearTimeout(timer);
    if (!this.connections.has(id)) return; // closed while gathering
    const sdp = pc.localDescription?.sdp;
    if (!sdp) this.fail(id, 'rtc/failed', 'no local description was produced');
    else if (countCandidates(sdp) === 0) this.fail(id, 'rtc/failed', NO_CANDIDATES_MESSAGE);
    else this.post({ op, id, sdp });
  }

  private newPeerConnection(id: number): RTCPeerConnection | null {
    try {
      return new RTCPeerConnection(this.config);
    } catch (err) {
      this.post({ op: 'failed', id, code: 'rtc/bad-config', message: `cannot create a peer connection: ${reason(err)}` });
      return null;
    }
  }

  private track(id: number, pc: RTCPeerConnection): Connection {
    const connection: Connection = { pc, relayed: null, handedOver: false };
    this.connections.set(id, connection);
    watchIceFailure(pc, () => this.post({ op: 'connection-failed', id }));
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed') this.post({ op: 'connection-failed', id });
      else if (pc.connectionState === 'connected') {
        this.post({ op: 'connected', id, remoteAddress: selectedRemoteAddress(pc), maxMessageSize: pc.sctp?.maxMessageSize ?? 0 });
      }
    });
    return connection;
  }

  private fail(id: number, code: 'rtc/bad-sdp' | 'rtc/failed', message: string): void {
    this.closeConnection(id);
    this.post({ op: 'failed', id, code, message });
  }

  private closeConnection(id: number): void {
    const connection = this.connections.get(id);
    if (!connection) return;
    this.connections.delete(id);
    connection.relayed?.dispose();
    connection.pc.close();
  }
}

/**
 * A data channel the page keeps and relays: its messages go to the worker as transferred buffers,
 * the worker's bytes come back the same way. `sent` reports keep the worker's idea of the channel's
 * unsent bytes (its back-pressure) true: one after each send that leaves the buffer short, otherwise
 * one when the buffer falls to the worker's threshold.
 */
class RelayedChannel {
  private sentTotal = 0;
  private threshold = 0;
  private waitingForLow = false;

  constructor(
    private readonly id: number,
    private readonly channel: RTCDataChannel,
    private readonly post: PostToWorker,
  ) {
    channel.binaryType = 'arraybuffer';
    channel.addEventListener('open', () => post({ op: 'open', id }));
    channel.addEventListener('message', (event: MessageEvent<unknown>) => {
      const data = event.data;
      if (data instanceof ArrayBuffer) post({ op: 'message', id, data }, [data]);
      else if (typeof data === 'string') {
        const bytes = new TextEncoder().encode(data);
        post({ op: 'message', id, data: bytes.buffer }, [bytes.buffer]);
      }
    });
    channel.addEventListener('bufferedamountlow', () => {
      if (!this.waitingForLow) return;
      this.waitingForLow = false;
      this.reportSent();
    });
    channel.addEventListener('error', (event) => post({ op: 'error', id, detail: ((event as RTCErrorEvent).error as RTCError | undefined)?.message ?? 'unknown' }));
    channel.addEventListener('close', () => post({ op: 'closed', id }));
  }

  handle(request: RtcRequest): void {
    if (request.op === 'send') {
      try {
        this.channel.send(request.data);
      } catch (err) {
        this.post({ op: 'error', id: this.id, detail: `send failed: ${reason(err)}` });
        return;
      }
      this.sentTotal += request.data.byteLength;
      if (this.channel.bufferedAmount <= this.threshold) this.reportSent();
      else this.waitingForLow = true;
    } else if (request.op === 'threshold') {
      this.threshold = request.bytes;
      this.channel.bufferedAmountLowThreshold = request.bytes;
    } else if (request.op === 'close-channel') {
      this.channel.close();
    }
  }

  dispose(): void {
    if (this.channel.readyState !== 'closed') this.channel.close();
  }

  private reportSent(): void {
    this.post({ op: 'sent', id: this.id, bytes: this.sentTotal - this.channel.bufferedAmount });
  }
}
