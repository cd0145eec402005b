import { useEffect, useState } from 'react';
import { requestPersistentStorage, storageReport, type EngineClient, type EngineRole, type Outcome, type ServiceWorkerHandle, type StatusBatch, type StorageReport } from '../browser/client/index.js';
import { torrentFromAddress } from './address.js';
import { formatPercent } from './format.js';
import { handleLaunches } from './launch.js';
import { MediaView } from './player/media-view.js';
import { UpdatePrompt } from './player/update-prompt.js';
import { StorageLine } from './storage-line.js';
import { TorrentList } from './torrent-list.js';
import { BridgeLine } from './bridge-line.js';
import { SidecarTorrents } from './remote/sidecar-torrents.js';

/** The address is read once per page load, however often React runs effects. */
let addressHandled = false;

/** How often the storage line is refreshed while the page is open. */
const STORAGE_REFRESH_MS = 5000;

export function App({ client, serviceWorker }: { readonly client: EngineClient; readonly serviceWorker: ServiceWorkerHandle }) {
  const [batch, setBatch] = useState<StatusBatch | null>(client.status);
  const [role, setRole] = useState<EngineRole>(client.role);
  const [errors, setErrors] = useState<string[]>([]);
  const [storage, setStorage] = useState<StorageReport | null>(null);
  /** The torrent this page opened last (by its address, a launch or a share): its media plays. */
  const [opened, setOpened] = useState<string | null>(null);

  const report = (outcome: Outcome<unknown>) => {
    if (!outcome.ok) setErrors((list) => [...list.slice(-4), outcome.error.message]);
  };
  const reportAdded = (outcome: Outcome<{ readonly infoHash: string; readonly added?: boolean }>) => {
    report(outcome);
    if (!outcome.ok) return;
    setOpened(outcome.value.infoHash);
    // The person is adding a torrent: ask the browser to keep the site's data (see keepData).
    if (outcome.value.added !== false) keepData();
  };

  useEffect(
    () =>
      client.subscribe((next) => {
        setBatch(next);
        const failures = next.alerts.flatMap((a) => (a.type === 'torrent-error' ? [a.message] : []));
        if (failures.length > 0) setErrors((list) => [...list, ...failures].slice(-5));
      }),
    [client],
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
  // The person is adding a torrent: ask the browser to keep the site's data (it asks once; a refusal only leaves it "best effort").
  const keepData = () => void requestPersistentStorage().then(setStorage, () => {});
  useEffect(() => {
    if (addressHandled) return;
    addressHandled = true;
    const input = torrentFromAddress(location);
    // An address the engine already has (a reload, a bookmark) changes nothing: `add` leaves it as it is.
    if (input) void client.call('add', { input }).then(reportAdded);
    handleLaunches(client, { onAdded: reportAdded, onError: (message) => setErrors((list) => [...list.slice(-4), message]) });
  }, [client]);
  useEffect(() => serviceWorker.subscribe((event) => event.kind === 'error' && setErrors((list) => [...list.slice(-4), event.message])), [serviceWorker]);

  const onSeed = (files: FileList | null) => {
    if (!files || files.length === 0) return;
    keepData();
    void client.call('seed', { files: [...files] }).then(report);
  };

  const jobs = batch?.status.jobs ?? [];
  const openedTorrent = batch?.status.torrents.find((t) => t.infoHash === opened) ?? null;
  return (
    <main data-engine={role}>
      <header>
        <h1>Sluice</h1>
        <span className="role">{role === 'leader' ? 'engine running in this tab' : 'engine running in another tab'}</span>
        <BridgeLine view={batch?.status.bridge ?? null} />
      </header>
      <UpdatePrompt serviceWorker={serviceWorker} />
      {errors.length > 0 ? (
        <section className="errors" role="alert">
          {errors.map((e, i) => (
            <p key={i}>{e}</p>
          ))}
          <button onClick={() => setErrors([])}>Dismiss</button>
        </section>
      ) : null}
      <section className="seed">
        <label>
          Seed files <input type="file" multiple onChange={(e) => onSeed(e.currentTarget.files)} />
        </label>
        {jobs.length > 0 ? (
          <ul className="jobs">
            {jobs.map((j) => (
              <li key={j.id} data-job={j.id}>
                {j.error ? `Could not seed ${j.name}: ${j.error.message}` : `Hashing ${j.name}: ${formatPercent(j.totalBytes === 0 ? 1 : j.hashedBytes / j.totalBytes)}`}
              </li>
            ))}
          </ul>
        ) : null}
      </section>
      {openedTorrent ? <MediaView client={client} torrent={openedTorrent} streaming={serviceWorker.controlled} /> : null}
      <TorrentList client={client} torrents={batch?.status.torrents ?? []} report={report} onOpen={setOpened} />
      <SidecarTorrents client={client} view={batch?.status.bridge ?? null} />
      <StorageLine report={storage} />
    </main>
  );
}
