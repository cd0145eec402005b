// Server side of HTTP tracker requests (BEP 3, 23, 48): the query string read as raw bytes, because
// info_hash and peer_id are percent-encoded binary that a URL parser would mangle into UTF-8 text.
import type { AnnounceEvent, AnnounceRequest } from '../../../src/core/ports/tracker.js';
import { MAX_ANNOUNCE_URL_LENGTH, MAX_SCRAPE_HASHES } from '../../../src/core/tracker/bounds.js';
import { TrackerError } from '../../../src/core/tracker/errors.js';
import { checkAnnounceRequest } from '../../../src/core/tracker/validate.js';

export type QueryParams = Map<string, Uint8Array[]>;

const utf8 = new TextDecoder();

function bad(message: string): TrackerError {
  return new TrackerError('tracker/bad-request', message);
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/** Percent-decodes one query component to bytes (`+` is a space); throws on a broken escape or non-ASCII. */
export function percentDecode(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25) {
      const hi = hexValue(text.charCodeAt(i + 1));
      const lo = hexValue(text.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) throw bad('broken percent escape in the query');
      out[n++] = (hi << 4) | lo;
      i += 2;
    } else if (c > 0x7e || c < 0x21) {
      throw bad('query holds a character that must be percent-encoded');
    } else {
      out[n++] = c === 0x2b ? 0x20 : c;
    }
  }
  return out.slice(0, n);
}

/** The query of a request target (`/announce?a=b&c`), each name with its values in order. */
export function parseQuery(target: string): QueryParams {
  if (target.length > MAX_ANNOUNCE_URL_LENGTH) throw bad(`request URL is longer than ${MAX_ANNOUNCE_URL_LENGTH} characters`);
  const params: QueryParams = new Map();
  const at = target.indexOf('?');
  if (at < 0) return params;
  for (const part of target.slice(at + 1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    // Names are plain ASCII words in practice: skip the decoder when there is nothing to decode.
    const name = /^[A-Za-z0-9_.-]*$/.test(rawName) ? rawName : utf8.decode(percentDecode(rawName));
    const value = percentDecode(eq < 0 ? '' : part.slice(eq + 1));
    const list = params.get(name);
    if (list) {
      if (list.length >= MAX_SCRAPE_HASHES) throw bad(`more than ${MAX_SCRAPE_HASHES} values for ${name.slice(0, 20)}`);
      list.push(value);
    } else params.set(name, [value]);
  }
  return params;
}

/** The path of a request target, without its query. */
export function pathOf(target: string): string {
  const at = target.indexOf('?');
  return at < 0 ? target : target.slice(0, at);
}

function text(params: QueryParams, name: string): string | undefined {
  const value = params.get(name)?.[0];
  if (value === undefined) return undefined;
  let out = '';
  for (let i = 0; i < value.length && i < 32; i++) out += String.fromCharCode(value[i]!);
  return out;
}

function integer(params: QueryParams, name: string, required: boolean): number | undefined {
  const value = text(params, name);
  if (value === undefined || value === '') {
    if (required) throw bad(`missing ${name}`);
    return undefined;
  }
  if (!/^-?\d{1,16}$/.test(value)) throw bad(`${name} must be a whole number`);
  return Number(value);
}

export interface HttpAnnounce {
  readonly request: AnnounceRequest;
  /** `left` absent: unknown (counted as a leecher). */
  readonly leftKnown: boolean;
  /** BEP 23: the client asked for the dictionary model (`compact=0`). */
  readonly dictionaryModel: boolean;
  readonly noPeerId: boolean;
}

/**
 * Reads an announce query into the same AnnounceRequest the clients build, and checks it with the same
 * rules (src/core/tracker/validate.ts). Throws `tracker/bad-request` with the reason to send back.
 */
export function parseHttpAnnounce(params: QueryParams): HttpAnnounce {
  const infoHash = params.get('info_hash')?.[0];
  const peerId = params.get('peer_id')?.[0];
  if (infoHash === undefined) throw bad('missing info_hash');
  if (peerId === undefined) throw bad('missing peer_id');
  const eventText = text(params, 'event');
  let event: AnnounceEvent | undefined;
  if (eventText === 'started' || eventText === 'completed' || eventText === 'stopped') event = eventText;
  else if (eventText !== undefined && eventText !== '' && eventText !== 'empty' && eventText !== 'paused') throw bad(`unknown event ${eventText}`);
  const left = integer(params, 'left', false);
  const numWant = integer(params, 'numwant', false);
  const keyText = text(params, 'key');
  const key = keyText !== undefined && /^[0-9a-fA-F]{1,8}$/.test(keyText) ? parseInt(keyText, 16) : undefined;
  const request: AnnounceRequest = {
    infoHash,
    peerId,
    port: integer(params, 'port', true)!,
    uploaded: integer(params, 'uploaded', false) ?? 0,
    downloaded: integer(params, 'downloaded', false) ?? 0,
    left: left ?? 0,
    ...(event === undefined ? {} : { event }),
    ...(numWant === undefined || numWant < 0 ? {} : { numWant }),
    ...(key === undefined ? {} : { key }),
  };
  checkAnnounceRequest(request);
  return { request, leftKnown: left !== undefined, dictionaryModel: text(params, 'compact') === '0', noPeerId: text(params, 'no_peer_id') === '1' };
}

/** BEP 48: the info hashes of a scrape (none = every torrent); each must be 20 bytes. */
export function parseHttpScrape(params: QueryParams): Uint8Array[] {
  const hashes = params.get('info_hash') ?? [];
  for (const hash of hashes) if (hash.length !== 20) throw bad(`info hash must be 20 bytes, got ${hash.length}`);
  return hashes;
}
