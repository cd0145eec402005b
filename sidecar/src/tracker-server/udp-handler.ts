// UDP side of the tracker (BEP 15), on the same port number as HTTP. Connection ids are an HMAC of the
// client's address and the current minute, so the tracker keeps no per-client state for them.
import { bytesToBinaryString } from '../../../src/core/tracker/ws/binary-string.js';
import { createHmac, randomBytes } from 'node:crypto';
import { UDP_PROTOCOL_ID, decodeUdpRequest, encodeUdpResponse, type UdpRequest } from '../../../src/core/tracker/udp-packets.js';
import { isTrackerError } from '../../../src/core/tracker/errors.js';
import { isIPv4, isIPv6 } from 'node:net';
import { announceClassic, plainIp } from './classic-announce.js';
import type { TrackerService } from './service.js';

const MINUTE = 60_000;

export class UdpConnectionIds {
  private readonly secret = randomBytes(32);

  id(address: string, port: number, now: number): bigint {
    return this.idFor(address, port, Math.floor(now / MINUTE));
  }

  /** BEP 15 lets a client use an id for a minute after it got it: accept this minute's and the last two. */
  valid(id: bigint, address: string, port: number, now: number): boolean {
    const minute = Math.floor(now / MINUTE);
    return id === this.idFor(address, port, minute) || id === this.idFor(address, port, minute - 1) || id === this.idFor(address, port, minute - 2);
  }

  private idFor(address: string, port: number, minute: number): bigint {
    const mac = createHmac('sha256', this.secret).update(`${address}|${port}|${minute}`).digest();
    const id = mac.readBigUInt64BE(0);
    return id === UDP_PROTOCOL_ID ? id + 1n : id;
  }
}

/** Answers one datagram; returns the reply, or null when none is due (unreadable packets get none). */
export function handleTrackerUdp(service: TrackerService, packet: Uint8Array, address: string, port: number): Uint8Array | null {
  let request: UdpRequest;
  try {
    request = decodeUdpRequest(packet);
  } catch (error) {
    if (!isTrackerError(error)) throw error;
    service.counters.reject('udp-bad-packet');
    return null;
  }
  const ip = plainIp(address);
  const family = isIPv4(ip) ? 'ipv4' : 'ipv6';
  const now = service.now();
  if (request.action === 'connect') {
    service.counters.udpConnects++;
    return encodeUdpResponse({ action: 'connect', transactionId: request.transactionId, connectionId: service.udpIds.id(address, port, now) }, family);
  }
  if (!service.udpIds.valid(request.connectionId, address, port, now)) {
    service.counters.reject('udp-bad-connection-id');
    return encodeUdpResponse({ action: 'error', transactionId: request.transactionId, message: 'unknown or expired connection id' }, family);
  }
  if (request.action === 'scrape') {
    service.counters.scrapes.udp++;
    const entries = request.infoHashes.map((hash) => {
      const s = service.registry.scrape(bytesToBinaryString(hash));
      return { seeders: s.complete, completed: s.downloaded, leechers: s.incomplete };
    });
    return encodeUdpResponse({ action: 'scrape', transactionId: request.transactionId, entries }, family);
  }
  const result = announceClassic(
    service.registry,
    service.limits,
    {
      infoHash: request.infoHash,
      peerId: request.peerId,
      ip,
      port: request.port,
      left: request.left,
      event: request.event,
      numWant: request.numWant < 0 ? undefined : request.numWant,
    },
    now,
  );
  if (!result.ok) {
    service.counters.reject('swarm-limit');
    return encodeUdpResponse({ action: 'error', transactionId: request.transactionId, message: result.reason }, family);
  }
  service.counters.announces.udp++;
  // A BEP 15 reply carries peers of the family the client used only.
  const sameFamily = result.peers.filter((p) => (family === 'ipv4' ? isIPv4(p.ip) : isIPv6(p.ip)));
  return encodeUdpResponse(
    {
      action: 'announce',
      transactionId: request.transactionId,
      interval: service.limits.intervalSeconds,
      leechers: result.incomplete,
      seeders: result.complete,
      peers: sameFamily.slice(0, 300).map((p) => ({ host: p.ip, port: p.port })),
    },
    family,
  );
}
