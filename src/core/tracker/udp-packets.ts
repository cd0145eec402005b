// BEP 15 (UDP tracker protocol) packets, both directions, plus BEP 41 URL data in announces.
// Requests are decoded too so that round trips can be checked and a tracker server can reuse them.
import type { AnnounceEvent, TrackerPeer } from '../ports/tracker.js';
import { MAX_PEERS_PER_RESPONSE, MAX_SCRAPE_HASHES, MAX_UDP_PACKET_BYTES, MAX_UDP_URL_DATA_BYTES } from './bounds.js';
import { decodeCompactPeers, encodeCompactPeers, type AddressFamily } from './compact-peers.js';
import { TrackerError, sanitizeTrackerText } from './errors.js';
import { checkCounter, checkHash, checkUint32 } from './validate.js';

/** The magic connection id of a connect request. */
export const UDP_PROTOCOL_ID = 0x41727101980n;

const ACTION = { connect: 0, announce: 1, scrape: 2, error: 3 } as const;
const EVENT_CODES: Record<AnnounceEvent, number> = { completed: 1, started: 2, stopped: 3 };
const EVENTS_BY_CODE: readonly (AnnounceEvent | undefined)[] = [undefined, 'completed', 'started', 'stopped'];

const OPTION_END = 0;
const OPTION_NOP = 1;
const OPTION_URL_DATA = 2;

export interface UdpConnectRequest {
  readonly action: 'connect';
  readonly transactionId: number;
}

export interface UdpAnnounceRequest {
  readonly action: 'announce';
  readonly connectionId: bigint;
  readonly transactionId: number;
  readonly infoHash: Uint8Array;
  readonly peerId: Uint8Array;
  readonly downloaded: number;
  readonly left: number;
  readonly uploaded: number;
  readonly event: AnnounceEvent | undefined;
  /** IPv4 address as a 32-bit number; 0 = use the sender's address. */
  readonly ip: number;
  readonly key: number;
  /** -1 = the tracker's default. */
  readonly numWant: number;
  readonly port: number;
  /** BEP 41: path and query of the announce URL. Absent when empty. */
  readonly urlData?: Uint8Array;
}

export interface UdpScrapeRequest {
  readonly action: 'scrape';
  readonly connectionId: bigint;
  readonly transactionId: number;
  readonly infoHashes: readonly Uint8Array[];
}

export type UdpRequest = UdpConnectRequest | UdpAnnounceRequest | UdpScrapeRequest;

export interface UdpConnectResponse {
  readonly action: 'connect';
  readonly transactionId: number;
  readonly connectionId: bigint;
}

export interface UdpAnnounceResponse {
  readonly action: 'announce';
  readonly transactionId: number;
  readonly interval: number;
  readonly leechers: number;
  readonly seeders: number;
  readonly peers: readonly TrackerPeer[];
}

export interface UdpScrapeEntry {
  readonly seeders: number;
  readonly completed: number;
  readonly leechers: number;
}

export interface UdpScrapeResponse {
  readonly action: 'scrape';
  readonly transactionId: number;
  readonly entries: readonly UdpScrapeEntry[];
}

export interface UdpErrorResponse {
  readonly action: 'error';
  readonly transactionId: number;
  /** The tracker's message, sanitised to one line. */
  readonly message: string;
}

export type UdpResponse = UdpConnectResponse | UdpAnnounceResponse | UdpScrapeResponse | UdpErrorResponse;

function badRequest(message: string): TrackerError {
  return new TrackerError('tracker/bad-request', message);
}

function badResponse(message: string): TrackerError {
  return new TrackerError('tracker/bad-response', `UDP tracker reply: ${message}`);
}

function checkConnectionId(id: bigint): void {
  if (id < 0n || id > 0xffffffffffffffffn) throw badRequest('connection id must fit in 64 bits unsigned');
}

function header(size: number, first: bigint | undefined, action: number, transactionId: number): { bytes: Uint8Array; view: DataView } {
  checkUint32(transactionId, 'transaction id');
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  if (first !== undefined) {
    checkConnectionId(first);
    view.setBigUint64(0, first);
    offset = 8;
  }
  view.setUint32(offset, action);
  view.setUint32(offset + 4, transactionId);
  return { bytes, view };
}

