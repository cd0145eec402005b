/**
 * One line about why a socket operation failed. Node's fetch wraps the real reason (ECONNREFUSED,
 * ENOTFOUND...) in `cause`, so we look there first.
 */
export function describeNetworkError(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const cause: unknown = current.cause;
    if (!(cause instanceof Error)) break;
    current = cause;
  }
  const text = current instanceof Error ? current.message : String(current);
  return text.replace(/\s+/g, ' ').trim().slice(0, 200) || 'unknown network error';
}
