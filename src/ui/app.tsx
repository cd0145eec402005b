import { useEffect, useState } from 'react';
import type { EngineClient, EngineRole, Outcome, StatusBatch } from '../browser/client/index.js';
import { torrentFromAddress } from './address.js';
import { formatPercent } from './format.js';
import { TorrentList } from './torrent-list.js';
import { BridgeLine } from './bridge-line.js';

/** The address is read once per page load, however often React runs effects. */
let addressHandled = false;

export function App({ client }: { readonly client: EngineClient }) {
  const [batch, setBatch] = useState<StatusBatch | null>(client.status);
  const [role, setRole] = useState<EngineRole>(client.role);
  const [errors, setErrors] = useState<string[]>([]);

  const report = (outcome: Outcome<unknown>) => {
    if (!outcome.ok) setErrors((list) => [...list.slice(-4), outcome.error.message]);
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
  useEffect(() => client.onRoleChange(setRole), [client]);
  useEffect(() => {
    if (addressHandled) return;
    addressHandled = true;
    const input = torrentFromAddress(location);
    // An address the engine already has (a reload, a bookmark) changes nothing: `add` leaves it as it is.
    if (input) void client.call('add', { input }).then(report);
  }, [client]);

  const onSeed = (files: FileList | null) => {
    if (!files || files.length === 0) return;
    void client.call('seed', { files: [...files] }).then(report);
  };

  const jobs = batch?.status.jobs ?? [];
  return (
    <main data-engine={role}>
      <header>
        <h1>Sluice</h1>
        <span className="role">{role === 'leader' ? 'engine running in this tab' : 'engine running in another tab'}</span>
        <BridgeLine view={batch?.status.bridge ?? null} />
      </header>
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
      <TorrentList client={client} torrents={batch?.status.torrents ?? []} report={report} />
    </main>
  );
}
