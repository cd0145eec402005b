/**
 * Peer ids: our own (`makePeerId`) and the client name and version behind someone else's
 * (`identifyClient`). Styles understood: Azureus (`-XXvvvv-`, nearly every modern client),
 * Shad0w (`S58B-----`), mainline (`M4-3-6--`), Tixati, aria2 and BitComet's old `exbc`.
 * Anything else is `Unknown (<first 8 bytes>)`, non-printable bytes written `%XX`.
 * Bad input is normal: any byte string (even empty) gets an answer; nothing here throws except
 * `makePeerId` when given too little randomness.
 */
import { SluiceError } from './errors.js';
import { AZUREUS_CLIENTS, MAINLINE_CLIENTS, SHADOW_CLIENTS } from './peer-id/clients.js';
import { twoMajorTwoMinor } from './peer-id/versions.js';
import { SLUICE_VERSION } from './version.js';

export const PEER_ID_LENGTH = 20;
const RANDOM_LENGTH = 12;

export type PeerIdStyle = 'azureus' | 'shadow' | 'mainline' | 'other' | 'unknown';

export interface ClientInfo {
  /** The client's name, e.g. `qBittorrent`, or `Unknown`. */
  readonly name: string;
  /** Its version as the client writes it, e.g. `4.6.3`; null when the id carries none. */
  readonly version: string | null;
  /** What to show a person: `qBittorrent 4.6.3`, `Unknown (-XY1234-)`. */
  readonly label: string;
  readonly style: PeerIdStyle;
}

export type PeerIdErrorCode = 'peer-id/not-enough-randomness' | 'peer-id/bad-version';

export class PeerIdError extends SluiceError<PeerIdErrorCode> {
  override readonly name = 'PeerIdError';
}

/** libtorrent's fingerprint digit: 0-9 then A-Z. */
function versionChar(n: number): string {
  if (n < 10) return String.fromCharCode(48 + n);
  return String.fromCharCode(55 + n);
}

/** `-SL` + major, minor, patch and a 0 tag as libtorrent fingerprint digits: 0.1.0 → `-SL0100-`. */
export function azureusPrefix(code: string, version: string): string {
  const parts = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  const nums = parts === null ? [] : parts.slice(1, 4).map(Number);
  if (code.length !== 2 || nums.length !== 3 || nums.some((n) => n > 35)) {
    throw new PeerIdError('peer-id/bad-version', `cannot encode ${code} ${version} in a peer id prefix`);
  }
  return `-${code}${nums.map(versionChar).join('')}0-`;
}

export const SLUICE_PEER_ID_PREFIX = azureusPrefix('SL', SLUICE_VERSION);

// URL-safe and printable, so our id reads well in logs and costs no escaping in HTTP announces or
// WebSocket-tracker JSON (as libtorrent's and WebTorrent's ids do). 64 symbols: 6 bits per byte.
const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_';

/** Our 20-byte peer id: `-SL0100-` followed by 12 printable characters drawn from `randomBytes`. */
export function makePeerId(randomBytes: Uint8Array): Uint8Array {
  if (randomBytes.length < RANDOM_LENGTH) {
    throw new PeerIdError(
      'peer-id/not-enough-randomness',
      `a peer id needs ${RANDOM_LENGTH} random bytes, got ${randomBytes.length}`,
    );
  }
  const out = new Uint8Array(PEER_ID_LENGTH);
  for (let i = 0; i < SLUICE_PEER_ID_PREFIX.length; i++) out[i] = SLUICE_PEER_ID_PREFIX.charCodeAt(i);
  for (let i = 0; i < RANDOM_LENGTH; i++) {
    out[SLUICE_PEER_ID_PREFIX.length + i] = ID_ALPHABET.charCodeAt(randomBytes[i]! & 63);
  }
  return out;
}

/** The first 8 bytes, printable ASCII as is and anything else (and `%`) as `%XX`. */
export function printablePrefix(peerId: Uint8Array): string {
  let out = '';
  for (const b of peerId.subarray(0, 8)) {
    out += b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function info(name: string, version: string | null, style: PeerIdStyle): ClientInfo {
  return { name, version, label: version === null ? name : `${name} ${version}`, style };
}

const SHADOW_DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.-';

/** Shad0w style: a client letter, up to 5 version characters padded with dashes, then `---`. */
function shadow(id: string): ClientInfo | null {
  const name = SHADOW_CLIENTS.get(id[0] ?? '');
  if (name === undefined || id.length < 9 || id.slice(6, 9) !== '---') return null;
  const digits = id.slice(1, 6).replace(/-+$/, '');
  if (digits.length === 0) return null;
  const nums: number[] = [];
  for (const ch of digits) {
    const n = SHADOW_DIGITS.indexOf(ch);
    if (n < 0) return null;
    nums.push(n);
  }
  return info(name, nums.join('.'), 'shadow');
}

function mainline(id: string): ClientInfo | null {
  const m = /^([MQ])(\d+)-(\d+)-(\d+)-+$/.exec(id.slice(0, 8));
  if (m === null) return null;
  return info(MAINLINE_CLIENTS.get(m[1]!)!, `${m[2]}.${m[3]}.${m[4]}`, 'mainline');
}

function other(id: string, bytes: Uint8Array): ClientInfo | null {
  if (id.startsWith('TIX') && id.length >= 8) return info('Tixati', twoMajorTwoMinor(id), 'other');
  const aria2 = /^A2-(\d+)-(\d+)-(\d+)-/.exec(id);
  if (aria2 !== null) return info('aria2', `${aria2[1]}.${aria2[2]}.${aria2[3]}`, 'other');
  const lead = id.slice(0, 4);
  if ((lead === 'exbc' || lead === 'FUTB' || lead === 'xUTB') && bytes.length >= 6) {
    // BitComet before 0.59 (and BitLord, which adds LORD): version bytes, not characters.
    const name = id.slice(6, 10) === 'LORD' ? 'BitLord' : 'BitComet';
    return info(name, `${bytes[4]}.${String(bytes[5]).padStart(2, '0')}`, 'other');
  }
  return null;
}

export function identifyClient(peerId: Uint8Array): ClientInfo {
  const bytes = peerId.subarray(0, PEER_ID_LENGTH);
  const id = String.fromCharCode(...bytes);
  if (id[0] === '-' && id.length >= 8) {
    const client = AZUREUS_CLIENTS.get(id.slice(1, 3));
    if (client !== undefined) return info(client.name, client.version(id), 'azureus');
  }
  const known = shadow(id) ?? mainline(id) ?? other(id, bytes);
  if (known !== null) return known;
  return { name: 'Unknown', version: null, label: `Unknown (${printablePrefix(bytes)})`, style: 'unknown' };
}

/** What to show a person for a peer id, e.g. `qBittorrent 4.6.3`. */
export function clientName(peerId: Uint8Array): string {
  return identifyClient(peerId).label;
}
