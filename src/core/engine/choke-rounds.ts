import { Choker } from '../choker/choker.js';
import type { PeerLink } from './peer-link.js';
import type { UploadQueue } from './upload-queue.js';

export interface ChokeRoundsDeps {
  readonly slots: number;
  random(): number;
  /** The connected peers, by address. */
  readonly links: ReadonlyMap<string, PeerLink>;
  /** We have every wanted piece: slots go by upload rate instead of download rate. */
  seeding(): boolean;
  /** A choked peer's queued requests are void. */
  readonly uploads: Pick<UploadQueue, 'clear'>;
}

/**
 * Runs the choker (choker/) over the torrent's peers: a round every rechoke interval, and one at once
 * when an upload slot is free and a peer may want it, so a newly interested peer does not wait for
 * the next round. It unchokes and chokes the links the round names.
 */
export class ChokeRounds {
  private readonly choker: Choker;

  constructor(private readonly deps: ChokeRoundsDeps) {
    this.choker = new Choker({ slots: deps.slots, random: () => deps.random() });
  }

  /** Runs a round if one is due; returns when the next is due (ms, same clock). */
  tick(now: number): number {
    if (now >= this.choker.nextRechokeAt) this.run(now);
    return this.choker.nextRechokeAt;
  }

  /** A peer became interested (or may newly qualify): if a slot is free, a round runs now. */
  offerSlot(now: number): void {
    if (this.unchokedCount() < this.choker.slots) this.run(now);
  }

  private unchokedCount(): number {
    let n = 0;
    for (const l of this.deps.links.values()) if (!l.conn.amChoking) n++;
    return n;
  }

  private run(now: number): void {
    const { links } = this.deps;
    const views = [...links.values()]
      .filter((l) => l.conn.ready)
      .map((l) => ({
        id: l.address,
        interested: l.conn.peerInterested,
        amChoking: l.conn.amChoking,
        downloadRate: l.downloadMeter.rate(now),
        uploadRate: l.uploadMeter.rate(now),
        snubbed: l.pipeline.snubbed,
        connectedAt: l.connectedAt,
        isSeed: l.seed,
      }));
    const result = this.choker.rechoke(views, now, this.deps.seeding() ? 'seeding' : 'leeching');
    for (const id of result.toUnchoke) {
      const link = links.get(id);
      if (!link) continue;
      link.conn.unchoke();
      link.flush();
    }
    for (const id of result.toChoke) {
      const link = links.get(id);
      if (!link) continue;
      link.conn.choke();
      this.deps.uploads.clear(link);
      link.flush();
    }
  }
}
