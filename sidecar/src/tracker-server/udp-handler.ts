// UDP side of the tracker (BEP 15), on the same port number as HTTP. Connection ids are an HMAC of the
// client's address and the second they were issued, so the tracker keeps no per-client state for them.
import { bytesToBinaryString } from '../../../src/core/tracker/ws/binary-string.js';
import { createHmac, randomBytes } from 'node:crypto';
import { UDP_PROTOCOL_ID, decodeUdpRequest, encodeUdpResponse, type UdpRequest } from '../../../src/core/tracker/udp-packets.js';
import { isTrackerError } from '../../../src/core/tracker/errors.js';
import { isIPv4, isIPv6 } from 'node:net';
import { announceClassic, plainIp } from './classic-announce.js';
import type { TrackerService } from './service.js';

/** BEP 15: a client may use an id for one minute, a server accepts it for two. */
export const UDP_CONNECTION_ID_LIFETIME_SECONDS = 120;
const STAMP_BITS = 16n;
const STAMP_MODULUS = 1 << Number(STAMP_BITS);
const MAC_BITS = 64n - STAMP_BITS;

/**
 * An id is the second it was issued (mod 2^16, top 16 bits) and 48 bits of an HMAC of the client's
 * address and that full second. It is tied to the address only, not the port, as in BEP 15 and
 * opentracker: NATs and clients with one socket per request send the announce from another port.
 */
export class UdpConnectionIds {
  private readonly secret = randomBytes(32);

  id(address: string, now: number): bigint {
    return this.idFor(plainIp(address), Math.floor(now / 1000));
  }

  valid(id: bigint, address: string, now: number): boolean {
    const second = Math.floor(now / 1000);
    const stamp = Number(id >> MAC_BITS);
    const age = (((second - stamp) % STAMP_MODULUS) + STAMP_MODULUS) % STAMP_MODULUS;
    // A clock stepped back makes the age wrap to near 2^16 s: refused, as is anything older than 2 minutes.
    if (age > UDP_CONNECTION_ID_LIFETIME_SECONDS) return false;
    return id === this.idFor(plainIp(address), second - age);
  }

  private idFor(address: string, second: number): bigint {
    const mac = createHmac('sha256', this.secret).update(`${address}|${second}`).digest();
    const stamp = BigInt(((second % STAMP_MODULUS) + STAMP_MODULUS) % STAMP_MODULUS);
    const id = (stamp << MAC_BITS) | (mac.readBigUInt64BE(0) >> STAMP_BITS);
    // The connect request's magic is no valid id (a client could not tell the two apart); the same
    // change is made on checking, so such an id still verifies.
    return id === UDP_PROTOCOL_ID ? id ^ 1n : id;
  }
}

/** Answers one datagram; returns the reply, or null when none is due (unreadable packets get none). */
export function handleTrackerUdp(service: TrackerService, packet: Uint8Array, address: string): Uint8Array | null {
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
    return encodeUdpResponse({ action: 'connect', transactionId: request.transactionId, connectionId: service.udpIds.id(address, now) }, family);
  }
  if (!service.udpIds.valid(request.connectionId, address, now)) {
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
