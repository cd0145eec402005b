import type { TrackerPeer } from '../ports/tracker.js';
import { TrackerError } from './errors.js';
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from './ip.js';

export type AddressFamily = 'ipv4' | 'ipv6';

/** Bytes per compact peer: the address, then the port in network order (BEP 23, BEP 7). */
export function compactPeerLength(family: AddressFamily): number {
  return family === 'ipv4' ? 6 : 18;
}

/**
 * Peers from a compact string, at most `limit`. A trailing partial entry is ignored, as libtorrent does,
 * and so are peers with port 0, which no one can connect to.
 */
export function decodeCompactPeers(bytes: Uint8Array, family: AddressFamily, limit: number): TrackerPeer[] {
  const size = compactPeerLength(family);
  const addressLength = size - 2;
  const peers: TrackerPeer[] = [];
  for (let offset = 0; offset + size <= bytes.length && peers.length < limit; offset += size) {
    const address = bytes.subarray(offset, offset + addressLength);
    const port = (bytes[offset + addressLength]! << 8) | bytes[offset + addressLength + 1]!;
    if (port === 0) continue;
    peers.push({ host: family === 'ipv4' ? formatIpv4(address) : formatIpv6(address), port });
  }
  return peers;
}

/** The compact string for `peers`, all of one family. */
export function encodeCompactPeers(peers: readonly TrackerPeer[], family: AddressFamily): Uint8Array {
  const size = compactPeerLength(family);
  const out = new Uint8Array(peers.length * size);
  peers.forEach((peer, i) => {
    const address = family === 'ipv4' ? parseIpv4(peer.host) : parseIpv6(peer.host);
    if (address === null) throw new TrackerError('tracker/bad-request', `not an ${family} address: ${peer.host.slice(0, 60)}`);
    if (!Number.isInteger(peer.port) || peer.port < 0 || peer.port > 65535) {
      throw new TrackerError('tracker/bad-request', `peer port out of range: ${peer.port}`);
    }
    out.set(address, i * size);
    out[i * size + size - 2] = peer.port >> 8;
    out[i * size + size - 1] = peer.port & 255;
  });
  return out;
}
