import type { Priority } from '../../../src/core/api/types.js';
import type { Metainfo } from '../../../src/core/metainfo/model.js';
import { UsageError } from './args.js';

/** More numbers than any real torrent has files: a typo such as 1-999999999 is refused, not expanded. */
const MAX_SELECTED = 100_000;

/**
 * `--select 1,3-5`: file numbers as `sluice info` prints them, counting from 1 in the torrent's
 * order and leaving padding files out (as aria2c's --select-file does).
 */
export function parseSelection(text: string): ReadonlySet<number> {
  const bad = () => new UsageError(`--select '${text}' must list file numbers such as 1,3-5 (the numbers sluice info prints)`);
  const selected = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*(\d{1,9})\s*(?:-\s*(\d{1,9})\s*)?$/.exec(part);
    if (!m) throw bad();
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < 1 || to < from) throw bad();
    if (to - from + 1 + selected.size > MAX_SELECTED) throw new UsageError(`--select '${text}' names more than ${MAX_SELECTED} files`);
    for (let n = from; n <= to; n++) selected.add(n);
  }
  return selected;
}

/** Priorities per file of `meta` (padding included): selected files normal, the rest not downloaded. */
export function selectionPriorities(meta: Metainfo, selected: ReadonlySet<number>): Priority[] {
  const real = meta.files.filter((f) => !f.padding).length;
  const beyond = [...selected].filter((n) => n > real);
  if (beyond.length > 0) {
    throw new UsageError(`--select names file ${Math.min(...beyond)}, but ${meta.name} has ${real} file${real === 1 ? '' : 's'} (see sluice info)`);
  }
  let number = 0;
  return meta.files.map((f) => (f.padding ? 0 : selected.has(++number) ? 4 : 0));
}
