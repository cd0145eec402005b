/** A parsed `Content-Range: bytes first-last/total` (total null for `*`). */
export interface ContentRange {
  readonly first: number;
  readonly last: number;
  readonly total: number | null;
}

const CONTENT_RANGE = /^bytes[ \t]+(\d{1,16})-(\d{1,16})\/(\d{1,16}|\*)$/i;

/** Parses a satisfied byte range (RFC 9110 §14.4); null for anything else, including an unsatisfied range (`bytes *` then the size). */
export function parseContentRange(value: string): ContentRange | null {
  if (value.length > 100) return null;
  const m = CONTENT_RANGE.exec(value.trim());
  if (!m) return null;
  const first = Number(m[1]);
  const last = Number(m[2]);
  const total = m[3] === '*' ? null : Number(m[3]);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || last < first) return null;
  if (total !== null && (!Number.isSafeInteger(total) || last >= total)) return null;
  return { first, last, total };
}

/** A `Retry-After` in delta-seconds, as milliseconds; null for a date or anything unparseable. */
export function parseRetryAfter(value: string | null): number | null {
  if (value === null) return null;
  const m = /^\s*(\d{1,9})\s*$/.exec(value);
  return m ? Number(m[1]) * 1000 : null;
}
