// One BEP 15 request (announce or scrape) as a sans-I/O state machine: it says what to send and when
// to be woken; the shell owns the socket and the timer. Time is `now` in milliseconds.
import type { AnnounceRequest, AnnounceResponse, ScrapeStats } from '../ports/tracker.js';
import { UDP_CONNECTION_ID_LIFETIME_MS, UDP_RETRANSMIT_SCHEDULE_MS } from './bounds.js';
import type { AddressFamily } from './compact-peers.js';
import { TrackerError, failureReasonError } from './errors.js';
import { decodeUdpResponse, encodeUdpRequest, peekTransactionId, type UdpResponse } from './udp-packets.js';
import { checkAnnounceRequest, checkScrapeHashes } from './validate.js';

/**
 * The connection id a tracker gave us, shared by every transaction with that tracker. BEP 15 lets a
 * client use it for one minute after receiving it.
 */
export class UdpConnectionState {
  private id: bigint | null = null;
  private receivedAt = 0;

  constructor(readonly lifetimeMs: number = UDP_CONNECTION_ID_LIFETIME_MS) {}

  current(now: number): bigint | null {
    return this.id !== null && now - this.receivedAt < this.lifetimeMs ? this.id : null;
  }

  store(id: bigint, now: number): void {
    this.id = id;
    this.receivedAt = now;
  }
}

export type UdpTrackerQuery =
  | { readonly kind: 'announce'; readonly request: AnnounceRequest; readonly urlData?: Uint8Array }
  | { readonly kind: 'scrape'; readonly infoHashes: readonly Uint8Array[] };

export type UdpTransactionResult =
  | { readonly kind: 'announce'; readonly response: AnnounceResponse }
  | { readonly kind: 'scrape'; readonly stats: readonly ScrapeStats[] };

export type UdpTransactionOutcome =
  | { readonly ok: true; readonly value: UdpTransactionResult }
  | { readonly ok: false; readonly error: TrackerError };

export interface UdpTransactionStep {
  /** Datagrams to send now, in order. */
  readonly send: readonly Uint8Array[];
  /** When to call `tick` next; null once the transaction is over. */
  readonly deadline: number | null;
  /** Present exactly once: on the step that ends the transaction. */
  readonly outcome?: UdpTransactionOutcome;
}

export interface UdpTransactionOptions {
  /** How the tracker is reached: an IPv6 tracker answers with 18-byte peers. */
  readonly family: AddressFamily;
  /** Source of transaction ids (the shell passes a CSPRNG: the id is what stops spoofed replies). */
  readonly randomUint32: () => number;
  /** Shared with other transactions to the same tracker; a fresh one by default. */
  readonly connection?: UdpConnectionState;
  /**
   * Wait before each retransmission and before giving up; BEP 15's 15 * 2^n s, n = 0..8, by default.
   * Tests pass something short. An empty schedule is treated as one 15 s wait.
   */
  readonly retransmitScheduleMs?: readonly number[];
}

type Phase = 'idle' | 'connecting' | 'requesting' | 'done';

export class UdpTrackerTransaction {
  private phase: Phase = 'idle';
  private attempt = 0;
  private transactionId = 0;
  private deadlineAt = 0;
  private readonly connection: UdpConnectionState;
  private readonly schedule: readonly number[];

  /** Throws `tracker/bad-request` at once if the query is invalid. */
  constructor(
    private readonly query: UdpTrackerQuery,
    private readonly options: UdpTransactionOptions,
  ) {
    if (query.kind === 'announce') checkAnnounceRequest(query.request);
    else checkScrapeHashes(query.infoHashes);
    this.connection = options.connection ?? new UdpConnectionState();
    const schedule = options.retransmitScheduleMs ?? UDP_RETRANSMIT_SCHEDULE_MS;
    this.schedule = schedule.length > 0 ? schedule : [UDP_RETRANSMIT_SCHEDULE_MS[0]!];
  }

  /** When `tick` wants to be called next; null before `start` and after the end. */
  get deadline(): number | null {
    return this.phase === 'connecting' || this.phase === 'requesting' ? this.deadlineAt : null;
  }

  get done(): boolean {
    return this.phase === 'done';
  }

  start(now: number): UdpTransactionStep {
    if (this.phase !== 'idle') return this.idleStep();
    return this.sendNext(now, true);
  }

