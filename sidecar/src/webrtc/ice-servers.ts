import type { IceServer } from 'node-datachannel';
import { RtcError, type RtcIceServer } from '../../../src/core/ports/rtc.js';

const URL_PATTERN = /^(stun|stuns|turn|turns):(\[[0-9a-fA-F:.]+\]|[^:?@/\s]+)(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/;

/**
 * Browser-style ICE servers → node-datachannel's form. TURN goes as an object so that a username or
 * credential containing ':' or '@' cannot be misread as part of the host.
 */
export function toNativeIceServers(servers: readonly RtcIceServer[]): IceServer[] {
  const out: IceServer[] = [];
  for (const server of servers) {
    const urls = typeof server.urls === 'string' ? [server.urls] : server.urls;
    for (const url of urls) {
      const m = URL_PATTERN.exec(url);
      if (!m) throw new RtcError('rtc/bad-config', `'${url}' is not a stun:, stuns:, turn: or turns: URL`);
      const scheme = m[1]!;
      const hostname = m[2]!.replace(/^\[|\]$/g, '');
      const secure = scheme.endsWith('s');
      const port = m[3] ? Number(m[3]) : secure ? 5349 : 3478;
      if (!(port > 0 && port < 65536)) throw new RtcError('rtc/bad-config', `'${url}' has port ${port}`);
      if (scheme.startsWith('stun')) {
        out.push({ hostname, port });
        continue;
      }
      if (server.username === undefined || server.credential === undefined) {
        throw new RtcError('rtc/bad-config', `TURN server '${url}' needs a username and a credential`);
      }
      const relayType = secure ? 'TurnTls' : m[4] === 'tcp' ? 'TurnTcp' : 'TurnUdp';
      out.push({ hostname, port, username: server.username, password: server.credential, relayType });
    }
  }
  return out;
}