function urlDataOptions(urlData: Uint8Array | undefined): Uint8Array {
  if (urlData === undefined || urlData.length === 0) return new Uint8Array(0);
  if (urlData.length > MAX_UDP_URL_DATA_BYTES) throw badRequest(`URL data is over ${MAX_UDP_URL_DATA_BYTES} bytes`);
  const chunks = Math.ceil(urlData.length / 255);
  const out = new Uint8Array(urlData.length + chunks * 2);
  let at = 0;
  for (let start = 0; start < urlData.length; start += 255) {
    const chunk = urlData.subarray(start, start + 255);
    out[at++] = OPTION_URL_DATA;
    out[at++] = chunk.length;
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

export function encodeUdpRequest(request: UdpRequest): Uint8Array {
  switch (request.action) {
    case 'connect':
      return header(16, UDP_PROTOCOL_ID, ACTION.connect, request.transactionId).bytes;
    case 'announce': {
      checkHash(request.infoHash, 'info hash');
      checkHash(request.peerId, 'peer id');
      checkCounter(request.downloaded, 'downloaded');
      checkCounter(request.left, 'left');
      checkCounter(request.uploaded, 'uploaded');
      checkUint32(request.ip, 'ip');
      checkUint32(request.key, 'key');
      if (!Number.isInteger(request.numWant) || request.numWant < -1 || request.numWant > 0x7fffffff) {
        throw badRequest(`numWant must be -1 or a 31-bit integer, got ${request.numWant}`);
      }
      if (!Number.isInteger(request.port) || request.port < 0 || request.port > 65535) {
        throw badRequest(`port must be 0-65535, got ${request.port}`);
      }
      const options = urlDataOptions(request.urlData);
      const { bytes, view } = header(98 + options.length, request.connectionId, ACTION.announce, request.transactionId);
      bytes.set(request.infoHash, 16);
      bytes.set(request.peerId, 36);
      view.setBigUint64(56, BigInt(request.downloaded));
      view.setBigUint64(64, BigInt(request.left));
      view.setBigUint64(72, BigInt(request.uploaded));
      view.setUint32(80, request.event === undefined ? 0 : EVENT_CODES[request.event]);
      view.setUint32(84, request.ip);
      view.setUint32(88, request.key);
      view.setInt32(92, request.numWant);
      view.setUint16(96, request.port);
      bytes.set(options, 98);
      return bytes;
    }
    case 'scrape': {
      if (request.infoHashes.length > MAX_SCRAPE_HASHES) throw badRequest(`scrape takes at most ${MAX_SCRAPE_HASHES} info hashes`);
      const { bytes } = header(16 + 20 * request.infoHashes.length, request.connectionId, ACTION.scrape, request.transactionId);
      request.infoHashes.forEach((hash, i) => {
        checkHash(hash, 'info hash');
        bytes.set(hash, 16 + 20 * i);
      });
      return bytes;
    }
  }
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function safeCounter(view: DataView, offset: number, what: string): number {
  const value = view.getBigUint64(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw badRequest(`${what} is beyond 2^53`);
  return Number(value);
}

function decodeUrlData(options: Uint8Array): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let at = 0; at < options.length; ) {
    const type = options[at]!;
    if (type === OPTION_END) break;
    if (type === OPTION_NOP) {
      at++;
      continue;
    }
    // BEP 41: an unknown option ends parsing, since its length cannot be trusted to mean anything.
    if (type !== OPTION_URL_DATA || at + 1 >= options.length) break;
    const length = options[at + 1]!;
    const chunk = options.subarray(at + 2, at + 2 + length);
    if (chunk.length < length) throw badRequest('URL data option runs past the end of the packet');
    total += length;
    if (total > MAX_UDP_URL_DATA_BYTES) throw badRequest(`URL data is over ${MAX_UDP_URL_DATA_BYTES} bytes`);
    parts.push(chunk);
    at += 2 + length;
  }
  if (parts.length === 0) return undefined;
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Decodes a packet sent to a tracker. Throws `tracker/bad-request` for anything malformed. */
export function decodeUdpRequest(bytes: Uint8Array): UdpRequest {
  if (bytes.length < 16) throw badRequest(`packet of ${bytes.length} bytes is shorter than a request header`);
  if (bytes.length > MAX_UDP_PACKET_BYTES) throw badRequest('packet is larger than a UDP datagram');
  const view = viewOf(bytes);
  const connectionId = view.getBigUint64(0);
  const action = view.getUint32(8);
  const transactionId = view.getUint32(12);
  switch (action) {
    case ACTION.connect:
      if (connectionId !== UDP_PROTOCOL_ID) throw badRequest('connect request without the protocol id');
      if (bytes.length !== 16) throw badRequest('connect request must be 16 bytes');
      return { action: 'connect', transactionId };
    case ACTION.announce: {
      if (bytes.length < 98) throw badRequest(`announce request of ${bytes.length} bytes is shorter than 98`);
      const eventCode = view.getUint32(80);
      if (eventCode >= EVENTS_BY_CODE.length) throw badRequest(`unknown announce event ${eventCode}`);
      const urlData = decodeUrlData(bytes.subarray(98));
      return {
        action: 'announce',
        connectionId,
        transactionId,
        infoHash: bytes.slice(16, 36),
        peerId: bytes.slice(36, 56),
        downloaded: safeCounter(view, 56, 'downloaded'),
        left: safeCounter(view, 64, 'left'),
        uploaded: safeCounter(view, 72, 'uploaded'),
        event: EVENTS_BY_CODE[eventCode],
        ip: view.getUint32(84),
        key: view.getUint32(88),
        numWant: view.getInt32(92),
        port: view.getUint16(96),
        ...(urlData === undefined ? {} : { urlData }),
      };
    }
    case ACTION.scrape: {
      const body = bytes.length - 16;
      if (body % 20 !== 0) throw badRequest('scrape request is not a whole number of info hashes');
      if (body / 20 > MAX_SCRAPE_HASHES) throw badRequest(`scrape request has more than ${MAX_SCRAPE_HASHES} info hashes`);
      const infoHashes: Uint8Array[] = [];
      for (let at = 16; at < bytes.length; at += 20) infoHashes.push(bytes.slice(at, at + 20));
      return { action: 'scrape', connectionId, transactionId, infoHashes };
    }
    default:
      throw badRequest(`unknown request action ${action}`);
  }
}

/**
 * Encodes a tracker's reply. `family` is how the client reached the tracker: BEP 15 answers an IPv6
 * client with 18-byte peers.
 */
export function encodeUdpResponse(response: UdpResponse, family: AddressFamily): Uint8Array {
  switch (response.action) {
    case 'connect': {
      const { bytes, view } = header(16, undefined, ACTION.connect, response.transactionId);
      checkConnectionId(response.connectionId);
      view.setBigUint64(8, response.connectionId);
      return bytes;
    }
    case 'announce': {
      const peers = encodeCompactPeers(response.peers, family);
      const { bytes, view } = header(20 + peers.length, undefined, ACTION.announce, response.transactionId);
      checkUint32(response.interval, 'interval');
      checkUint32(response.leechers, 'leechers');
      checkUint32(response.seeders, 'seeders');
      view.setUint32(8, response.interval);
      view.setUint32(12, response.leechers);
      view.setUint32(16, response.seeders);
      bytes.set(peers, 20);
      return bytes;
    }
    case 'scrape': {
      const { bytes, view } = header(8 + 12 * response.entries.length, undefined, ACTION.scrape, response.transactionId);
      response.entries.forEach((entry, i) => {
        checkUint32(entry.seeders, 'seeders');
        checkUint32(entry.completed, 'completed');
        checkUint32(entry.leechers, 'leechers');
        view.setUint32(8 + 12 * i, entry.seeders);
        view.setUint32(12 + 12 * i, entry.completed);
        view.setUint32(16 + 12 * i, entry.leechers);
      });
      return bytes;
    }
    case 'error': {
      const message = new TextEncoder().encode(response.message);
      const { bytes } = header(8 + message.length, undefined, ACTION.error, response.transactionId);
      bytes.set(message, 8);
      return bytes;
    }
  }
}

/** Reads the transaction id of a reply, or null when the packet is too short to have one. */
export function peekTransactionId(bytes: Uint8Array): number | null {
  return bytes.length < 8 ? null : viewOf(bytes).getUint32(4);
}

/**
 * Decodes a tracker's reply. Throws `tracker/bad-response` for anything malformed. At most
 * MAX_PEERS_PER_RESPONSE peers are kept; a trailing partial peer or scrape entry is ignored.
 */
export function decodeUdpResponse(bytes: Uint8Array, family: AddressFamily): UdpResponse {
  if (bytes.length < 8) throw badResponse(`packet of ${bytes.length} bytes is shorter than a reply header`);
  if (bytes.length > MAX_UDP_PACKET_BYTES) throw badResponse('packet is larger than a UDP datagram');
  const view = viewOf(bytes);
  const action = view.getUint32(0);
  const transactionId = view.getUint32(4);
  switch (action) {
    case ACTION.connect:
      if (bytes.length < 16) throw badResponse(`connect reply of ${bytes.length} bytes is shorter than 16`);
      return { action: 'connect', transactionId, connectionId: view.getBigUint64(8) };
    case ACTION.announce:
      if (bytes.length < 20) throw badResponse(`announce reply of ${bytes.length} bytes is shorter than 20`);
      return {
        action: 'announce',
        transactionId,
        interval: view.getUint32(8),
        leechers: view.getUint32(12),
        seeders: view.getUint32(16),
        peers: decodeCompactPeers(bytes.subarray(20), family, MAX_PEERS_PER_RESPONSE),
      };
    case ACTION.scrape: {
      const entries: UdpScrapeEntry[] = [];
      for (let at = 8; at + 12 <= bytes.length && entries.length < MAX_SCRAPE_HASHES; at += 12) {
        entries.push({ seeders: view.getUint32(at), completed: view.getUint32(at + 4), leechers: view.getUint32(at + 8) });
      }
      return { action: 'scrape', transactionId, entries };
    }
    case ACTION.error:
      return { action: 'error', transactionId, message: sanitizeTrackerText(bytes.subarray(8)) };
    default:
      throw badResponse(`unknown action ${action}`);
  }
}
