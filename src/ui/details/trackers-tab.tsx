import type { TrackerStatus } from '../../browser/client/index.js';

const STATE_WORDS: Record<TrackerStatus['state'], string> = {
  idle: 'Waiting',
  announcing: 'Announcing…',
  working: 'Working',
  error: 'Not working',
  disabled: 'Disabled',
};

/** Each tracker with its state in words, the last error, what it reported and when it is asked next. */
export function TrackersTab({ trackers }: { readonly trackers: readonly TrackerStatus[] }) {
  if (trackers.length === 0) return <p className="muted">This torrent has no trackers; it finds peers only through those it already knows.</p>;
  return (
    <ul className="trackers-list">
      {trackers.map((t) => (
        <li key={t.url} className="tracker" data-tracker-state={t.state}>
          <div className="tracker-head">
            <span className="tracker-url" title={t.url}>
              {t.url}
            </span>
            <span className={`badge tracker-${t.state}`}>{STATE_WORDS[t.state]}</span>
          </div>
          {t.state === 'error' && t.message ? <p className="tracker-message">{t.message}</p> : null}
          <p className="tracker-figures num">
            {t.seeders ?? '?'} seeders · {t.leechers ?? '?'} leechers · {t.peersReceived} peers received
            {t.nextAnnounceAt ? ` · next in ${Math.max(0, Math.round((t.nextAnnounceAt - Date.now()) / 1000))} s` : ''}
          </p>
        </li>
      ))}
    </ul>
  );
}
