import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { EngineClient, Outcome, TorrentDetails as Details, TorrentView } from '../../browser/client/index.js';
import { FilesTab } from './files-tab.js';
import { LimitsTab } from './limits-tab.js';
import { PeersTab } from './peers-tab.js';
import { PieceMap } from './piece-map.js';
import { TrackersTab } from './trackers-tab.js';

/** How often an open details view asks the engine again (peers and rates move; a second is enough to read). */
const REFRESH_MS = 1000;

const TABS = ['Files', 'Peers', 'Trackers', 'Speed limits'] as const;
type Tab = (typeof TABS)[number];

interface Props {
  readonly id: string;
  readonly client: EngineClient;
  readonly torrent: TorrentView;
  readonly report: (outcome: Outcome<unknown>) => void;
}

/** The details of one torrent: its piece map, then files, peers, trackers and its own speed limits as tabs. */
export function TorrentDetails({ id, client, torrent, report }: Props) {
  const [details, setDetails] = useState<Details | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>('Files');
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const infoHash = torrent.infoHash;

  const refresh = useCallback(() => {
    void client.call('details', { infoHash }).then((outcome) => {
      if (outcome.ok) {
        setDetails(outcome.value);
        setProblem(null);
      } else setProblem(outcome.error.message);
    });
  }, [client, infoHash]);

  useEffect(() => {
    refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  // Arrow keys, Home and End move between tabs (the WAI-ARIA tabs pattern); Tab leaves the list.
  const onKey = (event: KeyboardEvent) => {
    const at = TABS.indexOf(tab);
    const to = event.key === 'ArrowRight' ? (at + 1) % TABS.length : event.key === 'ArrowLeft' ? (at + TABS.length - 1) % TABS.length : event.key === 'Home' ? 0 : event.key === 'End' ? TABS.length - 1 : -1;
    if (to < 0) return;
    event.preventDefault();
    setTab(TABS[to]!);
    tabRefs.current[to]?.focus();
  };

  const panelId = `${id}-panel`;
  return (
    <section id={id} className="details" aria-label={`Details of ${torrent.name || infoHash}`}>
      {problem ? <p className="torrent-error">{problem}</p> : null}
      <PieceMap pieces={details?.pieces ?? null} />
      <div className="tabs" role="tablist" aria-label="Details" onKeyDown={onKey}>
        {TABS.map((name, i) => (
          <button
            key={name}
            ref={(el) => {
              tabRefs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`${id}-tab-${i}`}
            aria-selected={tab === name}
            aria-controls={panelId}
            tabIndex={tab === name ? 0 : -1}
            className="tab"
            onClick={() => setTab(name)}
          >
            {name}
            {name === 'Peers' && details ? <span className="count">{details.peers.length}</span> : null}
          </button>
        ))}
      </div>
      <div id={panelId} className="tab-panel" role="tabpanel" aria-labelledby={`${id}-tab-${TABS.indexOf(tab)}`}>
        {!details ? (
          <p className="muted">Loading…</p>
        ) : tab === 'Files' ? (
          <FilesTab client={client} infoHash={infoHash} files={details.files} hasMetadata={torrent.state !== 'metadata'} report={report} onChanged={refresh} />
        ) : tab === 'Peers' ? (
          <PeersTab peers={details.peers} />
        ) : tab === 'Trackers' ? (
          <TrackersTab trackers={details.trackers} webSeeds={details.webSeeds} />
        ) : (
          <LimitsTab client={client} infoHash={infoHash} limits={details.rateLimits} report={report} onChanged={refresh} />
        )}
      </div>
    </section>
  );
}
