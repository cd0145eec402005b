/**
 * The known word nearest to a mistyped one, as git's "did you mean": within a small edit distance
 * (a swapped pair of letters counts as one edit), or the only word the typo is a prefix of.
 * Null when nothing is close enough to be a likely meaning.
 */
export function nearestWord(typed: string, known: readonly string[]): string | null {
  const limit = Math.max(1, Math.floor(typed.length / 3));
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const word of known) {
    const d = editDistance(typed, word);
    if (d < bestDistance) {
      best = word;
      bestDistance = d;
    }
  }
  if (best !== null && bestDistance <= limit) return best;
  const extending = typed.length >= 2 ? known.filter((w) => w.startsWith(typed)) : [];
  return extending.length === 1 ? extending[0]! : null;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}
