/**
 * How many regular unchoke slots an upload limit can feed, following mainline BitTorrent 4.x:
 * few slots on a thin pipe (each unchoked peer must get enough to reciprocate), then growing
 * with the square root of the rate. Rates are in bytes per second; the thresholds are mainline's
 * in KiB/s.
 */
export const DEFAULT_UNCHOKE_SLOTS = 4;

export function slotsForUploadLimit(bytesPerSecond: number | null | undefined): number {
  if (bytesPerSecond === null || bytesPerSecond === undefined) return DEFAULT_UNCHOKE_SLOTS;
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return DEFAULT_UNCHOKE_SLOTS;
  const kib = bytesPerSecond / 1024;
  if (kib < 9) return 2;
  if (kib < 15) return 3;
  if (kib < 42) return 4;
  return Math.floor(Math.sqrt(kib * 0.6));
}
