/** Where the claims' deadlines go: the torrent's own setters. */
export interface DeadlineTarget {
  setPieceDeadline(piece: number, deadline: number): void;
  clearPieceDeadline(piece: number): void;
}

/**
 * The deadlines the readers of one torrent hold, piece by piece: a piece is due by the earliest deadline
 * any reader holding it asked for, and loses its deadline only when the last of them lets go. Readers of
 * one file overlap when a player seeks a little way forward: the new request's first pieces are the old
 * request's read-ahead, and the old request's cancel comes after the new one opened. With one deadline
 * per piece and no holders, that cancel dropped the new reader's deadlines, and the piece it waited for
 * was fetched as an ordinary one, in rarest-first order.
 */
export class DeadlineClaims {
  private readonly byPiece = new Map<number, Map<object, number>>();

  constructor(private readonly target: DeadlineTarget) {}

  /** `holder` wants `piece` by `deadline` (replacing what it asked before). */
  hold(piece: number, holder: object, deadline: number): void {
    let holders = this.byPiece.get(piece);
    if (!holders) this.byPiece.set(piece, (holders = new Map()));
    holders.set(holder, deadline);
    this.target.setPieceDeadline(piece, earliest(holders));
  }

  /** `holder` no longer waits for `piece`: the others' earliest deadline stays, or none if none is left. */
  release(piece: number, holder: object): void {
    const holders = this.byPiece.get(piece);
    if (!holders?.delete(holder)) return;
    if (holders.size > 0) {
      this.target.setPieceDeadline(piece, earliest(holders));
      return;
    }
    this.byPiece.delete(piece);
    this.target.clearPieceDeadline(piece);
  }

  /** `holder` lets go of every piece it holds (a reader or a relay that is gone). */
  releaseAll(holder: object): void {
    for (const [piece, holders] of [...this.byPiece]) if (holders.has(holder)) this.release(piece, holder);
  }

  /** Pieces held by anyone (for tests). */
  get heldPieces(): number {
    return this.byPiece.size;
  }
}

function earliest(holders: ReadonlyMap<object, number>): number {
  let min = Number.POSITIVE_INFINITY;
  for (const d of holders.values()) if (d < min) min = d;
  return min;
}

const claimsBySource = new WeakMap<DeadlineTarget, DeadlineClaims>();

/** The one `DeadlineClaims` of `source` (a torrent), shared by all its readers. */
export function deadlineClaimsOf(source: DeadlineTarget): DeadlineClaims {
  let claims = claimsBySource.get(source);
  if (!claims) claimsBySource.set(source, (claims = new DeadlineClaims(source)));
  return claims;
}
