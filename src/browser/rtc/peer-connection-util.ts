/** Small pieces shared by the page's RTC code (the connector and the worker's RTC host). */

/** The first line of an error's message. */
export function reason(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

export function countCandidates(sdp: string): number {
  return sdp.match(/^a=candidate:/gm)?.length ?? 0;
}

/** Why an SDP without candidates is useless, in words a person can act on. */
export const NO_CANDIDATES_MESSAGE =
  'no ICE candidates were gathered (on a loopback-only host Chromium needs camera/microphone permission and --allow-loopback-in-peer-connection)';

/** Registered before the local description is set, so 'complete' cannot slip past unseen. */
export function watchGathering(pc: RTCPeerConnection): Promise<void> {
  return new Promise<void>((resolve) => {
    const check = () => {
      if (pc.iceGatheringState !== 'complete') return;
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    pc.addEventListener('icegatheringstatechange', check);
  });
}

export function watchIceFailure(pc: RTCPeerConnection, onFailed: () => void): void {
  pc.addEventListener('iceconnectionstatechange', () => {
    if (pc.iceConnectionState === 'failed') onFailed();
  });
}
