import { checkRemoteSdp, RtcError, type AcceptedOffer, type PendingOffer, type RtcConnector } from '../../core/ports/rtc.js';
import type { Transport } from '../../core/ports/transport.js';
import { DataChannelTransport } from '../../core/transport/data-channel-transport.js';
import { RtcAttempt } from '../../core/transport/rtc-attempt.js';
import { rtcConnectorSettings, type RtcConnectorOptions, type RtcConnectorSettings } from '../../core/transport/rtc-connector-options.js';
import { deferred } from '../../core/util/deferred.js';
import type { RtcEvent, RtcRequest } from '../rtc/rtc-messages.js';
import { browserScheduler, type RtcChannelPort } from '../rtc/rtc-channel-port.js';
import { ConnectionFacts, RelayedChannelPort, transferredChannelPort } from './worker-channel-ports.js';

interface Pending {
  readonly attempt: RtcAttempt;
  readonly outgoing: boolean;
  readonly facts: ConnectionFacts;
  /** The SDP the page produced (offer or answer), or why it could not. */
  readonly sdp: ReturnType<typeof deferred<string>>;
  relay: RelayedChannelPort | null;
  transport: DataChannelTransport | null;
}

/**
 * The worker's RtcConnector: the RTCPeerConnections live on the page (RtcHost), the data channels
 * (or their relayed bytes) here. Timeouts and the attempt's outcome are decided here, as the
 * connectors in Node and on the page decide them.
 */
export class PageRtcConnector implements RtcConnector {
  private readonly settings: RtcConnectorSettings;
  private readonly attempts = new Set<RtcAttempt>();
  private readonly connections = new Map<number, Pending>();
  private nextId = 1;

  constructor(
    private readonly post: (request: RtcRequest, transfer?: Transferable[]) => void,
    options: RtcConnectorOptions = {},
  ) {
    this.settings = rtcConnectorSettings(options);
  }

  /** An event from the page's RtcHost. */
  handle(event: RtcEvent): void {
    const c = this.connections.get(event.id);
    if (!c) {
      // A channel for an attempt already given up: close it, so its peer connection goes too.
      if (event.op === 'channel') event.channel.close();
      return;
    }
    switch (event.op) {
      case 'channel':
        this.adopt(c, transferredChannelPort(event.channel, c.facts, () => this.closePeer(event.id)));
        return;
      case 'relay':
        c.relay = new RelayedChannelPort(event.id, event.state, c.facts, this.post);
        this.adopt(c, c.relay);
        return;
      case 'offer-ready':
      case 'answer-ready':
        c.sdp.resolve(event.sdp);
        return;
      case 'failed': {
        const error = new RtcError(event.code, event.message);
        c.sdp.reject(error);
        c.attempt.fail(error);
        return;
      }
      case 'connected':
        c.facts.remoteAddress = event.remoteAddress;
        c.facts.maxMessageSize = event.maxMessageSize;
        return;
      case 'connection-failed':
        if (!c.attempt.settled) c.attempt.iceFailed();
        else c.facts.connectionFailed();
        return;
      default:
        c.relay?.handle(event);
    }
  }

  async createOffer(): Promise<PendingOffer> {
    const { id, pending } = this.start('offer', true);
    this.post({ op: 'offer', id });
    const sdp = await pending.sdp.promise;
    let answered = false;
    return {
      sdp,
      complete: (answerSdp: string): Promise<Transport> => {
        if (pending.attempt.settled) return pending.attempt.connected;
        if (answered) return Promise.reject(new RtcError('rtc/failed', 'this offer already has an answer'));
        answered = true;
        try {
          this.post({ op: 'answer', id, sdp: checkRemoteSdp(answerSdp, 'answer') });
        } catch (err) {
          pending.attempt.fail(err instanceof RtcError ? err : new RtcError('rtc/bad-sdp', String(err)));
          return pending.attempt.connected;
        }
        this.startDeadline(pending.attempt, `no data channel ${this.settings.connectTimeoutMs} ms after the answer`);
        return pending.attempt.connected;
      },
      cancel: () => pending.attempt.cancel(),
    };
  }

  async acceptOffer(offerSdp: string): Promise<AcceptedOffer> {
    const checked = checkRemoteSdp(offerSdp, 'offer');
    const { id, pending } = this.start('answer', false);
    this.startDeadline(pending.attempt, `no data channel ${this.settings.connectTimeoutMs} ms after the offer`);
    this.post({ op: 'accept', id, sdp: checked });
    const answerSdp = await pending.sdp.promise;
    return { answerSdp, connected: pending.attempt.connected, cancel: () => pending.attempt.cancel() };
  }

  close(): void {
    for (const attempt of [...this.attempts]) attempt.cancel();
  }

  private start(side: 'offer' | 'answer', outgoing: boolean): { id: number; pending: Pending } {
    const id = this.nextId++;
    const sdp = deferred<string>();
    const attempt = new RtcAttempt(this.attempts, side, () => {
      sdp.reject(new RtcError('rtc/cancelled', `the ${side} was cancelled`));
      const c = this.connections.get(id);
      if (c?.transport) c.transport.close();
      this.closePeer(id);
    });
    const pending: Pending = { attempt, outgoing, facts: new ConnectionFacts(), sdp, relay: null, transport: null };
    this.connections.set(id, pending);
    return { id, pending };
  }

  private adopt(c: Pending, port: RtcChannelPort | RelayedChannelPort): void {
    if (c.transport) return;
    c.transport = new DataChannelTransport(port, c.outgoing, this.settings.tuning, browserScheduler);
    c.attempt.watch(c.transport);
  }

  private closePeer(id: number): void {
    if (!this.connections.delete(id)) return;
    this.post({ op: 'close', id });
  }

  private startDeadline(attempt: RtcAttempt, message: string): void {
    const timer = setTimeout(() => attempt.fail(new RtcError('rtc/timeout', message)), this.settings.connectTimeoutMs);
    attempt.setDeadline(() => clearTimeout(timer));
  }
}
