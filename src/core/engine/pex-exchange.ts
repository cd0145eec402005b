import type { PexMessage } from '../extensions/ut-pex/codec.js';
import { PexState } from '../extensions/ut-pex/pex-state.js';
import { formatHostPort, splitHostPort } from './address.js';
import type { PeerLink } from './peer-link.js';

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Peer exchange (BEP 11, ut_pex) with each connected peer: what we tell it of our other peers (IP
 * addresses only; a peer that dialled us by the port it announced), and the addresses it tells us,
 * taken at the rate PexState allows. Never for a private torrent.
 */
export class PexExchange {
  private readonly states = new Map<PeerLink, PexState>();

  constructor(
    private readonly links: ReadonlyMap<string, PeerLink>,
    private readonly isPrivate: () => boolean,
  ) {}

  add(link: PeerLink): void {
    this.states.set(link, new PexState({ enabled: !this.isPrivate() }));
  }

  remove(link: PeerLink): void {
    this.states.delete(link);
  }

  /** Sends `link` what changed among our peers, when its PEX interval has passed. */
  send(link: PeerLink, now: number): void {
    const state = this.states.get(link);
    if (!state?.enabled || !link.conn.ready || link.conn.peerExtensionId('ut_pex') === 0) return;
    const connected = [];
    for (const other of this.links.values()) {
      if (other === link || !other.conn.ready) continue;
      const parsed = splitHostPort(other.address);
      // PEX carries IP addresses only.
      if (!parsed || !(IPV4.test(parsed.host) || parsed.host.includes(':'))) continue;
      const port = other.transport.outgoing ? parsed.port : other.listenPort;
      if (port) connected.push({ host: parsed.host, port, flags: other.seed ? 0x02 : 0 });
    }
    const message = state.build(connected, now);
    if (message && link.conn.sendPex(message)) link.flush();
  }

  /** The addresses a PEX message from `link` adds, or none when it came too soon (or the torrent is private). */
  receive(link: PeerLink, message: PexMessage, now: number): string[] {
    if (this.isPrivate() || !this.states.get(link)?.acceptIncoming(now)) return [];
    return message.added.map((p) => formatHostPort(p.host, p.port));
  }
}
