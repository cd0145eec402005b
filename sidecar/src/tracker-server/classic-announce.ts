// The announce both HTTP and UDP clients make: register the peer, pick peers of the same kind for it.
import { bytesToBinaryString } from '../../../src/core/tracker/ws/binary-string.js';
import type { AnnounceEvent } from '../../../src/core/ports/tracker.js';
import type { TrackerServerLimits } from './limits.js';
import type { PeerRecord, SwarmRegistry } from './swarm-registry.js';

export interface ClassicAnnounce {
  readonly infoHash: Uint8Array;
  readonly peerId: Uint8Array;
  /** The address the request came from (never one the client claims). */
  readonly ip: string;
  readonly port: number;
  readonly left: number | undefined;
  readonly event: AnnounceEvent | undefined;
  readonly numWant: number | undefined;
}

export type ClassicAnnounceResult =
  | { readonly ok: true; readonly complete: number; readonly incomplete: number; readonly peers: readonly PeerRecord<unknown>[] }
  | { readonly ok: false; readonly reason: string };

export function announceClassic<L>(registry: SwarmRegistry<L>, limits: TrackerServerLimits, a: ClassicAnnounce, now: number): ClassicAnnounceResult {
  const result = registry.announce(
    { infoHash: bytesToBinaryString(a.infoHash), kind: 'classic', peerId: bytesToBinaryString(a.peerId), ip: a.ip, port: a.port, left: a.left, event: a.event },
    now,
  );
  if (!result.ok) return result;
  const wanted = a.event === 'stopped' ? 0 : Math.min(a.numWant ?? limits.defaultNumWant, limits.maxNumWant);
  // Port 0 means "not listening": such peers are counted but never handed out.
  const peers = registry.pick(result.swarm, 'classic', wanted, result.peer).filter((p) => p.port !== 0);
  return { ok: true, complete: result.swarm.complete, incomplete: result.swarm.incomplete, peers };
}

/** `::ffff:1.2.3.4` (an IPv4 client on a dual-stack socket) is 1.2.3.4. */
export function plainIp(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
