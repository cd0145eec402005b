// Counters of the tracker server, readable as JSON (/stats) and as Prometheus text (/metrics).
import type { RegistryCounts } from './swarm-registry.js';

export type Protocol = 'http' | 'udp' | 'ws';

export class TrackerCounters {
  readonly announces: Record<Protocol, number> = { http: 0, udp: 0, ws: 0 };
  readonly scrapes: Record<Protocol, number> = { http: 0, udp: 0, ws: 0 };
  /** Requests refused, by kind (`not-json`, `bad-id`, `too-many-offers`, `rate-limited`...). */
  readonly rejected = new Map<string, number>();
  udpConnects = 0;
  offersRelayed = 0;
  answersRelayed = 0;
  /** Answers whose `to_peer_id` is not (or no longer) in the swarm. */
  answersUndeliverable = 0;
  /** Messages dropped because the receiving socket had too much unsent. */
  droppedSlowReader = 0;
  wsConnectionsOpened = 0;
  wsConnectionsRefused = 0;
  wsClosedIdle = 0;
  wsClosedAbuse = 0;

  reject(kind: string): void {
    this.rejected.set(kind, (this.rejected.get(kind) ?? 0) + 1);
  }
}

export interface TrackerStats extends RegistryCounts {
  readonly uptimeSeconds: number;
  readonly wsConnections: number;
  readonly announces: Record<Protocol, number>;
  readonly scrapes: Record<Protocol, number>;
  readonly udpConnects: number;
  readonly offersRelayed: number;
  readonly answersRelayed: number;
  readonly answersUndeliverable: number;
  /** Offers waiting for a late joiner now; kept, handed to one, dropped unhanded (expired or pushed out), ever. */
  readonly waitingOffers: number;
  readonly offersKept: number;
  readonly offersHandedLate: number;
  readonly offersDroppedUnhanded: number;
  readonly droppedSlowReader: number;
  readonly peersExpired: number;
  readonly peersEvicted: number;
  readonly wsConnectionsOpened: number;
  readonly wsConnectionsRefused: number;
  readonly wsClosedIdle: number;
  readonly wsClosedAbuse: number;
  readonly rejected: Record<string, number>;
}

function labelValue(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Prometheus text exposition format 0.0.4. */
export function prometheusText(stats: TrackerStats): string {
  const lines: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: [Record<string, string>, number][]) => {
    lines.push(`# HELP sluice_tracker_${name} ${help}`, `# TYPE sluice_tracker_${name} ${type}`);
    for (const [labels, value] of samples) {
      const text = Object.entries(labels)
        .map(([k, v]) => `${k}="${labelValue(v)}"`)
        .join(',');
      lines.push(`sluice_tracker_${name}${text === '' ? '' : `{${text}}`} ${value}`);
    }
  };
  const byProtocol = (counts: Record<Protocol, number>): [Record<string, string>, number][] =>
    (Object.keys(counts) as Protocol[]).map((p) => [{ protocol: p }, counts[p]]);
  metric('announces_total', 'counter', 'Announces served, by protocol.', byProtocol(stats.announces));
  metric('scrapes_total', 'counter', 'Scrapes served, by protocol.', byProtocol(stats.scrapes));
  metric('rejected_total', 'counter', 'Requests refused as bad input or abuse, by kind.', Object.entries(stats.rejected).map(([kind, n]) => [{ kind }, n]));
  metric('udp_connects_total', 'counter', 'BEP 15 connect requests answered.', [[{}, stats.udpConnects]]);
  metric('offers_relayed_total', 'counter', 'WebRTC offers forwarded to swarm peers.', [[{}, stats.offersRelayed]]);
  metric('answers_relayed_total', 'counter', 'WebRTC answers routed back to the offering peer.', [[{}, stats.answersRelayed]]);
  metric('answers_undeliverable_total', 'counter', 'Answers for a peer no longer in the swarm.', [[{}, stats.answersUndeliverable]]);
  metric('waiting_offers', 'gauge', 'WebRTC offers kept for peers that announce later.', [[{}, stats.waitingOffers]]);
  metric('offers_kept_total', 'counter', 'WebRTC offers no peer got on arrival, kept for later peers.', [[{}, stats.offersKept]]);
  metric('offers_handed_late_total', 'counter', 'Kept WebRTC offers handed to a peer that announced later.', [[{}, stats.offersHandedLate]]);
  metric('offers_dropped_unhanded_total', 'counter', 'Kept WebRTC offers that expired or were pushed out unhanded.', [[{}, stats.offersDroppedUnhanded]]);
  metric('dropped_slow_reader_total', 'counter', 'Messages dropped for sockets with too much unsent.', [[{}, stats.droppedSlowReader]]);
  metric('peers_expired_total', 'counter', 'Peers dropped for not announcing within their TTL.', [[{}, stats.peersExpired]]);
  metric('peers_evicted_total', 'counter', 'Peers dropped to make room in a full swarm.', [[{}, stats.peersEvicted]]);
  metric('ws_connections_opened_total', 'counter', 'WebSocket connections accepted.', [[{}, stats.wsConnectionsOpened]]);
  metric('ws_connections_refused_total', 'counter', 'WebSocket connections refused (too many open).', [[{}, stats.wsConnectionsRefused]]);
  metric('ws_closed_total', 'counter', 'WebSocket connections closed by the tracker, by reason.', [
    [{ reason: 'idle' }, stats.wsClosedIdle],
    [{ reason: 'abuse' }, stats.wsClosedAbuse],
  ]);
  metric('ws_connections', 'gauge', 'WebSocket connections open.', [[{}, stats.wsConnections]]);
  metric('torrents', 'gauge', 'Torrents with at least one peer.', [[{}, stats.torrents]]);
  metric('peers', 'gauge', 'Peers, by kind.', [
    [{ kind: 'classic' }, stats.classicPeers],
    [{ kind: 'ws' }, stats.wsPeers],
  ]);
  metric('seeders', 'gauge', 'Peers with the whole torrent.', [[{}, stats.seeders]]);
  metric('leechers', 'gauge', 'Peers still downloading.', [[{}, stats.leechers]]);
  metric('uptime_seconds', 'gauge', 'Seconds since the tracker started.', [[{}, stats.uptimeSeconds]]);
  return `${lines.join('\n')}\n`;
}
