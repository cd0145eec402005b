import { SluiceError } from '../errors.js';
import { fromHex, toHex } from '../util/hex.js';

/** Local Service Discovery (BEP 14): the well-known port and multicast groups. */
export const LSD_PORT = 6771;
export const LSD_IPV4_GROUP = '239.192.152.143';
export const LSD_IPV6_GROUP = 'ff15::efc0:988f';

/** Anything longer is not an announce: a real one carries a few headers and one or two info hashes. */
export const LSD_MAX_MESSAGE_BYTES = 4096;
/** libtorrent sends one info hash per message; a message naming more than this is refused outright. */
export const LSD_MAX_INFO_HASHES = 32;
const MAX_COOKIE_LENGTH = 64;

export type LsdErrorCode = 'lsd/too-long' | 'lsd/not-an-announce' | 'lsd/bad-header' | 'lsd/bad-port' | 'lsd/bad-info-hash' | 'lsd/too-many-info-hashes' | 'lsd/bad-cookie';

export class LsdError extends SluiceError<LsdErrorCode> {
  override readonly name = 'LsdError';
}

export interface LsdAnnounce {
  /** The TCP port the sender listens on; the address comes from the datagram. */
  readonly port: number;
  /** 20-byte info hashes (v1, or the truncated v2 hash a v2-only torrent uses on the wire). */
  readonly infoHashes: readonly Uint8Array[];
  /** Lets a sender recognise its own announces, which multicast loops back to it. */
  readonly cookie: string | null;
}

/** One BT-SEARCH datagram for one torrent, as libtorrent writes it. */
export function encodeLsdAnnounce(announce: { readonly group: string; readonly port: number; readonly infoHash: Uint8Array; readonly cookie?: string }): Uint8Array {
  const host = announce.group.includes(':') ? `[${announce.group}]` : announce.group;
  let text = `BT-SEARCH * HTTP/1.1\r\nHost: ${host}:${LSD_PORT}\r\nPort: ${announce.port}\r\nInfohash: ${toHex(announce.infoHash)}\r\n`;
  if (announce.cookie !== undefined) text += `cookie: ${announce.cookie}\r\n`;
  text += '\r\n\r\n';
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Parses one LSD datagram. Header names are case-insensitive; bare LF line ends are accepted too. */
export function parseLsdAnnounce(bytes: Uint8Array): LsdAnnounce {
  if (bytes.length > LSD_MAX_MESSAGE_BYTES) throw new LsdError('lsd/too-long', `LSD message of ${bytes.length} bytes is over the ${LSD_MAX_MESSAGE_BYTES}-byte limit`);
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]!);
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  if (!/^BT-SEARCH \* HTTP\/1\.[01]$/.test(lines[0] ?? '')) throw new LsdError('lsd/not-an-announce', 'LSD message does not start with "BT-SEARCH * HTTP/1.1"');
  let port: number | null = null;
  let cookie: string | null = null;
  const infoHashes: Uint8Array[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new LsdError('lsd/bad-header', `LSD header line ${i} has no "name: value" form`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'port') {
      if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) throw new LsdError('lsd/bad-port', `LSD Port '${value.slice(0, 16)}' is not a port number`);
      port = Number(value);
    } else if (name === 'infohash') {
      const hash = value.length === 40 ? fromHex(value) : null;
      if (!hash) throw new LsdError('lsd/bad-info-hash', `LSD Infohash '${value.slice(0, 48)}' is not 40 hex digits`);
      if (infoHashes.length === LSD_MAX_INFO_HASHES) throw new LsdError('lsd/too-many-info-hashes', `LSD message names more than ${LSD_MAX_INFO_HASHES} info hashes`);
      infoHashes.push(hash);
    } else if (name === 'cookie') {
      if (value.length > MAX_COOKIE_LENGTH) throw new LsdError('lsd/bad-cookie', `LSD cookie is longer than ${MAX_COOKIE_LENGTH} characters`);
      cookie = value;
    }
  }
  if (port === null) throw new LsdError('lsd/bad-port', 'LSD message has no Port header');
  if (infoHashes.length === 0) throw new LsdError('lsd/bad-info-hash', 'LSD message has no Infohash header');
  return { port, infoHashes, cookie };
}
