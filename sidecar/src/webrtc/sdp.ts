/**
 * Rewrites a remote offer's `a=setup:actpass` to `a=setup:active` before libdatachannel reads it, so
 * that our answer says `a=setup:passive` and the offerer becomes the DTLS client.
 *
 * Why: libdatachannel drops DTLS records that arrive before its own ICE transport is connected. As
 * the default (active) answerer we would send our ClientHello as soon as our ICE checks succeed,
 * which is usually before the offerer has even received our answer; the offerer drops it and OpenSSL
 * retransmits only after 1 s. As the passive side we wait for the offerer's ClientHello instead, and
 * the offerer can only send it after it has our answer. An offer must say actpass (Chromium rejects
 * anything else), but an answer may pick either role, so this is standard from the far side's view.
 */
export function answerAsDtlsServer(offerSdp: string): string {
  return offerSdp.replace(/^a=setup:actpass(?=\r?$)/gm, 'a=setup:active');
}

/** Number of `a=candidate:` lines: a non-trickle SDP without any is useless to the far side. */
export function countCandidates(sdp: string): number {
  return sdp.match(/^a=candidate:/gm)?.length ?? 0;
}
