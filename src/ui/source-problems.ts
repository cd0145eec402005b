import { useEffect, useState } from 'react';
import type { Alert, EngineClient } from '../browser/client/index.js';

type SourceAlert = Extract<Alert, { type: 'tracker-error' | 'tracker-reply' | 'web-seed-error' | 'web-seed-working' }>;

const isSourceAlert = (a: Alert): a is SourceAlert => a.type === 'tracker-error' || a.type === 'tracker-reply' || a.type === 'web-seed-error' || a.type === 'web-seed-working';

/** One kind of source of one torrent: which fail (with why) and which answered since they last failed. */
interface Marks {
  readonly failing: Map<string, string>;
  readonly working: Set<string>;
}

const marks = (): Marks => ({ failing: new Map(), working: new Set() });

/**
 * Each torrent's failing sources in words, from the engine's alerts: a `tracker-error` or
 * `web-seed-error` marks the tracker or web seed, a reply or a delivery from it clears the mark. A
 * failing source blocks nothing; it is said on the torrent while no other source of its kind works, so
 * the person knows why no peers or bytes come. One dead tracker among working ones (a public tracker
 * that went away) is said only in the torrent's details, not as a warning on every torrent.
 */
export function useSourceProblems(client: EngineClient): ReadonlyMap<string, string> {
  const [problems, setProblems] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    const byTorrent = new Map<string, { trackers: Marks; webSeeds: Marks }>();
    return client.subscribe((batch) => {
      let changed = false;
      for (const a of batch.alerts) {
        if (!isSourceAlert(a)) continue;
        const torrent = byTorrent.get(a.infoHash) ?? { trackers: marks(), webSeeds: marks() };
        byTorrent.set(a.infoHash, torrent);
        const kind = a.type === 'tracker-error' || a.type === 'tracker-reply' ? torrent.trackers : torrent.webSeeds;
        if (a.type === 'tracker-error' || a.type === 'web-seed-error') {
          kind.failing.set(a.url, a.message);
          kind.working.delete(a.url);
        } else {
          kind.failing.delete(a.url);
          kind.working.add(a.url);
        }
        changed = true;
      }
      if (!changed) return;
      const next = new Map<string, string>();
      for (const [infoHash, { trackers, webSeeds }] of byTorrent) {
        const lines = [
          said(trackers, 'tracker', (url, why) => `Tracker ${url} is not reachable: ${why}`),
          said(webSeeds, 'web seed', (url, why) => `Web seed ${url} is not working: ${why.replace(/^web seed /, '')}`),
        ].filter((line) => line !== null);
        if (lines.length > 0) next.set(infoHash, lines.join('. '));
      }
      setProblems(next);
    });
  }, [client]);
  return problems;
}

/** "Tracker <url> is not reachable: <why> (and 2 more trackers)", or null when none fails or another works. */
function said({ failing, working }: Marks, noun: string, sentence: (url: string, why: string) => string): string | null {
  const [first] = failing;
  if (!first || working.size > 0) return null;
  const more = failing.size > 1 ? ` (and ${failing.size - 1} more ${noun}${failing.size > 2 ? 's' : ''})` : '';
  return `${sentence(first[0], first[1])}${more}`;
}
