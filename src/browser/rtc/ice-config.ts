import { RtcError, type RtcIceServer } from '../../core/ports/rtc.js';

const URL_PATTERN = /^(stun|stuns|turn|turns):(\[[0-9a-fA-F:.]+\]|[^:?@/\s]+)(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/;

/**
 * Checks ICE servers up front, with the same rules as the Node connector, so a bad configuration is
 * an `rtc/bad-config` at construction rather than a DOMException from every RTCPeerConnection later.
 * Returns mutable copies in the shape RTCConfiguration wants.
 */
export function toRtcIceServers(servers: readonly RtcIceServer[]): RTCIceServer[] {
  return servers.map((server) => {
    const urls = typeof server.urls === 'string' ? [server.urls] : [...server.urls];
    for (const url of urls) {
      const m = URL_PATTERN.exec(url);
      if (!m) throw new RtcError('rtc/bad-config', `'${url}' is not a stun:, stuns:, turn: or turns: URL`);
      if (m[3] !== undefined && !(Number(m[3]) > 0 && Number(m[3]) < 65536)) throw new RtcError('rtc/bad-config', `'${url}' has port ${m[3]}`);
      if (m[1]!.startsWith('turn') && (server.username === undefined || server.credential === undefined)) {
        throw new RtcError('rtc/bad-config', `TURN server '${url}' needs a username and a credential`);
      }
    }
    return {
      urls,
      ...(server.username !== undefined && { username: server.username }),
      ...(server.credential !== undefined && { credential: server.credential }),
    };
  });
}
