import type { SluiceError } from '../../core/errors.js';
import {
  checkRemoteSdp,
  DEFAULT_ICE_SERVERS,
  RtcError,
  type AcceptedOffer,
  type PendingOffer,
  type RtcConnector,
  type RtcIceServer,
} from '../../core/ports/rtc.js';
import type { Transport } from '../../core/ports/transport.js';
import { RtcDataChannelTransport } from './data-channel-transport.js';
import { DEFAULT_DATA_CHANNEL_TUNING, type DataChannelTuning } from '../../core/ports/rtc.js';
import { toRtcIceServers } from './ice-config.js';
import { deferred } from '../../core/util/deferred.js';

export interface BrowserRtcOptions {
  /** Default: public STUN (DEFAULT_ICE_SERVERS). Tests on loopback pass `[]`. */
  readonly iceServers?: readonly RtcIceServer[];
  /** Cap on ICE gathering (an unreachable STUN server would otherwise hold the SDP back). Default 1500 ms. */
  readonly gatherTimeoutMs?: number;
  /** From the answer being applied (offerer) or the offer arriving (answerer) to an open channel. Default 25 s, as WebTorrent. */
  readonly connectTimeoutMs?: number;
  /** Label of the data channel we open (libtorrent's; simple-peer uses random hex, any label is accepted). */
  readonly channelLabel?: string;
  readonly tuning?: Partial<DataChannelTuning>;
}

