// HTTP tracker replies (BEP 3, 7, 23, 24, 31, 48). Only what we cannot do without is an error: a reply
// that is not a bencoded dictionary, or peers of the wrong type. Advisory fields of the wrong type are
// dropped, as libtorrent does, so one odd field does not cost the whole peer list.
import { decodeBencode, binaryString } from '../bencode/decode.js';
import { BencodeError } from '../bencode/errors.js';
import type { BencodeDictionary, BencodeNode } from '../bencode/node.js';
import type { AnnounceResponse, ScrapeStats, TrackerPeer } from '../ports/tracker.js';
import {
  HTTP_REPLY_BENCODE_LIMITS,
  MAX_HTTP_RESPONSE_BYTES,
  MAX_PEERS_PER_RESPONSE,
  MAX_PEER_HOST_LENGTH,
  MAX_TRACKER_ID_BYTES,
} from './bounds.js';
import { decodeCompactPeers } from './compact-peers.js';
import { TrackerError, failureReasonError, sanitizeTrackerText } from './errors.js';
import { formatIp, formatIpv6, parseIpv4, parseIpv6 } from './ip.js';

/** What a tracker that sends no interval gets: libtorrent's default. */
export const DEFAULT_ANNOUNCE_INTERVAL_S = 1800;


function badResponse(message: string): TrackerError {
  return new TrackerError('tracker/bad-response', `HTTP tracker reply: ${message}`);
}

function describe(node: BencodeNode): string {
  return { integer: 'an integer', bytes: 'a byte string', list: 'a list', dictionary: 'a dictionary' }[node.kind];
}

function decodeRoot(body: Uint8Array): BencodeDictionary {
  if (body.length > MAX_HTTP_RESPONSE_BYTES) throw badResponse(`larger than ${MAX_HTTP_RESPONSE_BYTES} bytes`);
  let root: BencodeNode;
  try {
    root = decodeBencode(body, HTTP_REPLY_BENCODE_LIMITS);
  } catch (error) {
    if (error instanceof BencodeError) throw badResponse(`not bencode (${error.message})`);
    throw error;
  }
  if (root.kind !== 'dictionary') throw badResponse(`expected a dictionary, got ${describe(root)}`);
  return root;
}

/** Throws the tracker's refusal, if it sent one. */
function throwFailure(root: BencodeDictionary): void {
  const failure = root.get('failure reason');
  if (failure === undefined) return;
  const reason = failure.kind === 'bytes' ? sanitizeTrackerText(failure.value) : '';
  const retry = root.get('retry in');
  let retryIn: number | 'never' | undefined;
  if (retry?.kind === 'integer' && retry.value >= 0) retryIn = retry.value;
  else if (retry?.kind === 'bytes' && sanitizeTrackerText(retry.value) === 'never') retryIn = 'never';
  throw failureReasonError(reason, retryIn);
}

function count(node: BencodeNode | undefined): number | undefined {
  return node?.kind === 'integer' && node.value >= 0 ? node.value : undefined;
}

function text(node: BencodeNode | undefined): string | undefined {
  return node?.kind === 'bytes' ? sanitizeTrackerText(node.value) : undefined;
}

/** A host from the dictionary model: an IP (normalised) or a DNS name; null for anything else. */
function peerHost(bytes: Uint8Array): string | null {
  if (bytes.length === 0 || bytes.length > MAX_PEER_HOST_LENGTH + 2) return null;
  const raw = new TextDecoder('utf-8').decode(bytes);
  if (parseIpv4(raw) !== null) return raw;
  const bare = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  const v6 = parseIpv6(bare);
  if (v6 !== null) return formatIpv6(v6);
  return raw.length <= MAX_PEER_HOST_LENGTH && /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(raw) ? raw : null;
}

function dictionaryPeers(list: readonly BencodeNode[], limit: number): TrackerPeer[] {
  const peers: TrackerPeer[] = [];
  for (const item of list) {
    if (peers.length >= limit) break;
    if (item.kind !== 'dictionary') continue;
    const ip = item.get('ip');
    const port = item.get('port');
    if (ip?.kind !== 'bytes' || port?.kind !== 'integer' || port.value < 1 || port.value > 65535) continue;
    const host = peerHost(ip.value);
    if (host === null) continue;
    const id = item.get('peer id');
    peers.push(id?.kind === 'bytes' && id.value.length === 20 ? { host, port: port.value, peerId: id.value.slice() } : { host, port: port.value });
  }
  return peers;
}

