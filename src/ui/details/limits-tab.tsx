import { useId, useState, type FormEvent } from 'react';
import type { EngineClient, Outcome, TorrentRateLimits } from '../../browser/client/index.js';
import { bytesToKib, kibToBytes } from '../format.js';

interface Props {
  readonly client: EngineClient;
  readonly infoHash: string;
  readonly limits: TorrentRateLimits;
  readonly report: (outcome: Outcome<unknown>) => void;
  readonly onChanged: () => void;
}

/** This torrent's own download and upload limits (empty = only the global limits apply). */
export function LimitsTab({ client, infoHash, limits, report, onChanged }: Props) {
  const [down, setDown] = useState(bytesToKib(limits.download));
  const [up, setUp] = useState(bytesToKib(limits.upload));
  const [saved, setSaved] = useState(false);
  const id = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void client.call('setTorrentRateLimits', { infoHash, download: kibToBytes(down), upload: kibToBytes(up) }).then((outcome) => {
      report(outcome);
      setSaved(outcome.ok);
      onChanged();
    });
  };
  return (
    <form className="limits" onSubmit={submit}>
      <div className="field">
        <label htmlFor={`${id}-down`}>Download limit (KiB/s)</label>
        <input id={`${id}-down`} className="text-input num" type="number" min="0" inputMode="numeric" placeholder="No limit" value={down} onChange={(e) => (setDown(e.currentTarget.value), setSaved(false))} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-up`}>Upload limit (KiB/s)</label>
        <input id={`${id}-up`} className="text-input num" type="number" min="0" inputMode="numeric" placeholder="No limit" value={up} onChange={(e) => (setUp(e.currentTarget.value), setSaved(false))} />
      </div>
      <div className="field-actions">
        <button type="submit" className="button primary">
          Apply limits
        </button>
        <span className="muted" aria-live="polite">
          {saved ? 'Applied' : ''}
        </span>
      </div>
    </form>
  );
}
