import type { SeedJob } from '../browser/client/index.js';
import { CopyButton } from './copy-button.js';
import { formatBytes, formatPercent } from './format.js';
import { Icon } from './icons.js';
import { shareLinkOf } from './torrent-input.js';

export interface Notice {
  readonly id: number;
  readonly message: string;
}

/** Errors in words, each dismissable; announced as they come (role=alert). */
export function Errors({ errors, onDismiss }: { readonly errors: readonly Notice[]; readonly onDismiss: (id: number | null) => void }) {
  if (errors.length === 0) return null;
  return (
    <section className="errors" role="alert" aria-label="Problems">
      <ul>
        {errors.map((e) => (
          <li key={e.id}>
            <span>{e.message}</span>
            <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => onDismiss(e.id)}>
              <Icon name="x" />
            </button>
          </li>
        ))}
      </ul>
      {errors.length > 1 ? (
        <button type="button" className="link-button" onClick={() => onDismiss(null)}>
          Dismiss all
        </button>
      ) : null}
    </section>
  );
}

/** "Seed files" torrents being made: hashing progress, or why it failed. */
export function SeedJobs({ jobs }: { readonly jobs: readonly SeedJob[] }) {
  if (jobs.length === 0) return null;
  return (
    <ul className="jobs" aria-label="Torrents being made">
      {jobs.map((j) => {
        const fraction = j.totalBytes === 0 ? 1 : j.hashedBytes / j.totalBytes;
        return (
          <li key={j.id} data-job={j.id} className="job panel">
            {j.error ? (
              <p className="torrent-error">
                Could not seed {j.name}: {j.error.message}
              </p>
            ) : (
              <>
                <p className="job-line">
                  <span className="job-name">Hashing {j.name}</span>
                  <span className="num muted">
                    {formatPercent(fraction)} of {formatBytes(j.totalBytes)}
                  </span>
                </p>
                <div className="progress" role="progressbar" aria-label={`Hashing ${j.name}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.floor(fraction * 1000) / 10}>
                  <div className="progress-fill" style={{ transform: `scaleX(${fraction})` }} />
                </div>
              </>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** After seeding: the link and magnet to share, each one click from the clipboard. */
export function ShareNotice({ name, magnet, onClose }: { readonly name: string; readonly magnet: string; readonly onClose: () => void }) {
  const link = shareLinkOf(magnet);
  return (
    <section className="share panel" aria-label={`Share ${name}`} data-share-link={link}>
      <div className="share-head">
        <p>
          <strong>Seeding {name}.</strong> Anyone who opens this link gets it from you while this page is open:
        </p>
        <button type="button" className="icon-button" aria-label="Close the share box" onClick={onClose}>
          <Icon name="x" />
        </button>
      </div>
      <input className="text-input mono share-link" readOnly value={link} aria-label="Share link" onFocus={(e) => e.currentTarget.select()} />
      <div className="actions">
        <CopyButton text={link} label="Copy link" icon="link" className="button primary" />
        <CopyButton text={magnet} label="Copy magnet" icon="magnet" />
      </div>
    </section>
  );
}
