import { AvailabilityLedger } from '../../../src/core/engine/availability-ledger.js';
import { BlockFetcher } from '../../../src/core/engine/block-fetcher.js';
import type { PeerLink } from '../../../src/core/engine/peer-link.js';
import { PieceBuffers } from '../../../src/core/engine/piece-buffers.js';
import { SmartBan } from '../../../src/core/engine/smart-ban.js';
import type { TokenBucket } from '../../../src/core/engine/token-bucket.js';
import { PiecePicker } from '../../../src/core/picker/piece-picker.js';
import { Bitfield } from '../../../src/core/util/bitfield.js';
import { nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';

export interface FetcherRigOptions {
  readonly pieces: number;
  readonly pieceLength: number;
  /** The pieces we have already (default none). */
  readonly have?: readonly number[];
  readonly now?: () => number;
  /** The piece buffers' cap, and the fetcher's (default 1 MiB). */
  readonly bufferBytes?: number;
  readonly buckets?: readonly TokenBucket[];
  readonly pieceComplete?: (index: number) => void;
}

/**
 * A real BlockFetcher over the real units it works with: a picker (random fixed at 0.5), an
 * availability ledger, piece buffers and smart ban, with the links map the test fills. What the
 * engine's other units would do (verify, HAVE, choke) is left to the test.
 */
export function fetcherRig(options: FetcherRigOptions) {
  const have = Bitfield.fromIndices(options.pieces, options.have ?? []);
  const picker = new PiecePicker({ pieceCount: options.pieces, pieceLength: () => options.pieceLength, random: () => 0.5, have });
  const availability = new AvailabilityLedger<PeerLink>(picker);
  const links = new Map<string, PeerLink>();
  const cap = options.bufferBytes ?? 1 << 20;
  const buffers = new PieceBuffers(cap);
  const fetcher = new BlockFetcher({
    now: options.now ?? (() => 0),
    active: () => true,
    removed: () => false,
    picker: () => picker,
    peerPieces: (link) => availability.pieces(link),
    links,
    buffers,
    maxBufferedBytes: cap,
    buckets: options.buckets ?? [],
    smartBan: new SmartBan(nodeHasher),
    pieceComplete: options.pieceComplete ?? (() => {}),
    wake: () => {},
  });
  return { have, picker, availability, links, buffers, fetcher };
}
