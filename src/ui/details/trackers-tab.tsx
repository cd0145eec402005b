import type { TrackerStatus, WebSeedStatus } from '../../browser/client/index.js';
import { formatBytes } from '../format.js';

const STATE_WORDS: Record<TrackerStatus['state'], string> = {
  idle: 'Waiting',
  announcing: 'Announcing…',
  working: 'Working',
  error: 'Not working',
  disabled: 'Disabled',
};

const WEB_SEED_WORDS: Record<WebSeedStatus['state'], string> = {
  idle: 'Not asked yet',
  working: 'Working',
  error: 'Not working',
  disabled: 'Given up (bad data)',
};

const secondsUntil = (at: number) => Math.max(0, Math.round((at - Date.now()) / 1000));

/** Each tracker with its state in words, the last error, what it reported and when it is asked next; then the web seeds. */
export function TrackersTab({ trackers, webSeeds }: { readonly trackers: readonly TrackerStatus[]; readonly webSeeds: readonly WebSeedStatus[] }) {
  return (
    <>
      {trackers.length === 0 ? (
        <p className="muted">This torrent has no trackers; it finds peers only through those it already knows.</p>
      ) : (
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
                {t.nextAnnounceAt ? ` · next in ${secondsUntil(t.nextAnnounceAt)} s` : ''}
              </p>
            </li>
          ))}
        </ul>
      )}
      {webSeeds.length > 0 ? <WebSeeds webSeeds={webSeeds} /> : null}
    </>
  );
}

/** The torrent's web seeds (BEP 19): HTTP servers holding its files, asked for byte ranges. */
function WebSeeds({ webSeeds }: { readonly webSeeds: readonly WebSeedStatus[] }) {
  return (
    <section aria-label="Web seeds">
      <h3 className="details-heading">Web seeds</h3>
      <ul className="trackers-list">
        {webSeeds.map((w) => (
          <li key={w.url} className="tracker" data-web-seed-state={w.state}>
            <div className="tracker-head">
              <span className="tracker-url" title={w.url}>
                {w.url}
              </span>
              <span className={`badge tracker-${w.state === 'disabled' ? 'error' : w.state}`}>{WEB_SEED_WORDS[w.state]}</span>
            </div>
            {w.message ? <p className="tracker-message">{w.message}</p> : null}
            <p className="tracker-figures num">
              {formatBytes(w.downloaded)} received
              {w.nextRetryAt ? ` · tried again in ${secondsUntil(w.nextRetryAt)} s` : ''}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
