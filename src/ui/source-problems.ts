import { useEffect, useState } from 'react';
import type { Alert, EngineClient } from '../browser/client/index.js';

type SourceAlert = Extract<Alert, { type: 'tracker-error' | 'tracker-reply' | 'web-seed-error' | 'web-seed-working' }>;

const isSourceAlert = (a: Alert): a is SourceAlert => a.type === 'tracker-error' || a.type === 'tracker-reply' || a.type === 'web-seed-error' || a.type === 'web-seed-working';

/**
 * Each torrent's failing sources in words, from the engine's alerts: a `tracker-error` or
 * `web-seed-error` marks the tracker or web seed, a reply or a delivery from it clears the mark. A
 * failing source blocks nothing; it is said so the person knows why no peers or bytes come.
 */
export function useSourceProblems(client: EngineClient): ReadonlyMap<string, string> {
  const [problems, setProblems] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    /** Per torrent: the failing trackers and web seeds, by URL, with their messages. */
    const failing = new Map<string, { trackers: Map<string, string>; webSeeds: Map<string, string> }>();
    return client.subscribe((batch) => {
      let changed = false;
      for (const a of batch.alerts) {
        if (!isSourceAlert(a)) continue;
        const marks = failing.get(a.infoHash) ?? { trackers: new Map<string, string>(), webSeeds: new Map<string, string>() };
        failing.set(a.infoHash, marks);
        const urls = a.type === 'tracker-error' || a.type === 'tracker-reply' ? marks.trackers : marks.webSeeds;
        if (a.type === 'tracker-error' || a.type === 'web-seed-error') urls.set(a.url, a.message);
        else if (!urls.delete(a.url)) continue;
        changed = true;
      }
      if (!changed) return;
      const next = new Map<string, string>();
      for (const [infoHash, { trackers, webSeeds }] of failing) {
        const lines = [said(trackers, 'tracker', (url, why) => `Tracker ${url} is not reachable: ${why}`), said(webSeeds, 'web seed', (url, why) => `Web seed ${url} is not working: ${why.replace(/^web seed /, '')}`)].filter((line) => line !== null);
        if (lines.length > 0) next.set(infoHash, lines.join('. '));
      }
      setProblems(next);
    });
  }, [client]);
  return problems;
}

/** "Tracker <url> is not reachable: <why> (and 2 more trackers)", or null when none fails. */
function said(urls: ReadonlyMap<string, string>, noun: string, sentence: (url: string, why: string) => string): string | null {
  const [first] = urls;
  if (!first) return null;
  const more = urls.size > 1 ? ` (and ${urls.size - 1} more ${noun}${urls.size > 2 ? 's' : ''})` : '';
  return `${sentence(first[0], first[1])}${more}`;
}
