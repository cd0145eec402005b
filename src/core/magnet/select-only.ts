import { MagnetError } from './errors.js';
import type { FileIndexRange } from './types.js';

/** File indices above this are not real torrents; the bound keeps a range list from meaning billions of files. */
export const MAX_FILE_INDEX = 0x7fffffff;

const ITEM = /^([0-9]{1,10})(?:-([0-9]{1,10}))?$/;

function bad(text: string): MagnetError {
  return new MagnetError('magnet/bad-select-only', `magnet so='${text.slice(0, 64)}' is not a list like 0,2,4-6`);
}

/** Parses BEP 53 `so` (e.g. `0,2,4-6`) into inclusive ranges, in the order given. */
export function parseSelectOnly(text: string): FileIndexRange[] {
  const ranges: FileIndexRange[] = [];
  for (const item of text.split(',')) {
    const m = ITEM.exec(item);
    if (m === null) throw bad(text);
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (last > MAX_FILE_INDEX || first > last) throw bad(text);
    ranges.push({ first, last });
  }
  return ranges;
}

export function formatSelectOnly(ranges: readonly FileIndexRange[]): string {
  return ranges.map((r) => (r.first === r.last ? `${r.first}` : `${r.first}-${r.last}`)).join(',');
}
