import { toHex } from '../util/hex.js';
import { MagnetError } from './errors.js';
import { formatPeerAddress } from './peer-address.js';
import { formatSelectOnly } from './select-only.js';
import type { MagnetLink } from './types.js';

function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    throw new MagnetError('magnet/bad-encoding', 'magnet value contains an unpaired UTF-16 surrogate');
  }
}

/**
 * Formats a magnet URI: xt (btih, then btmh), dn, tr, ws, xs, as, so, x.pe, then `extra`, each list in
 * its order. Hashes are lower-case hex; every other value is percent-encoded (space as %20).
 */
export function formatMagnet(link: MagnetLink): string {
  const params: string[] = [];
  if (link.infoHash !== null) {
    if (link.infoHash.length !== 20) throw new MagnetError('magnet/bad-btih', 'a v1 info hash is 20 bytes');
    params.push(`xt=urn:btih:${toHex(link.infoHash)}`);
  }
  if (link.infoHashV2 !== null) {
    if (link.infoHashV2.length !== 32) throw new MagnetError('magnet/bad-btmh', 'a v2 info hash is 32 bytes');
    params.push(`xt=urn:btmh:1220${toHex(link.infoHashV2)}`);
  }
  if (params.length === 0) {
    throw new MagnetError('magnet/missing-xt', 'a magnet link needs a v1 or v2 info hash');
  }
  if (link.name !== null) params.push(`dn=${encode(link.name)}`);
  for (const url of link.trackers) params.push(`tr=${encode(url)}`);
  for (const url of link.webSeeds) params.push(`ws=${encode(url)}`);
  for (const url of link.exactSources) params.push(`xs=${encode(url)}`);
  for (const url of link.acceptableSources) params.push(`as=${encode(url)}`);
  if (link.selectOnly.length > 0) params.push(`so=${formatSelectOnly(link.selectOnly)}`);
  for (const peer of link.peers) params.push(`x.pe=${encode(formatPeerAddress(peer))}`);
  for (const [key, value] of link.extra) params.push(`${encode(key)}=${encode(value)}`);
  return `magnet:?${params.join('&')}`;
}
