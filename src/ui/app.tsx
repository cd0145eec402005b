import { useEffect, useMemo, useRef, useState } from 'react';
import { requestPersistentStorage, storageReport, type EngineClient, type EngineRole, type Outcome, type ServiceWorkerHandle, type StatusBatch, type StorageReport } from '../browser/client/index.js';
import { AddBar } from './add-bar.js';
import { torrentFromAddress } from './address.js';
import { BridgeLine } from './bridge-line.js';
import { addTorrent, type Feedback } from './commands.js';
import { DropZone } from './drop-zone.js';
import { Header } from './header.js';
import { handleLaunches } from './launch.js';
import { Errors, SeedJobs, ShareNotice, type Notice } from './notices.js';
import { MediaView } from './player/media-view.js';
import { UpdatePrompt } from './player/update-prompt.js';
import { SettingsDialog } from './settings-dialog.js';
import { StorageLine } from './storage-line.js';
import { useTheme } from './theme.js';
import { TorrentList } from './torrent-list.js';
import { useSourceProblems } from './source-problems.js';
import { SidecarTorrents } from './remote/sidecar-torrents.js';

/** The address is read once per page load, however often React runs effects. */
let addressHandled = false;

/** How often the storage estimate is refreshed while the page is open. */
const STORAGE_REFRESH_MS = 5000;
/** Errors kept on screen at most (the oldest go first). */
const MAX_ERRORS = 5;

export function App({ client, serviceWorker }: { readonly client: EngineClient; readonly serviceWorker: ServiceWorkerHandle }) {
  const [batch, setBatch] = useState<StatusBatch | null>(client.status);
  const [role, setRole] = useState<EngineRole>(client.role);
  const [errors, setErrors] = useState<readonly Notice[]>([]);
  const [storage, setStorage] = useState<StorageReport | null>(null);
  const [shared, setShared] = useState<{ readonly infoHash: string; readonly magnet: string } | null>(null);
  /** The torrent this page opened last (by its address, the add field, a launch or a share): its media plays. */
  const [opened, setOpened] = useState<string | null>(null);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const theme = useTheme();
  const sourceProblems = useSourceProblems(client);
  const nextError = useRef(1);

  const feedback: Feedback = useMemo(() => {
    const error = (message: string) => setErrors((list) => [...list, { id: nextError.current++, message }].slice(-MAX_ERRORS));
    return {
      error,
      added: (infoHash) => setOpened(infoHash),
      seeded: (infoHash, magnet) => setShared({ infoHash, magnet }),
      // The person is adding a torrent: ask the browser to keep the site's data (it asks once; a refusal only leaves it "best effort").
      adding: () => void requestPersistentStorage().then(setStorage, () => {}),
    };
  }, []);
  const report = useMemo(() => (outcome: Outcome<unknown>) => void (!outcome.ok && feedback.error(outcome.error.message)), [feedback]);

  useEffect(
    () =>
      client.subscribe((next) => {
        setBatch(next);
        for (const a of next.alerts) if (a.type === 'torrent-error') feedback.error(a.message);
      }),
    [client, feedback],
  );
  useEffect(() => {
    // The role may have changed between the first render and this effect (Firefox grants the lock that early).
    setRole(client.role);
    return client.onRoleChange(setRole);
  }, [client]);
  useEffect(() => {
    const refresh = () => void storageReport().then(setStorage, () => {});
    refresh();
    const timer = setInterval(refresh, STORAGE_REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    if (addressHandled) return;
    addressHandled = true;
    const input = torrentFromAddress(location);
    // An address the engine already has (a reload, a bookmark) changes nothing: `add` leaves it as it is.
    if (input) void addTorrent(client, input, feedback);
    handleLaunches(client, {
      onAdded: (outcome) => (outcome.ok ? feedback.added(outcome.value.infoHash) : feedback.error(outcome.error.message)),
      onError: feedback.error,
    });
  }, [client, feedback]);
  useEffect(() => serviceWorker.subscribe((event) => event.kind === 'error' && feedback.error(event.message)), [serviceWorker, feedback]);

  const torrents = batch?.status.torrents ?? [];
  const sharedTorrent = shared ? torrents.find((t) => t.infoHash === shared.infoHash) : undefined;
  const openedTorrent = torrents.find((t) => t.infoHash === opened) ?? null;
  return (
    <main data-engine={role}>
      <Header torrents={torrents} dark={theme.dark} onToggleTheme={() => theme.choose(theme.dark ? 'light' : 'dark')} onSettings={() => setSettingsOpen(true)} />
      <div className="content">
        <UpdatePrompt serviceWorker={serviceWorker} />
        <Errors errors={errors} onDismiss={(id) => setErrors((list) => (id === null ? [] : list.filter((e) => e.id !== id)))} />
        <AddBar client={client} feedback={feedback} />
        <SeedJobs jobs={batch?.status.jobs ?? []} />
        {shared && sharedTorrent ? <ShareNotice name={sharedTorrent.name || shared.infoHash} magnet={sharedTorrent.magnet} onClose={() => setShared(null)} /> : null}
        {openedTorrent ? <MediaView client={client} torrent={openedTorrent} streaming={serviceWorker.controlled} /> : null}
        <TorrentList client={client} torrents={torrents} report={report} sourceProblems={sourceProblems} onOpen={setOpened} />
        <SidecarTorrents client={client} view={batch?.status.bridge ?? null} />
        <footer className="status-line">
          <span className="role">{role === 'leader' ? 'Engine running in this tab' : 'Engine running in another tab; this one controls it'}</span>
          <BridgeLine view={batch?.status.bridge ?? null} />
          <StorageLine report={storage} />
        </footer>
      </div>
      <DropZone client={client} feedback={feedback} />
      {settingsOpen ? <SettingsDialog client={client} storage={storage} theme={theme.choice} onTheme={theme.choose} onClose={() => setSettingsOpen(false)} /> : null}
    </main>
  );
}
