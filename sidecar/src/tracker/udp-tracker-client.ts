// The UDP tracker client (BEP 15): one connected datagram socket per tracker, one timer, and the
// sans-I/O UdpTrackerTransaction from src/core/tracker deciding what to send and when.
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { AnnounceRequest, AnnounceResponse, ScrapeStats, TrackerClient } from '../../../src/core/ports/tracker.js';
import { MAX_ANNOUNCE_URL_LENGTH, MAX_UDP_URL_DATA_BYTES } from '../../../src/core/tracker/bounds.js';
import type { AddressFamily } from '../../../src/core/tracker/compact-peers.js';
import { TrackerError } from '../../../src/core/tracker/errors.js';
import {
  UdpConnectionState,
  UdpTrackerTransaction,
  type UdpTrackerQuery,
  type UdpTransactionResult,
  type UdpTransactionStep,
} from '../../../src/core/tracker/udp-transaction.js';
import { checkAnnounceRequest, checkScrapeHashes } from '../../../src/core/tracker/validate.js';
import { describeNetworkError } from './network-errors.js';

export interface UdpTrackerClientOptions {
  /** Waits before each retransmission and before giving up; BEP 15's 15 * 2^n s (n = 0..8) by default. */
  readonly retransmitScheduleMs?: readonly number[];
  /** Host name resolution; Node's dns.lookup by default. */
  readonly lookup?: (host: string) => Promise<{ address: string; family: number }>;
}

interface Endpoint {
  readonly host: string;
  readonly port: number;
  /** BEP 41: path and query of the announce URL, if any. */
  readonly urlData: Uint8Array | undefined;
}

interface Pending {
  readonly transaction: UdpTrackerTransaction;
  readonly settle: (outcome: { ok: true; value: UdpTransactionResult } | { ok: false; error: TrackerError }) => void;
}

interface Link {
  readonly socket: dgram.Socket;
  readonly family: AddressFamily;
}

/** Parses `udp://host:port[/path][?query]`; throws `tracker/bad-url`. */
export function parseUdpTrackerUrl(url: string): Endpoint {
  const bad = (why: string): TrackerError => new TrackerError('tracker/bad-url', `${why}: ${url.slice(0, 80)}`);
  if (url.length > MAX_ANNOUNCE_URL_LENGTH) throw bad('announce URL is too long');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad('not a URL');
  }
  if (parsed.protocol !== 'udp:') throw bad('not a udp:// tracker URL');
  const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
  const port = Number(parsed.port);
  if (host === '' || !Number.isInteger(port) || port < 1 || port > 65535) throw bad('UDP tracker URL needs a host and a port');
  const pathAndQuery = `${parsed.pathname}${parsed.search}`;
  const urlData = pathAndQuery === '' || pathAndQuery === '/' ? undefined : new TextEncoder().encode(pathAndQuery).slice(0, MAX_UDP_URL_DATA_BYTES);
  return { host, port, urlData };
}

export class UdpTrackerClient implements TrackerClient {
  readonly protocol = 'udp' as const;
  private readonly endpoint: Endpoint;
  private readonly connection = new UdpConnectionState();
  private readonly pending = new Set<Pending>();
  private link: Promise<Link> | null = null;
  /** The open socket; packets and errors from an older one are ignored. */
  private current: Link | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  /** Throws `tracker/bad-url` unless `url` is `udp://host:port...`. */
  constructor(
    readonly url: string,
    private readonly options: UdpTrackerClientOptions = {},
  ) {
    this.endpoint = parseUdpTrackerUrl(url);
  }

  async announce(request: AnnounceRequest): Promise<AnnounceResponse> {
    const query: UdpTrackerQuery =
      this.endpoint.urlData === undefined ? { kind: 'announce', request } : { kind: 'announce', request, urlData: this.endpoint.urlData };
    const result = await this.run(query);
    if (result.kind !== 'announce') throw new TrackerError('tracker/bad-response', 'UDP tracker answered an announce with a scrape');
    return result.response;
  }

