// HTTP side of the tracker: announce (BEP 3/23), scrape (BEP 48), /stats (JSON) and /metrics (Prometheus).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import { binaryString } from '../../../src/core/bencode/decode.js';
import { encodeBencode, type BencodeValue } from '../../../src/core/bencode/encode.js';
import { encodeCompactPeers } from '../../../src/core/tracker/compact-peers.js';
import { isTrackerError } from '../../../src/core/tracker/errors.js';
import { MAX_SCRAPE_REPLY_FILES } from '../../../src/core/tracker/ws/bounds.js';
import { binaryStringToBytes } from '../../../src/core/tracker/ws/binary-string.js';
import { announceClassic, plainIp } from './classic-announce.js';
import { parseHttpAnnounce, parseHttpScrape, parseQuery, pathOf } from './http-query.js';
import { prometheusText } from './metrics.js';
import type { TrackerService } from './service.js';

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  res.writeHead(status, { 'content-type': type, 'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length });
  res.end(body);
}

function bencoded(res: ServerResponse, value: BencodeValue): void {
  send(res, 200, 'text/plain', encodeBencode(value));
}

/** A refusal the way trackers send it: status 200 and a bencoded `failure reason`. */
function failure(res: ServerResponse, reason: string): void {
  bencoded(res, { 'failure reason': reason });
}

/** Handles one request; returns false when the path is not the tracker's (the caller may serve it). */
export function handleTrackerHttp(service: TrackerService, req: IncomingMessage, res: ServerResponse): boolean {
  const target = req.url ?? '/';
  const path = pathOf(target);
  const last = path.slice(path.lastIndexOf('/') + 1);
  if (path === '/stats' || path === '/stats.json') {
    send(res, 200, 'application/json', JSON.stringify(service.stats()));
    return true;
  }
  if (path === '/metrics') {
    send(res, 200, 'text/plain; version=0.0.4', prometheusText(service.stats()));
    return true;
  }
  if (!last.startsWith('announce') && !last.startsWith('scrape')) return false;
  if (req.method !== 'GET') {
    service.counters.reject('http-method');
    send(res, 405, 'text/plain', 'GET only\n');
    return true;
  }
  try {
    const params = parseQuery(target);
    if (last.startsWith('announce')) announce(service, req, res, params);
    else scrape(service, res, params);
  } catch (error) {
    if (!isTrackerError(error)) throw error;
    service.counters.reject('http-bad-request');
    failure(res, error.message);
  }
  return true;
}

function announce(service: TrackerService, req: IncomingMessage, res: ServerResponse, params: ReturnType<typeof parseQuery>): void {
  const parsed = parseHttpAnnounce(params);
  const r = parsed.request;
  const ip = plainIp(req.socket.remoteAddress);
  const result = announceClassic(
    service.registry,
    service.limits,
    { infoHash: r.infoHash, peerId: r.peerId, ip, port: r.port, left: parsed.leftKnown ? r.left : undefined, event: r.event, numWant: r.numWant },
    service.now(),
  );
  if (!result.ok) {
    service.counters.reject('swarm-limit');
    failure(res, result.reason);
    return;
  }
  service.counters.announces.http++;
  const reply: Record<string, BencodeValue> = {
    complete: result.complete,
    incomplete: result.incomplete,
    interval: service.limits.intervalSeconds,
    'min interval': Math.min(60, service.limits.intervalSeconds),
  };
  if (parsed.dictionaryModel) {
    reply.peers = result.peers.map((p) => {
      const entry: Record<string, BencodeValue> = { ip: p.ip, port: p.port };
      if (!parsed.noPeerId) entry['peer id'] = binaryStringToBytes(p.peerId)!;
      return entry;
    });
  } else {
    reply.peers = encodeCompactPeers(result.peers.filter((p) => isIPv4(p.ip)).map((p) => ({ host: p.ip, port: p.port })), 'ipv4');
    const v6 = result.peers.filter((p) => isIPv6(p.ip));
    if (v6.length > 0) reply.peers6 = encodeCompactPeers(v6.map((p) => ({ host: p.ip, port: p.port })), 'ipv6');
  }
  bencoded(res, reply);
}

function scrape(service: TrackerService, res: ServerResponse, params: ReturnType<typeof parseQuery>): void {
  const requested = parseHttpScrape(params);
  const hashes = requested.length > 0 ? [...new Set(requested.map((h) => binaryString(h)))] : service.registry.infoHashes(MAX_SCRAPE_REPLY_FILES);
  service.counters.scrapes.http++;
  const files = new Map<Uint8Array, BencodeValue>();
  for (const hash of hashes) files.set(binaryStringToBytes(hash)!, { ...service.registry.scrape(hash) });
  bencoded(res, { files, flags: { min_request_interval: Math.min(60, service.limits.intervalSeconds) } });
}