function reason(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

function countCandidates(sdp: string): number {
  return sdp.match(/^a=candidate:/gm)?.length ?? 0;
}

/**
 * WebRTC on the page's RTCPeerConnection with non-trickle signalling: every SDP leaves with its
 * candidates, read once `iceGatheringState` is 'complete' (or the gathering cap passes).
 * Chromium has no RTCPeerConnection in workers, so this runs on the page (see docs/browser-webrtc.md).
 */
export class BrowserRtcConnector implements RtcConnector {
  private readonly config: RTCConfiguration;
  private readonly tuning: DataChannelTuning;
  private readonly gatherTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly channelLabel: string;
  private readonly attempts = new Set<{ cancel(): void }>();

  constructor(options: BrowserRtcOptions = {}) {
    this.config = { iceServers: toRtcIceServers(options.iceServers ?? DEFAULT_ICE_SERVERS) };
    this.tuning = { ...DEFAULT_DATA_CHANNEL_TUNING, ...options.tuning };
    this.gatherTimeoutMs = options.gatherTimeoutMs ?? 1500;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 25_000;
    this.channelLabel = options.channelLabel ?? 'webtorrent';
  }

  async createOffer(): Promise<PendingOffer> {
    const pc = this.newPeerConnection();
    const opened = deferred<Transport>();
    const gathered = watchGathering(pc);
    let state: 'offered' | 'completing' | 'done' = 'offered';
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = {
      cancel: () => {
        if (!opened.settled()) fail(new RtcError('rtc/cancelled', 'the offer was cancelled'));
      },
    };
    const fail = (error: SluiceError) => {
      state = 'done';
      clearTimeout(timer);
      this.attempts.delete(attempt);
      pc.close();
      opened.reject(error);
    };
    this.attempts.add(attempt);
    watchIceFailure(pc, () => {
      if (!opened.settled()) fail(new RtcError('rtc/failed', 'ICE found no working path to the peer'));
    });

    let transport: RtcDataChannelTransport;
    try {
      // Ordered and reliable (no maxRetransmits / maxPacketLifeTime): a BitTorrent byte stream.
      transport = new RtcDataChannelTransport(pc, pc.createDataChannel(this.channelLabel, { ordered: true }), true, this.tuning);
    } catch (err) {
      const error = new RtcError('rtc/failed', `cannot open a data channel: ${reason(err)}`);
      fail(error);
      throw error;
    }
    transport.watch(
      () => {
        state = 'done';
        clearTimeout(timer);
        this.attempts.delete(attempt);
        opened.resolve(transport);
      },
      (error) => fail(new RtcError('rtc/failed', `the connection closed before its data channel opened${error ? `: ${error.message}` : ''}`)),
    );

    const sdp = await this.localSdp(pc, gathered, () => opened.rejected(), async () => {
      await pc.setLocalDescription(await pc.createOffer());
    });
    if (sdp instanceof RtcError) {
      fail(sdp);
      throw sdp;
    }

    return {
      sdp,
      complete: (answerSdp: string): Promise<Transport> => {
        if (state !== 'offered') {
          return opened.settled() ? opened.promise : Promise.reject(new RtcError('rtc/failed', 'this offer already has an answer'));
        }
        state = 'completing';
        let checked: string;
        try {
          checked = checkRemoteSdp(answerSdp, 'answer');
        } catch (err) {
          fail(err instanceof RtcError ? err : new RtcError('rtc/bad-sdp', reason(err)));
          return opened.promise;
        }
        pc.setRemoteDescription({ type: 'answer', sdp: checked }).then(
          () => {
            if (!opened.settled()) {
              timer = setTimeout(() => fail(new RtcError('rtc/timeout', `no data channel ${this.connectTimeoutMs} ms after the answer`)), this.connectTimeoutMs);
            }
          },
          (err: unknown) => fail(new RtcError('rtc/bad-sdp', `the answer was refused: ${reason(err)}`)),
        );
        return opened.promise;
      },
      cancel: attempt.cancel,
    };
  }

  async acceptOffer(offerSdp: string): Promise<AcceptedOffer> {
    const checked = checkRemoteSdp(offerSdp, 'offer');
    const pc = this.newPeerConnection();
    const opened = deferred<Transport>();
    const gathered = watchGathering(pc);
    let transport: RtcDataChannelTransport | null = null;
    const attempt = {
      cancel: () => {
        if (!opened.settled()) fail(new RtcError('rtc/cancelled', 'the answer was cancelled'));
      },
    };
    const fail = (error: SluiceError) => {
      clearTimeout(timer);
      this.attempts.delete(attempt);
      pc.close();
      opened.reject(error);
    };
    this.attempts.add(attempt);
    const timer = setTimeout(() => fail(new RtcError('rtc/timeout', `no data channel ${this.connectTimeoutMs} ms after the offer`)), this.connectTimeoutMs);
    watchIceFailure(pc, () => {
      if (!opened.settled()) fail(new RtcError('rtc/failed', 'ICE found no working path to the peer'));
    });

    pc.addEventListener('datachannel', ({ channel }) => {
      // WebTorrent opens exactly one channel; anything more is not ours to carry.
      if (transport || opened.settled()) {
        channel.close();
        return;
      }
      const t = new RtcDataChannelTransport(pc, channel, false, this.tuning);
      transport = t;
      t.watch(
        () => {
          clearTimeout(timer);
          this.attempts.delete(attempt);
          opened.resolve(t);
        },
        (error) => fail(new RtcError('rtc/failed', `the connection closed before its data channel opened${error ? `: ${error.message}` : ''}`)),
      );
    });

    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: checked });
    } catch (err) {
      const error = new RtcError('rtc/bad-sdp', `the offer was refused: ${reason(err)}`);
      fail(error);
      throw error;
    }
    const sdp = await this.localSdp(pc, gathered, () => opened.rejected(), async () => {
      await pc.setLocalDescription(await pc.createAnswer());
    });
    if (sdp instanceof RtcError) {
      fail(sdp);
      throw sdp;
    }
    return { answerSdp: sdp, connected: opened.promise, cancel: attempt.cancel };
  }

  close(): void {
    for (const attempt of [...this.attempts]) attempt.cancel();
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
    await Promise.race([gathered, new Promise<void>((r) => (timer = setTimeout(r, this.gatherTimeoutMs)))]);
    clearTimeout(timer);
    if (abandoned()) return new RtcError('rtc/cancelled', 'cancelled while gathering ICE candidates');
    const sdp = pc.localDescription?.sdp;
    if (!sdp) return new RtcError('rtc/failed', 'no local description was produced');
    if (countCandidates(sdp) === 0) {
      return new RtcError('rtc/failed', 'no ICE candidates were gathered (on a loopback-only host Chromium needs camera/microphone permission and --allow-loopback-in-peer-connection)');
    }
    return sdp;
  }
}

/** Registered before the local description is set, so 'complete' cannot slip past unseen. */
function watchGathering(pc: RTCPeerConnection): Promise<void> {
  return new Promise<void>((resolve) => {
    const check = () => {
      if (pc.iceGatheringState !== 'complete') return;
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    pc.addEventListener('icegatheringstatechange', check);
  });
}

function watchIceFailure(pc: RTCPeerConnection, onFailed: () => void): void {
  pc.addEventListener('iceconnectionstatechange', () => {
    if (pc.iceConnectionState === 'failed') onFailed();
  });
}