function announcePeers(root: BencodeDictionary): TrackerPeer[] {
  const peers: TrackerPeer[] = [];
  const v4 = root.get('peers');
  if (v4?.kind === 'bytes') peers.push(...decodeCompactPeers(v4.value, 'ipv4', MAX_PEERS_PER_RESPONSE));
  else if (v4?.kind === 'list') peers.push(...dictionaryPeers(v4.items, MAX_PEERS_PER_RESPONSE));
  else if (v4 !== undefined) throw badResponse(`peers must be a byte string or a list, not ${describe(v4)}`);
  const v6 = root.get('peers6');
  if (v6?.kind === 'bytes') peers.push(...decodeCompactPeers(v6.value, 'ipv6', MAX_PEERS_PER_RESPONSE - peers.length));
  else if (v6?.kind === 'list') peers.push(...dictionaryPeers(v6.items, MAX_PEERS_PER_RESPONSE - peers.length));
  return peers;
}

/** Parses an announce reply; a `failure reason` rejects with `tracker/failure-reason`. */
export function parseAnnounceResponse(body: Uint8Array): AnnounceResponse {
  const root = decodeRoot(body);
  throwFailure(root);
  const peers = announcePeers(root);
  const minInterval = count(root.get('min interval'));
  const complete = count(root.get('complete'));
  const incomplete = count(root.get('incomplete'));
  const warning = text(root.get('warning message'));
  const trackerIdNode = root.get('tracker id');
  const trackerId =
    trackerIdNode?.kind === 'bytes' && trackerIdNode.value.length <= MAX_TRACKER_ID_BYTES ? binaryString(trackerIdNode.value) : undefined;
  const externalNode = root.get('external ip');
  const externalIp = externalNode?.kind === 'bytes' ? formatIp(externalNode.value) : null;
  return {
    interval: count(root.get('interval')) ?? DEFAULT_ANNOUNCE_INTERVAL_S,
    ...(minInterval === undefined ? {} : { minInterval }),
    ...(complete === undefined ? {} : { complete }),
    ...(incomplete === undefined ? {} : { incomplete }),
    peers,
    ...(warning === undefined || warning === '' ? {} : { warning }),
    ...(trackerId === undefined ? {} : { trackerId }),
    ...(externalIp === null ? {} : { externalIp }),
  };
}

/**
 * bittorrent-tracker (11.x, with bencode 4) writes each scrape key as the UTF-8 encoding of a "binary
 * string" (one character per hash byte), so a hash byte of 0x80 or more takes two bytes. Such a key
 * decodes back to 20 characters below 256; anything else is not a hash: null.
 */
function utf8OfBinaryString(key: Uint8Array): string | null {
  if (key.length <= 20 || key.length > 40) return null;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(key);
  return text.length === 20 && [...text].every((ch) => ch.charCodeAt(0) < 256) ? text : null;
}

/**
 * Parses a scrape reply into stats for each of `requested` that the tracker reported, in request order.
 * Missing counters read as 0.
 */
export function parseScrapeResponse(body: Uint8Array, requested: readonly Uint8Array[]): ScrapeStats[] {
  const root = decodeRoot(body);
  throwFailure(root);
  const files = root.get('files');
  if (files?.kind !== 'dictionary') throw badResponse(files === undefined ? 'scrape reply has no files' : `files must be a dictionary, not ${describe(files)}`);
  const byHash = new Map<string, BencodeNode>();
  for (const entry of files.entries) {
    const key = entry.key.length === 20 ? binaryString(entry.key) : utf8OfBinaryString(entry.key);
    if (key !== null && !byHash.has(key)) byHash.set(key, entry.value);
  }
  const stats: ScrapeStats[] = [];
  for (const infoHash of requested) {
    const node = byHash.get(binaryString(infoHash));
    if (node?.kind !== 'dictionary') continue;
    stats.push({
      infoHash,
      complete: count(node.get('complete')) ?? 0,
      downloaded: count(node.get('downloaded')) ?? 0,
      incomplete: count(node.get('incomplete')) ?? 0,
    });
  }
  return stats;
}
