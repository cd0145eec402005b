// HTTP side of the tracker: announce (BEP 3/23), scrape (BEP 48), /stats (JSON) and /metrics (Prometheus).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeBencode, type BencodeValue } from '../../../src/core/bencode/encode.js';
import { isTrackerError } from '../../../src/core/tracker/errors.js';
import { MAX_SCRAPE_REPLY_FILES } from '../../../src/core/tracker/ws/bounds.js';
import { binaryStringToBytes, bytesToBinaryString } from '../../../src/core/tracker/ws/binary-string.js';
import { announceClassic, plainIp } from './classic-announce.js';
import { parseHttpAnnounce, parseHttpScrape, parseQuery, pathOf } from './http-query.js';
import { prometheusText } from './metrics.js';
import type { TrackerService } from './service.js';
import type { PeerRecord } from './swarm-registry.js';

/** What the tracker answers to one HTTP request, whichever server carries it. */
export interface HttpReply {
  readonly status: number;
  readonly type: string;
  readonly body: string | Uint8Array;
}

const bencoded = (value: BencodeValue): HttpReply => ({ status: 200, type: 'text/plain', body: encodeBencode(value) });

/** A refusal the way trackers send it: status 200 and a bencoded `failure reason`. */
const failure = (reason: string): HttpReply => bencoded({ 'failure reason': reason });

/** Serves one request on a `node:http` server; returns false when the path is not the tracker's. */
export function handleTrackerHttp(service: TrackerService, req: IncomingMessage, res: ServerResponse): boolean {
  const reply = answerTrackerHttp(service, req.method ?? 'GET', req.url ?? '/', req.socket.remoteAddress);
  if (reply === null) return false;
  res.writeHead(reply.status, { 'content-type': reply.type, 'content-length': typeof reply.body === 'string' ? Buffer.byteLength(reply.body) : reply.body.length });
  res.end(reply.body);
  return true;
}

/** The reply to one request (`target` as sent: path and query), or null when the path is not the tracker's. */
export function answerTrackerHttp(service: TrackerService, method: string, target: string, remoteAddress: string | undefined): HttpReply | null {
  const path = pathOf(target);
  const last = path.slice(path.lastIndexOf('/') + 1);
  if (path === '/stats' || path === '/stats.json') return { status: 200, type: 'application/json', body: JSON.stringify(service.stats()) };
  if (path === '/metrics') return { status: 200, type: 'text/plain; version=0.0.4', body: prometheusText(service.stats()) };
  if (!last.startsWith('announce') && !last.startsWith('scrape')) return null;
  if (method !== 'GET') {
    service.counters.reject('http-method');
    return { status: 405, type: 'text/plain', body: 'GET only\n' };
  }
  try {
    const params = parseQuery(target);
    return last.startsWith('announce') ? announce(service, plainIp(remoteAddress), params) : scrape(service, params);
  } catch (error) {
    if (!isTrackerError(error)) throw error;
    service.counters.reject('http-bad-request');
    return failure(error.message);
  }
}

function announce(service: TrackerService, ip: string, params: ReturnType<typeof parseQuery>): HttpReply {
  const parsed = parseHttpAnnounce(params);
  const r = parsed.request;
  const result = announceClassic(
    service.registry,
    service.limits,
    { infoHash: r.infoHash, peerId: r.peerId, ip, port: r.port, left: parsed.leftKnown ? r.left : undefined, event: r.event, numWant: r.numWant },
    service.now(),
  );
  if (!result.ok) {
    service.counters.reject('swarm-limit');
    return failure(result.reason);
  }
  service.counters.announces.http++;
  const interval = service.limits.intervalSeconds;
  if (!parsed.dictionaryModel) {
    return { status: 200, type: 'text/plain', body: compactAnnounceReply(result.complete, result.incomplete, interval, Math.min(60, interval), result.peers) };
  }
  const reply: Record<string, BencodeValue> = { complete: result.complete, incomplete: result.incomplete, interval, 'min interval': Math.min(60, interval) };
  reply.peers = result.peers.map((p) => {
    const entry: Record<string, BencodeValue> = { ip: p.ip, port: p.port };
    if (!parsed.noPeerId) entry['peer id'] = binaryStringToBytes(p.peerId)!;
    return entry;
  });
  return bencoded(reply);
}

/**
 * The compact announce reply (BEP 23, BEP 7), written straight from each peer's cached compact entry:
 * the same bytes `encodeBencode` gives for `{complete, incomplete, interval, min interval, peers[, peers6]}`.
 */
export function compactAnnounceReply(complete: number, incomplete: number, interval: number, minInterval: number, peers: readonly PeerRecord<unknown>[]): Uint8Array {
  let v4 = 0;
  let v6 = 0;
  for (const p of peers) {
    if (p.compact?.length === 6) v4++;
    else if (p.compact?.length === 18) v6++;
  }
  const head = `d8:completei${complete}e10:incompletei${incomplete}e8:intervali${interval}e12:min intervali${minInterval}e5:peers${v4 * 6}:`;
  const middle = v6 > 0 ? `6:peers6${v6 * 18}:` : '';
  const out = new Uint8Array(head.length + v4 * 6 + middle.length + v6 * 18 + 1);
  let at = writeAscii(out, 0, head);
  for (const p of peers) {
    if (p.compact?.length !== 6) continue;
    out.set(p.compact, at);
    at += 6;
  }
  at = writeAscii(out, at, middle);
  for (const p of peers) {
    if (p.compact?.length !== 18) continue;
    out.set(p.compact, at);
    at += 18;
  }
  out[at] = 0x65; // e
  return out;
}

function writeAscii(out: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
  return at;
}

function scrape(service: TrackerService, params: ReturnType<typeof parseQuery>): HttpReply {
  const requested = parseHttpScrape(params);
  const hashes = requested.length > 0 ? [...new Set(requested.map((h) => bytesToBinaryString(h)))] : service.registry.infoHashes(MAX_SCRAPE_REPLY_FILES);
  service.counters.scrapes.http++;
  const files = new Map<Uint8Array, BencodeValue>();
  for (const hash of hashes) files.set(binaryStringToBytes(hash)!, { ...service.registry.scrape(hash) });
  return bencoded({ files, flags: { min_request_interval: Math.min(60, service.limits.intervalSeconds) } });
}
