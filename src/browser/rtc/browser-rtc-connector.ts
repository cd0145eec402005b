import {
  checkRemoteSdp,
  RtcError,
  type AcceptedOffer,
  type PendingOffer,
  type RtcConnector,
} from '../../core/ports/rtc.js';
import type { Transport } from '../../core/ports/transport.js';
import { RtcAttempt } from '../../core/transport/rtc-attempt.js';
import { rtcConnectorSettings, type RtcConnectorOptions, type RtcConnectorSettings } from '../../core/transport/rtc-connector-options.js';
import { RtcDataChannelTransport } from './data-channel-transport.js';
import { toRtcIceServers } from './ice-config.js';
import { countCandidates, NO_CANDIDATES_MESSAGE, reason, watchGathering, watchIceFailure } from './peer-connection-util.js';

export type BrowserRtcOptions = RtcConnectorOptions;

/**
 * WebRTC on the page's RTCPeerConnection with non-trickle signalling: every SDP leaves with its
 * candidates, read once `iceGatheringState` is 'complete' (or the gathering cap passes).
 * Chromium has no RTCPeerConnection in workers, so this runs on the page (see docs/browser-webrtc.md).
 */
export class BrowserRtcConnector implements RtcConnector {
  private readonly config: RTCConfiguration;
  private readonly settings: RtcConnectorSettings;
  private readonly attempts = new Set<RtcAttempt>();

  constructor(options: BrowserRtcOptions = {}) {
    this.settings = rtcConnectorSettings(options);
    this.config = { iceServers: toRtcIceServers(this.settings.iceServers) };
  }

  async createOffer(): Promise<PendingOffer> {
    const pc = this.newPeerConnection();
    const attempt = new RtcAttempt(this.attempts, 'offer', () => pc.close());
    const gathered = watchGathering(pc);
    let answered = false;
    watchIceFailure(pc, () => attempt.iceFailed());

    let transport: RtcDataChannelTransport;
    try {
      // Ordered and reliable (no maxRetransmits / maxPacketLifeTime): a BitTorrent byte stream.
      transport = new RtcDataChannelTransport(pc, pc.createDataChannel(this.settings.channelLabel, { ordered: true }), true, this.settings.tuning);
    } catch (err) {
      const error = new RtcError('rtc/failed', `cannot open a data channel: ${reason(err)}`);
      attempt.fail(error);
      throw error;
    }
    attempt.watch(transport);

    const sdp = await this.localSdp(pc, gathered, () => attempt.failed, async () => {
      await pc.setLocalDescription(await pc.createOffer());
    });
    if (sdp instanceof RtcError) {
      attempt.fail(sdp);
      throw sdp;
    }

    return {
      sdp,
      complete: (answerSdp: string): Promise<Transport> => {
        if (attempt.settled) return attempt.connected;
        if (answered) return Promise.reject(new RtcError('rtc/failed', 'this offer already has an answer'));
        answered = true;
        let checked: string;
        try {
          checked = checkRemoteSdp(answerSdp, 'answer');
        } catch (err) {
          attempt.fail(err instanceof RtcError ? err : new RtcError('rtc/bad-sdp', reason(err)));
          return attempt.connected;
        }
        pc.setRemoteDescription({ type: 'answer', sdp: checked }).then(
          () => this.startDeadline(attempt, `no data channel ${this.settings.connectTimeoutMs} ms after the answer`),
          (err: unknown) => attempt.fail(new RtcError('rtc/bad-sdp', `the answer was refused: ${reason(err)}`)),
        );
        return attempt.connected;
      },
      cancel: () => attempt.cancel(),
    };
  }

  async acceptOffer(offerSdp: string): Promise<AcceptedOffer> {
    const checked = checkRemoteSdp(offerSdp, 'offer');
    const pc = this.newPeerConnection();
    const attempt = new RtcAttempt(this.attempts, 'answer', () => pc.close());
    const gathered = watchGathering(pc);
    this.startDeadline(attempt, `no data channel ${this.settings.connectTimeoutMs} ms after the offer`);
    watchIceFailure(pc, () => attempt.iceFailed());

    let transport: RtcDataChannelTransport | null = null;
    pc.addEventListener('datachannel', ({ channel }) => {
      // WebTorrent opens exactly one channel; anything more is not ours to carry.
      if (transport || attempt.settled) {
        channel.close();
        return;
      }
      transport = new RtcDataChannelTransport(pc, channel, false, this.settings.tuning);
      attempt.watch(transport);
    });

    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: checked });
    } catch (err) {
      const error = new RtcError('rtc/bad-sdp', `the offer was refused: ${reason(err)}`);
      attempt.fail(error);
      throw error;
    }
    const sdp = await this.localSdp(pc, gathered, () => attempt.failed, async () => {
      await pc.setLocalDescription(await pc.createAnswer());
    });
    if (sdp instanceof RtcError) {
      attempt.fail(sdp);
      throw sdp;
    }
    return { answerSdp: sdp, connected: attempt.connected, cancel: () => attempt.cancel() };
  }

  close(): void {
    for (const attempt of [...this.attempts]) attempt.cancel();
  }

  /** Not armed once the attempt has settled (setDeadline stops it at once). */
  private startDeadline(attempt: RtcAttempt, message: string): void {
    const timer = setTimeout(() => attempt.fail(new RtcError('rtc/timeout', message)), this.settings.connectTimeoutMs);
    attempt.setDeadline(() => clearTimeout(timer));
  }

  private newPeerConnection(): RTCPeerConnection {
    try {
      return new RTCPeerConnection(this.config);
    } catch (err) {
      throw new RtcError('rtc/bad-config', `cannot create a peer connection: ${reason(err)}`);
    }
  }

  /** Sets the local description, then returns it once gathering is complete (or capped), or why there is none. */
  private async localSdp(pc: RTCPeerConnection, gathered: Promise<void>, abandoned: () => boolean, describe: () => Promise<void>): Promise<string | RtcError> {
    try {
      await describe();
    } catch (err) {
      return abandoned() ? new RtcError('rtc/cancelled', 'cancelled while describing the session') : new RtcError('rtc/failed', `no local description: ${reason(err)}`);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([gathered, new Promise<void>((r) => (timer = setTimeout(r, this.settings.gatherTimeoutMs)))]);
    clearTimeout(timer);
    if (abandoned()) return new RtcError('rtc/cancelled', 'cancelled while gathering ICE candidates');
    const sdp = pc.localDescription?.sdp;
    if (!sdp) return new RtcError('rtc/failed', 'no local description was produced');
    if (countCandidates(sdp) === 0) {
      return new RtcError('rtc/failed', NO_CANDIDATES_MESSAGE);
    }
    return sdp;
  }
}
