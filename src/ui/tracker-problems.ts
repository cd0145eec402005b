import { useEffect, useState } from 'react';
import type { EngineClient } from '../browser/client/index.js';

/**
 * Each torrent's failing trackers, in words, from the engine's alerts: a `tracker-error` marks the
 * tracker, a `tracker-reply` from it clears the mark. An unreachable tracker blocks nothing; it is
 * said so the person knows why no peers come.
 */
export function useTrackerProblems(client: EngineClient): ReadonlyMap<string, string> {
  const [problems, setProblems] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    const failing = new Map<string, Map<string, string>>();
    return client.subscribe((batch) => {
      let changed = false;
      for (const a of batch.alerts) {
        if (a.type !== 'tracker-error' && a.type !== 'tracker-reply') continue;
        const urls = failing.get(a.infoHash) ?? new Map<string, string>();
        failing.set(a.infoHash, urls);
        if (a.type === 'tracker-error') urls.set(a.url, a.message);
        else if (!urls.delete(a.url)) continue;
        changed = true;
      }
      if (!changed) return;
      const next = new Map<string, string>();
      for (const [infoHash, urls] of failing) {
        const [first] = urls;
        if (!first) continue;
        const more = urls.size > 1 ? ` (and ${urls.size - 1} more tracker${urls.size > 2 ? 's' : ''})` : '';
        next.set(infoHash, `Tracker ${first[0]} is not reachable: ${first[1]}${more}`);
      }
      setProblems(next);
    });
  }, [client]);
  return problems;
}
