import type { Hasher } from '../ports/hasher.js';

const BLOCK = 16 * 1024;
/** Failed pieces remembered at once; each costs 20 bytes and one sender per block. */
const MAX_SUSPECT_PIECES = 256;

interface Suspect {
  readonly senders: readonly (string | undefined)[];
  readonly hashes: Uint8Array;
}

/**
 * Finds who lied when a piece built from several peers' blocks fails its hash, as libtorrent's
 * smart ban does. It remembers which peer sent each block; when a piece fails it keeps a SHA-1 of
 * every block; when the same piece later passes, the peers whose remembered blocks differ from the
 * good ones are the liars, with certainty. Honest peers that shared a bad piece are never blamed.
 */
export class SmartBan {
  private readonly senders = new Map<number, (string | undefined)[]>();
  private readonly suspects = new Map<number, Suspect>();

  constructor(private readonly hasher: Hasher) {}

  blockAccepted(piece: number, begin: number, sender: string): void {
    let list = this.senders.get(piece);
    if (!list) this.senders.set(piece, (list = []));
    list[Math.floor(begin / BLOCK)] = sender;
  }

  /** Distinct senders of a piece's blocks, in block order. */
  sendersOf(piece: number): string[] {
    return [...new Set((this.senders.get(piece) ?? []).filter((s): s is string => s !== undefined))];
  }

  /** The piece failed: remember what each sender gave us. */
  async pieceFailed(piece: number, data: Uint8Array): Promise<void> {
    const senders = this.senders.get(piece) ?? [];
    this.senders.delete(piece);
    if (new Set(senders.filter((s) => s !== undefined)).size < 2) return;
    const hashes = await this.hasher.digestBlocks('sha1', data, BLOCK);
    if (!this.suspects.has(piece) && this.suspects.size >= MAX_SUSPECT_PIECES) {
      const oldest = this.suspects.keys().next().value;
      if (oldest !== undefined) this.suspects.delete(oldest);
    }
    this.suspects.set(piece, { senders, hashes });
  }

  /** The piece passed: returns the peers whose earlier blocks of it were not these bytes. */
  async piecePassed(piece: number, data: Uint8Array): Promise<string[]> {
    this.senders.delete(piece);
    const suspect = this.suspects.get(piece);
    if (!suspect) return [];
    this.suspects.delete(piece);
    const good = await this.hasher.digestBlocks('sha1', data, BLOCK);
    const liars = new Set<string>();
    suspect.senders.forEach((sender, block) => {
      if (sender === undefined) return;
      for (let i = 0; i < 20; i++) {
        if (good[block * 20 + i] !== suspect.hashes[block * 20 + i]) {
          liars.add(sender);
          return;
        }
      }
    });
    return [...liars];
  }

  forget(piece: number): void {
    this.senders.delete(piece);
  }
}