  /** Feed every datagram that came from the tracker; ones for other transactions are ignored. */
  receive(packet: Uint8Array, now: number): UdpTransactionStep {
    if (this.phase !== 'connecting' && this.phase !== 'requesting') return this.idleStep();
    if (peekTransactionId(packet) !== this.transactionId) return this.idleStep();
    let response: UdpResponse;
    try {
      response = decodeUdpResponse(packet, this.options.family);
    } catch (error) {
      return this.finish({ ok: false, error: asTrackerError(error) });
    }
    if (response.action === 'error') return this.finish({ ok: false, error: failureReasonError(response.message) });
    if (this.phase === 'connecting') {
      if (response.action !== 'connect') return this.unexpected(response.action, 'connect');
      this.connection.store(response.connectionId, now);
      return this.sendNext(now, true);
    }
    if (this.query.kind === 'announce') {
      if (response.action !== 'announce') return this.unexpected(response.action, 'announce');
      return this.finish({
        ok: true,
        value: {
          kind: 'announce',
          response: { interval: response.interval, complete: response.seeders, incomplete: response.leechers, peers: response.peers },
        },
      });
    }
    if (response.action !== 'scrape') return this.unexpected(response.action, 'scrape');
    const hashes = this.query.infoHashes;
    const stats = response.entries.slice(0, hashes.length).map((entry, i) => ({
      infoHash: hashes[i]!,
      complete: entry.seeders,
      downloaded: entry.completed,
      incomplete: entry.leechers,
    }));
    return this.finish({ ok: true, value: { kind: 'scrape', stats } });
  }

  /** Call at (or after) the deadline: retransmits, reconnects if the connection id expired, or times out. */
  tick(now: number): UdpTransactionStep {
    if (this.phase === 'idle' || this.phase === 'done' || now < this.deadlineAt) return this.idleStep();
    this.attempt++;
    if (this.attempt >= this.schedule.length) {
      const waited = this.schedule.reduce((sum, ms) => sum + ms, 0);
      return this.finish({
        ok: false,
        error: new TrackerError('tracker/timeout', `UDP tracker did not answer ${this.schedule.length} tries over ${waited} ms`),
      });
    }
    return this.sendNext(now, false);
  }

  /** Ends the transaction from outside (the client was closed). */
  abort(error: TrackerError): UdpTransactionStep {
    if (this.phase === 'done') return this.idleStep();
    return this.finish({ ok: false, error });
  }

  private sendNext(now: number, fresh: boolean): UdpTransactionStep {
    const connectionId = this.connection.current(now);
    const phase: Phase = connectionId === null ? 'connecting' : 'requesting';
    // A new step gets a new transaction id and a fresh retransmission count; a retransmission of the
    // same step keeps its id so a late reply to an earlier copy still counts.
    if (fresh || phase !== this.phase) {
      this.transactionId = this.options.randomUint32() >>> 0;
      if (fresh) this.attempt = 0;
    }
    this.phase = phase;
    this.deadlineAt = now + this.schedule[this.attempt]!;
    const packet =
      connectionId === null
        ? encodeUdpRequest({ action: 'connect', transactionId: this.transactionId })
        : this.requestPacket(connectionId);
    return { send: [packet], deadline: this.deadlineAt };
  }

  private requestPacket(connectionId: bigint): Uint8Array {
    const transactionId = this.transactionId;
    if (this.query.kind === 'scrape') {
      return encodeUdpRequest({ action: 'scrape', connectionId, transactionId, infoHashes: this.query.infoHashes });
    }
    const r = this.query.request;
    return encodeUdpRequest({
      action: 'announce',
      connectionId,
      transactionId,
      infoHash: r.infoHash,
      peerId: r.peerId,
      downloaded: r.downloaded,
      left: r.left,
      uploaded: r.uploaded,
      event: r.event,
      ip: 0,
      key: r.key ?? 0,
      numWant: r.numWant ?? -1,
      port: r.port,
      ...(this.query.urlData === undefined ? {} : { urlData: this.query.urlData }),
    });
  }

  private unexpected(got: string, wanted: string): UdpTransactionStep {
    return this.finish({
      ok: false,
      error: new TrackerError('tracker/bad-response', `UDP tracker reply: expected ${wanted}, got ${got}`),
    });
  }

  private finish(outcome: UdpTransactionOutcome): UdpTransactionStep {
    this.phase = 'done';
    return { send: [], deadline: null, outcome };
  }

  private idleStep(): UdpTransactionStep {
    return { send: [], deadline: this.deadline };
  }
}

function asTrackerError(error: unknown): TrackerError {
  if (error instanceof TrackerError) return error;
  return new TrackerError('tracker/bad-response', 'UDP tracker reply could not be read');
}
