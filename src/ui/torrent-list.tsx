import type { EngineClient, Outcome, TorrentView } from '../browser/client/index.js';
import { formatBytes, formatPercent } from './format.js';

interface Props {
  readonly client: EngineClient;
  readonly torrents: readonly TorrentView[];
  readonly report: (outcome: Outcome<unknown>) => void;
  /** Shows the torrent's contents (its player, its files). */
  readonly onOpen: (infoHash: string) => void;
}

/** One element per torrent, carrying the data-* hooks tests and scripts rely on. */
export function TorrentList({ client, torrents, report, onOpen }: Props) {
  if (torrents.length === 0) return <p className="empty">No torrents yet. Open a magnet link, or seed some files.</p>;
  return (
    <ul className="torrents">
      {torrents.map((t) => (
        <li
          key={t.infoHash}
          className="torrent"
          data-infohash={t.infoHash}
          data-state={t.state}
          data-progress={String(t.progress)}
          data-magnet={t.magnet}
        >
          <div className="name">{t.name || t.infoHash}</div>
          <div className="line">
            <span className="state">{t.state}</span> · {formatPercent(t.progress)} of {formatBytes(t.wantedBytes)} · {t.peers} peers{t.bridgePeers ? ` (${t.bridgePeers} through the bridge)` : ''} · ↓ {formatBytes(t.downloadRate)}/s · ↑{' '}
            {formatBytes(t.uploadRate)}/s
          </div>
          {t.error ? <div className="error" role="alert">{t.error.message}</div> : null}
          <div className="actions">
            <button onClick={() => onOpen(t.infoHash)}>Open</button>
            {t.state === 'paused' ? (
              <button onClick={() => void client.call('resume', { infoHash: t.infoHash }).then(report)}>Resume</button>
            ) : (
              <button onClick={() => void client.call('pause', { infoHash: t.infoHash }).then(report)}>Pause</button>
            )}
            <button onClick={() => void client.call('remove', { infoHash: t.infoHash, deleteData: false }).then(report)}>Remove</button>
            <button onClick={() => void client.call('remove', { infoHash: t.infoHash, deleteData: true }).then(report)}>Remove with data</button>
            <button onClick={() => void navigator.clipboard?.writeText(t.magnet)}>Copy magnet</button>
          </div>
        </li>
      ))}
    </ul>
  );
}
