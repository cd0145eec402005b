import type { TorrentView } from '../browser/client/index.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? Math.round(value) : value.toFixed(1)} ${UNITS[unit]}`;
}

/** Bytes per second → "1.5 MiB/s". */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

export function formatPercent(fraction: number): string {
  return `${(Math.floor(fraction * 1000) / 10).toFixed(1)}%`;
}

/** Seconds left → "42 s", "3 min 05 s", "2 h 07 min", "3 d 4 h"; "∞" when unknown. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '∞';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

export function formatRatio(ratio: number): string {
  return ratio.toFixed(2);
}

const STATE_LABELS: Record<TorrentView['state'], string> = {
  metadata: 'Fetching metadata',
  checking: 'Checking',
  downloading: 'Downloading',
  seeding: 'Seeding',
  paused: 'Paused',
  error: 'Error',
};

export function stateLabel(state: TorrentView['state']): string {
  return STATE_LABELS[state];
}

/** A text field's number of KiB/s as bytes per second (0 for empty or nonsense). */
export function kibToBytes(text: string): number {
  const value = Number(text.trim());
  return Number.isFinite(value) && value > 0 ? Math.round(value * 1024) : 0;
}

export function bytesToKib(bytes: number): string {
  return bytes > 0 ? String(Math.round(bytes / 1024)) : '';
}
