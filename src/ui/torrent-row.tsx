import { memo, useState } from 'react';
import type { EngineClient, Outcome, TorrentView } from '../browser/client/index.js';
import { CopyButton } from './copy-button.js';
import { TorrentDetails } from './details/torrent-details.js';
import { formatBytes, formatEta, formatPercent, formatRate, formatRatio, stateLabel } from './format.js';
import { Icon } from './icons.js';
import { RemoveDialog } from './remove-dialog.js';
import { shareLinkOf } from './torrent-input.js';

interface Props {
  readonly client: EngineClient;
  readonly torrent: TorrentView;
  readonly report: (outcome: Outcome<unknown>) => void;
  /** The last tracker failure of this torrent, in words, if its trackers are failing. */
  readonly sourceProblem: string | null;
  readonly expanded: boolean;
  readonly onToggle: (infoHash: string) => void;
  /** Shows its contents above the list: the player, the files to download. */
  readonly onOpen: (infoHash: string) => void;
}

/** Whether two views of a torrent show the same: every status batch brings new objects, mostly unchanged. */
function sameView(a: TorrentView, b: TorrentView): boolean {
  for (const key of Object.keys(a) as (keyof TorrentView)[]) {
    if (key === 'error') {
      if (a.error?.code !== b.error?.code || a.error?.message !== b.error?.message) return false;
    } else if (a[key] !== b[key]) {
      return false;
    }
  }
  return Object.keys(a).length === Object.keys(b).length;
}

/** A row renders again only when its torrent, or what it is given, changed: a long list costs one row per changed torrent. */
export const TorrentRow = memo(Row, (before, after) =>
  before.client === after.client && before.report === after.report && before.sourceProblem === after.sourceProblem
  && before.expanded === after.expanded && before.onToggle === after.onToggle && before.onOpen === after.onOpen
  && sameView(before.torrent, after.torrent));

/** One torrent: the element carrying the data-* hooks, its figures, its actions, and its details when expanded. */
function Row({ client, torrent: t, report, sourceProblem, expanded, onToggle, onOpen }: Props) {
  const [confirming, setConfirming] = useState(false);
  const name = t.name || t.infoHash;
  const detailsId = `details-${t.infoHash}`;
  const size = t.state === 'metadata' ? '—' : formatBytes(t.wantedBytes);
  const done = t.state === 'seeding' || t.progress >= 1;
  return (
    <li className="torrent" data-infohash={t.infoHash} data-state={t.state} data-progress={String(t.progress)} data-magnet={t.magnet}>
      <div className="torrent-head">
        <h3 className="name" title={name}>
          {name}
        </h3>
        <span className={`badge state-${t.state}`}>{stateLabel(t.state)}</span>
      </div>
      <div className="progress" role="progressbar" aria-label={`Progress of ${name}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.floor(t.progress * 1000) / 10}>
        <div className={`progress-fill${done ? ' done' : ''}${t.state === 'paused' ? ' paused' : ''}`} style={{ transform: `scaleX(${t.progress})` }} />
      </div>
      <dl className="stats">
        <Stat label="Done" value={`${formatPercent(t.progress)} of ${size}`} wide />
        <Stat label="Download rate" short="↓" value={formatRate(t.downloadRate)} />
        <Stat label="Upload rate" short="↑" value={formatRate(t.uploadRate)} />
        <Stat label="Peers" value={t.bridgePeers ? `${t.peers} (${t.bridgePeers} via bridge)` : String(t.peers)} />
        <Stat label="ETA" value={done ? 'done' : formatEta(t.eta)} />
        <Stat label="Ratio" value={formatRatio(t.ratio)} />
      </dl>
      {t.error ? (
        <p className="torrent-error" role="alert">
          {t.error.message}
        </p>
      ) : null}
      {sourceProblem && !t.error ? <p className="torrent-warning">{sourceProblem}</p> : null}
      <div className="actions">
        {t.state === 'paused' || t.error?.code === 'storage/disk-full' ? (
          <button type="button" className="button" onClick={() => void client.call('resume', { infoHash: t.infoHash }).then(report)}>
            <Icon name="play" />
            <span className="button-text">Resume</span>
          </button>
        ) : (
          <button type="button" className="button" onClick={() => void client.call('pause', { infoHash: t.infoHash }).then(report)}>
            <Icon name="pause" />
            <span className="button-text">Pause</span>
          </button>
        )}
        <button type="button" className="button" onClick={() => onOpen(t.infoHash)}>
          <Icon name="eye" />
          <span className="button-text">Open</span>
        </button>
        <button type="button" className="button" aria-expanded={expanded} aria-controls={detailsId} onClick={() => onToggle(t.infoHash)}>
          <Icon name="info" />
          <span className="button-text">Details</span>
        </button>
        <CopyButton text={t.magnet} label="Copy magnet" icon="magnet" />
        <CopyButton text={shareLinkOf(t.magnet)} label="Copy link" icon="link" />
        <span className="actions-end">
          <button type="button" className="button" onClick={() => void client.call('remove', { infoHash: t.infoHash, deleteData: false }).then(report)}>
            <Icon name="x" />
            <span className="button-text">Remove</span>
          </button>
          <button type="button" className="button danger-quiet" onClick={() => setConfirming(true)}>
            <Icon name="trash" />
            <span className="button-text">Remove with data</span>
          </button>
        </span>
      </div>
      {confirming ? (
        <RemoveDialog name={name} onClose={() => setConfirming(false)} onConfirm={() => void client.call('remove', { infoHash: t.infoHash, deleteData: true }).then(report)} />
      ) : null}
      {expanded ? <TorrentDetails id={detailsId} client={client} torrent={t} report={report} /> : null}
    </li>
  );
}

function Stat({ label, short, value, wide }: { readonly label: string; readonly short?: string; readonly value: string; readonly wide?: boolean }) {
  return (
    <div className={`stat${wide ? ' wide' : ''}`}>
      <dt>
        {short ? (
          <>
            <span aria-hidden="true">{short}</span>
            <span className="visually-hidden">{label}</span>
          </>
        ) : (
          label
        )}
      </dt>
      <dd>{value}</dd>
    </div>
  );
}
