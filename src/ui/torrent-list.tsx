import { useCallback, useState } from 'react';
import type { EngineClient, Outcome, TorrentView } from '../browser/client/index.js';
import { TorrentRow } from './torrent-row.js';

interface Props {
  readonly client: EngineClient;
  readonly torrents: readonly TorrentView[];
  readonly report: (outcome: Outcome<unknown>) => void;
  /** Each torrent's latest tracker failure, in words, while it has one. */
  readonly sourceProblems: ReadonlyMap<string, string>;
  /** Shows the torrent's contents (its player, its files). */
  readonly onOpen: (infoHash: string) => void;
}

/** One element per torrent, carrying the data-* hooks tests and scripts rely on. */
export function TorrentList({ client, torrents, report, sourceProblems, onOpen }: Props) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  // Stable, so a row whose torrent did not change skips the status batch's render (TorrentRow is memoized).
  const toggle = useCallback(
    (infoHash: string) =>
      setOpen((previous) => {
        const next = new Set(previous);
        if (!next.delete(infoHash)) next.add(infoHash);
        return next;
      }),
    [],
  );
  if (torrents.length === 0) {
    return (
      <div className="empty panel">
        <p className="empty-title">No torrents yet</p>
        <p>Paste a magnet link above, open a .torrent file, or seed your own files to share them.</p>
      </div>
    );
  }
  return (
    <ul className="torrents" aria-label="Torrents">
      {torrents.map((t) => (
        <TorrentRow
          key={t.infoHash}
          client={client}
          torrent={t}
          report={report}
          sourceProblem={sourceProblems.get(t.infoHash) ?? null}
          expanded={open.has(t.infoHash)}
          onToggle={toggle}
          onOpen={onOpen}
        />
      ))}
    </ul>
  );
}
