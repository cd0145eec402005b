import { fromBase32 } from '../util/base32.js';
import { bytesEqual } from '../util/bytes.js';
import { fromHex } from '../util/hex.js';
import { MagnetError } from './errors.js';
import { parsePeerAddress } from './peer-address.js';
import { parseSelectOnly } from './select-only.js';
import type { FileIndexRange, MagnetLink, PeerAddress } from './types.js';

/** Real magnets with dozens of trackers stay under a few KiB; anything past 64 KiB is not a link someone pasted. */
export const MAX_MAGNET_LENGTH = 65536;

const PREFIX = 'magnet:?';
const BTIH = 'urn:btih:';
const BTMH = 'urn:btmh:';
// multihash: 0x12 = sha2-256, 0x20 = 32 bytes
const SHA256_MULTIHASH = '1220';

function decode(text: string, plusIsSpace: boolean): string {
  try {
    return decodeURIComponent(plusIsSpace ? text.replace(/\+/g, ' ') : text);
  } catch {
    throw new MagnetError('magnet/bad-encoding', `magnet parameter '${text.slice(0, 64)}' has a bad percent escape`);
  }
}

function parseBtih(value: string): Uint8Array {
  const text = value.slice(BTIH.length);
  let bytes: Uint8Array | null = null;
  if (text.length === 40) bytes = fromHex(text);
  else if (text.length === 32) bytes = fromBase32(text);
  if (bytes === null || bytes.length !== 20) {
    throw new MagnetError(
      'magnet/bad-btih',
      `magnet btih info hash must be 40 hex or 32 base32 characters, got ${text.length} characters`,
    );
  }
  return bytes;
}

function parseBtmh(value: string): Uint8Array {
  const text = value.slice(BTMH.length);
  const bytes = text.length === 68 && text.startsWith(SHA256_MULTIHASH) ? fromHex(text.slice(4)) : null;
  if (bytes === null) {
    throw new MagnetError('magnet/bad-btmh', 'magnet btmh info hash must be a SHA-256 multihash: 1220 then 64 hex digits');
  }
  return bytes;
}

function setHash(current: Uint8Array | null, next: Uint8Array): Uint8Array {
  if (current !== null && !bytesEqual(current, next)) {
    throw new MagnetError('magnet/conflicting-xt', 'magnet link has two different info hashes of the same kind');
  }
  return next;
}

/**
 * Parses a magnet URI. Known parameters become typed fields; every other parameter is kept in `extra`.
 * Throws MagnetError (never anything else) on input that is not a usable BitTorrent magnet.
 */
export function parseMagnet(uri: string): MagnetLink {
  if (uri.length > MAX_MAGNET_LENGTH) {
    throw new MagnetError('magnet/too-long', `magnet link is ${uri.length} characters; the limit is ${MAX_MAGNET_LENGTH}`);
  }
  const trimmed = uri.trim();
  if (trimmed.slice(0, PREFIX.length).toLowerCase() !== PREFIX) {
    throw new MagnetError('magnet/not-a-magnet', "not a magnet link (it must start with 'magnet:?')");
  }
  let infoHash: Uint8Array | null = null;
  let infoHashV2: Uint8Array | null = null;
  let name: string | null = null;
  const trackers: string[] = [];
  const webSeeds: string[] = [];
  const exactSources: string[] = [];
  const acceptableSources: string[] = [];
  let selectOnly: FileIndexRange[] | null = null;
  const peers: PeerAddress[] = [];
  const extra: (readonly [string, string])[] = [];

  for (const param of trimmed.slice(PREFIX.length).split('&')) {
    if (param === '') continue;
    const eq = param.indexOf('=');
    const key = decode(eq < 0 ? param : param.slice(0, eq), false);
    const raw = eq < 0 ? '' : param.slice(eq + 1);
    if (key === 'dn') {
      if (name !== null) throw new MagnetError('magnet/duplicate-param', 'magnet link has more than one dn (name)');
      name = decode(raw, true);
      continue;
    }
    const value = decode(raw, false);
    if (key === 'xt' || /^xt\.[0-9]+$/.test(key)) {
      const lower = value.slice(0, BTIH.length).toLowerCase();
      if (lower === BTIH) infoHash = setHash(infoHash, parseBtih(value));
      else if (lower === BTMH) infoHashV2 = setHash(infoHashV2, parseBtmh(value));
      else extra.push([key, value]);
    } else if (key === 'tr') trackers.push(value);
    else if (key === 'ws') webSeeds.push(value);
    else if (key === 'xs') exactSources.push(value);
    else if (key === 'as') acceptableSources.push(value);
    else if (key === 'x.pe') peers.push(parsePeerAddress(value));
    else if (key === 'so') {
      if (selectOnly !== null) throw new MagnetError('magnet/duplicate-param', 'magnet link has more than one so (select only)');
      selectOnly = parseSelectOnly(value);
    } else extra.push([key, value]);
  }
  if (infoHash === null && infoHashV2 === null) {
    throw new MagnetError('magnet/missing-xt', 'magnet link has no BitTorrent info hash (xt=urn:btih:… or xt=urn:btmh:…)');
  }
  return {
    infoHash,
    infoHashV2,
    name,
    trackers,
    webSeeds,
    exactSources,
    acceptableSources,
    selectOnly: selectOnly ?? [],
    peers,
    extra,
  };
}
