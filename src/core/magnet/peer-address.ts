import { MagnetError } from './errors.js';
import type { PeerAddress } from './types.js';

const HOST = /^[A-Za-z0-9.-]+$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;
const PORT = /^[0-9]{1,5}$/;

function badPeer(text: string): MagnetError {
  return new MagnetError('magnet/bad-peer', `magnet x.pe peer '${text.slice(0, 64)}' is not host:port or [ipv6]:port`);
}

/** Parses `host:port`, `1.2.3.4:port` or `[v6]:port` (port 1–65535). */
export function parsePeerAddress(text: string): PeerAddress {
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']:');
    if (close < 0) throw badPeer(text);
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    if (!IPV6.test(host) || !host.includes(':')) throw badPeer(text);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) throw badPeer(text);
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (!HOST.test(host)) throw badPeer(text);
  }
  if (!PORT.test(portText)) throw badPeer(text);
  const port = Number(portText);
  if (port < 1 || port > 65535) throw badPeer(text);
  return { host, port };
}

export function formatPeerAddress(peer: PeerAddress): string {
  return peer.host.includes(':') ? `[${peer.host}]:${peer.port}` : `${peer.host}:${peer.port}`;
}
