import type { Alert } from '../../../src/core/api/types.js';

/**
 * One line of the event log, as `--json` prints it: what happened (`event`, the alert's type), when
 * (an ISO timestamp), to which torrent, with which peer, and why.
 */
export interface LogEntry {
  readonly event: string;
  readonly time: string;
  readonly infoHash?: string;
  readonly name?: string;
  /** The peer's address, where there is a peer. */
  readonly peer?: string;
  /** The peer's client, from its handshake, where known. */
  readonly client?: string;
  readonly [field: string]: unknown;
}

/** An entry and its words for a person: the part of the text line after the torrent and the peer. */
export interface DescribedEntry {
  readonly entry: LogEntry;
  readonly detail: string;
}

/**
 * Alerts left out of the log: one per piece, or a progress counter, they would bury the lines that
 * say why a peer left (the status lines carry progress already). libtorrent's default alert mask
 * leaves them out too.
 */
export const UNLOGGED_ALERTS: ReadonlySet<Alert['type']> = new Set(['piece-verified', 'check-progress']);

export interface AlertContext {
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** The torrent's name, when the session knows it. */
  readonly name: string | null;
  /** The client of the alert's peer, from its peer-connected alert. */
  readonly client: string | null;
}

/** What an alert becomes in the log, or null for the alerts the log leaves out. Pure. */
export function describeAlert(alert: Alert, context: AlertContext): DescribedEntry | null {
  if (UNLOGGED_ALERTS.has(alert.type)) return null;
  const torrent = { event: alert.type, time: new Date(context.now).toISOString(), infoHash: alert.infoHash, ...(context.name !== null ? { name: context.name } : {}) };
  const client = context.client !== null ? { client: context.client } : {};
  switch (alert.type) {
    case 'peer-connected':
      return { entry: { ...torrent, peer: alert.address, client: alert.client }, detail: '' };
    case 'peer-disconnected':
      return { entry: { ...torrent, peer: alert.address, ...client, reason: alert.reason }, detail: alert.reason ?? 'closed without an error' };
    case 'peer-banned':
      return { entry: { ...torrent, peer: alert.address, ...client, reason: alert.reason }, detail: `banned: ${alert.reason}` };
    case 'piece-failed':
      return {
        entry: { ...torrent, piece: alert.piece, peers: alert.peers, reason: 'hash check failed' },
        detail: `piece ${alert.piece} failed its hash check${alert.peers.length > 0 ? ` (from ${alert.peers.join(', ')})` : ''}`,
      };
    case 'tracker-reply':
      return { entry: { ...torrent, url: alert.url, peers: alert.peers }, detail: `${alert.url}: ${alert.peers} peer${alert.peers === 1 ? '' : 's'}` };
    case 'tracker-error':
      return { entry: { ...torrent, url: alert.url, reason: alert.message }, detail: `${alert.url}: ${alert.message}` };
    case 'web-seed-working':
      return { entry: { ...torrent, url: alert.url }, detail: `web seed ${alert.url} is sending` };
    case 'web-seed-error':
      return { entry: { ...torrent, url: alert.url, reason: alert.message }, detail: `web seed ${alert.url}: ${alert.message}` };
    case 'torrent-error':
      return { entry: { ...torrent, code: alert.code, reason: alert.message }, detail: `${alert.message} (${alert.code})` };
    case 'state-changed':
      return { entry: { ...torrent, state: alert.state }, detail: `now ${alert.state}` };
    case 'torrent-checked':
      return { entry: { ...torrent, havePieces: alert.havePieces }, detail: `${alert.havePieces} piece${alert.havePieces === 1 ? '' : 's'} verified on disk` };
    default:
      return { entry: torrent, detail: '' };
  }
}

/**
 * The text line for people and log files:
 * `2025-01-02T03:04:05.678Z peer-disconnected album [0123abcd] 10.0.0.2:51413 (libtorrent/2.0.9): why`.
 */
export function formatLogLine({ entry, detail }: DescribedEntry): string {
  let line = `${entry.time} ${entry.event}`;
  if (entry.infoHash !== undefined) line += ` ${entry.name ?? entry.infoHash} [${entry.infoHash.slice(0, 8)}]`;
  if (entry.peer !== undefined) line += ` ${entry.peer}${entry.client !== undefined ? ` (${entry.client})` : ''}`;
  if (detail !== '') line += `: ${detail}`;
  // A client name or a tracker's message comes from the network: no control character in it may
  // start a line of its own or drive the terminal.
  return line.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
}