  async scrape(infoHashes: readonly Uint8Array[]): Promise<readonly ScrapeStats[]> {
    const result = await this.run({ kind: 'scrape', infoHashes });
    if (result.kind !== 'scrape') throw new TrackerError('tracker/bad-response', 'UDP tracker answered a scrape with an announce');
    return result.stats;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new TrackerError('tracker/closed', 'tracker client was closed during the request'));
    const opening = this.link;
    this.link = null;
    this.current = null;
    const link = opening === null ? null : await opening.catch(() => null);
    try {
      link?.socket.close();
    } catch {
      // Already closed after a socket error.
    }
  }

  private async run(query: UdpTrackerQuery): Promise<UdpTransactionResult> {
    if (this.closed) throw new TrackerError('tracker/closed', 'tracker client is closed');
    // Check the request before any lookup or socket: a bad request must cost nothing.
    if (query.kind === 'announce') checkAnnounceRequest(query.request);
    else checkScrapeHashes(query.infoHashes);
    const link = await this.connect();
    if (this.closed) throw new TrackerError('tracker/closed', 'tracker client is closed');
    const transaction = new UdpTrackerTransaction(query, {
      family: link.family,
      randomUint32: () => randomBytes(4).readUInt32BE(0),
      connection: this.connection,
      ...(this.options.retransmitScheduleMs === undefined ? {} : { retransmitScheduleMs: this.options.retransmitScheduleMs }),
    });
    return new Promise<UdpTransactionResult>((resolve, reject) => {
      const entry: Pending = {
        transaction,
        settle: (outcome) => (outcome.ok ? resolve(outcome.value) : reject(outcome.error)),
      };
      this.pending.add(entry);
      this.apply(entry, transaction.start(performance.now()), link);
    });
  }

  /** Resolves the tracker once per socket and opens a datagram socket connected to it. */
  private connect(): Promise<Link> {
    if (this.link !== null) return this.link;
    const opening = this.open();
    this.link = opening;
    // A failed lookup must not stick: the next request tries again.
    opening.catch(() => {
      if (this.link === opening) this.link = null;
    });
    return opening;
  }

  private async open(): Promise<Link> {
    const { host, port } = this.endpoint;
    let address: string;
    let family: number;
    try {
      if (isIP(host) !== 0) ({ address, family } = { address: host, family: isIP(host) });
      else ({ address, family } = await (this.options.lookup ?? ((h: string) => lookup(h)))(host));
    } catch (error) {
      throw new TrackerError('tracker/unreachable', `UDP tracker host did not resolve: ${describeNetworkError(error)}`);
    }
    const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
    const link: Link = { socket, family: family === 6 ? 'ipv6' : 'ipv4' };
    // The socket must not keep the process alive on its own; pending requests hold the timer instead.
    socket.unref();
    socket.on('message', (packet) => this.onPacket(link, new Uint8Array(packet.buffer, packet.byteOffset, packet.length)));
    socket.on('error', (error) => this.onSocketError(link, error));
    await new Promise<void>((resolve, reject) => {
      // The permanent 'error' listener above has already closed the socket.
      const fail = (error: Error): void => reject(new TrackerError('tracker/unreachable', `UDP tracker unreachable: ${describeNetworkError(error)}`));
      socket.once('error', fail);
      // Connected, so an ICMP "port unreachable" comes back as ECONNREFUSED instead of silence.
      socket.connect(port, address, () => {
        socket.off('error', fail);
        resolve();
      });
    });
    if (this.closed) {
      socket.close();
      throw new TrackerError('tracker/closed', 'tracker client was closed while connecting');
    }
    this.current = link;
    return link;
  }

  private onPacket(link: Link, packet: Uint8Array): void {
    if (link !== this.current) return;
    const now = performance.now();
    for (const entry of [...this.pending]) this.apply(entry, entry.transaction.receive(packet, now), link);
  }

  private onSocketError(link: Link, error: Error): void {
    try {
      link.socket.close();
    } catch {
      // Node may already have closed a socket that errored.
    }
    if (link !== this.current) return;
    this.current = null;
    this.link = null;
    const code = (error as NodeJS.ErrnoException).code;
    const what = code === 'ECONNREFUSED' ? 'port closed (ICMP port unreachable)' : describeNetworkError(error);
    this.failAll(new TrackerError('tracker/unreachable', `UDP tracker unreachable: ${what}`));
  }

  private apply(entry: Pending, step: UdpTransactionStep, link: Link): void {
    for (const packet of step.send) {
      link.socket.send(packet, (error) => {
        if (error) this.onSocketError(link, error);
      });
    }
    if (step.outcome !== undefined) {
      this.pending.delete(entry);
      entry.settle(step.outcome);
    }
    this.schedule(link);
  }

  /** One timer for all transactions, set to the earliest deadline. */
  private schedule(link: Link): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    let earliest = Infinity;
    for (const entry of this.pending) {
      const deadline = entry.transaction.deadline;
      if (deadline !== null && deadline < earliest) earliest = deadline;
    }
    if (earliest === Infinity) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const now = performance.now();
      for (const entry of [...this.pending]) this.apply(entry, entry.transaction.tick(now), link);
      this.schedule(link);
    }, Math.max(0, earliest - performance.now()));
  }

  private failAll(error: TrackerError): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const entry of [...this.pending]) {
      this.pending.delete(entry);
      const step = entry.transaction.abort(error);
      if (step.outcome !== undefined) entry.settle(step.outcome);
    }
  }
}
