import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import {
  DEFAULT_ICE_SERVERS,
  defaultTrackers,
  iceServersSetting,
  saveIceServersSetting,
  saveTrackersSetting,
  type EngineClient,
  type EngineSettings,
  type SessionSettings,
  type StorageReport,
} from '../browser/client/index.js';
import { bytesToKib, kibToBytes } from './format.js';
import { iceText, parseIce, parseTrackers, trackersText } from './settings-text.js';
import { StorageLine } from './storage-line.js';
import type { ThemeChoice } from './theme.js';

interface Props {
  readonly client: EngineClient;
  readonly storage: StorageReport | null;
  readonly theme: ThemeChoice;
  readonly onTheme: (choice: ThemeChoice) => void;
  readonly onClose: () => void;
}

const STORAGE_NAMES: Record<EngineSettings['storage'], string> = {
  opfs: 'Origin private file system (OPFS)',
  indexeddb: 'IndexedDB',
  memory: 'Memory only (lost on reload)',
};

/**
 * Settings, in a modal dialog: trackers for new torrents, global speed limits, connection limits,
 * STUN/TURN servers, the theme, and where data is stored. Save applies what the engine can change at
 * once (limits, trackers) and keeps everything: the engine's settings in its own store, the page's in
 * localStorage (`sluice:trackers`, `sluice:ice-servers`, `sluice:theme`).
 */
export function SettingsDialog({ client, storage, theme, onTheme, onClose }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [session, setSession] = useState<SessionSettings | null>(null);
  const [engine, setEngine] = useState<EngineSettings | null>(null);
  const [form, setForm] = useState({ down: '', up: '', connections: '', perTorrent: '', trackers: trackersText(defaultTrackers(location, localStorage)), ice: iceText(iceServersSetting(localStorage) ?? DEFAULT_ICE_SERVERS) });
  const [error, setError] = useState<string | null>(null);
  const [needsReload, setNeedsReload] = useState(false);
  const initialIce = useRef(form.ice);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    void client.call('settings', {}).then((o) => {
      if (!o.ok) return setError(o.error.message);
      setSession(o.value);
      setForm((f) => ({ ...f, down: bytesToKib(o.value.downloadRateLimit), up: bytesToKib(o.value.uploadRateLimit), connections: String(o.value.maxConnections), perTorrent: String(o.value.maxConnectionsPerTorrent) }));
    });
    void client.call('engineSettings', {}).then((o) => o.ok && setEngine(o.value));
  }, [client]);

  const set = (key: keyof typeof form) => (event: { currentTarget: { value: string } }) => {
    const value = event.currentTarget.value;
    setForm((f) => ({ ...f, [key]: value }));
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const trackers = parseTrackers(form.trackers);
    if ('error' in trackers) return setError(trackers.error);
    const ice = parseIce(form.ice);
    if ('error' in ice) return setError(ice.error);
    const connections = Number(form.connections);
    const perTorrent = Number(form.perTorrent);
    if (!Number.isInteger(connections) || connections < 1 || !Number.isInteger(perTorrent) || perTorrent < 1) return setError('Connection limits are whole numbers of at least 1.');
    const applied = await client.call('settings', { changes: { downloadRateLimit: kibToBytes(form.down), uploadRateLimit: kibToBytes(form.up), maxConnections: connections, maxConnectionsPerTorrent: perTorrent } });
    if (!applied.ok) return setError(`Could not save the settings: ${applied.error.message}`);
    const sameAsDefault = trackersText(defaultTrackers(location, null)) === trackersText(trackers.trackers);
    saveTrackersSetting(localStorage, sameAsDefault ? null : trackers.trackers);
    const updated = await client.call('engineSettings', { trackers: trackers.trackers });
    if (!updated.ok) return setError(`Could not change the trackers: ${updated.error.message}`);
    if (form.ice !== initialIce.current) {
      saveIceServersSetting(localStorage, iceText(DEFAULT_ICE_SERVERS) === form.ice.trim() ? null : ice.servers);
      setNeedsReload(true);
      initialIce.current = form.ice;
      setError(null);
      return;
    }
    ref.current?.close();
  };

  return (
    <dialog ref={ref} className="dialog settings" aria-labelledby={`${id}-title`} onClose={onClose}>
      <form onSubmit={(e) => void save(e)} noValidate>
        <header className="dialog-head">
          <h2 id={`${id}-title`}>Settings</h2>
        </header>
        <div className="dialog-body">
          <fieldset>
            <legend>Appearance</legend>
            <div className="field">
              <label htmlFor={`${id}-theme`}>Theme</label>
              <select id={`${id}-theme`} className="select" value={theme} onChange={(e) => onTheme(e.currentTarget.value as ThemeChoice)}>
                <option value="system">Same as the system</option>
                <option value="light">Light</option>
                <option value="dark">Dark</option>
              </select>
            </div>
          </fieldset>
          <fieldset>
            <legend>Speed limits (KiB/s, empty for none)</legend>
            <div className="field-row">
              <div className="field">
                <label htmlFor={`${id}-down`}>Download limit</label>
                <input id={`${id}-down`} className="text-input num" type="number" min="0" inputMode="numeric" placeholder="No limit" value={form.down} onChange={set('down')} />
              </div>
              <div className="field">
                <label htmlFor={`${id}-up`}>Upload limit</label>
                <input id={`${id}-up`} className="text-input num" type="number" min="0" inputMode="numeric" placeholder="No limit" value={form.up} onChange={set('up')} />
              </div>
            </div>
          </fieldset>
          <fieldset>
            <legend>Connections</legend>
            <div className="field-row">
              <div className="field">
                <label htmlFor={`${id}-conn`}>Connection limit</label>
                <input id={`${id}-conn`} className="text-input num" type="number" min="1" inputMode="numeric" value={form.connections} onChange={set('connections')} />
              </div>
              <div className="field">
                <label htmlFor={`${id}-per`}>Per torrent</label>
                <input id={`${id}-per`} className="text-input num" type="number" min="1" inputMode="numeric" value={form.perTorrent} onChange={set('perTorrent')} />
              </div>
            </div>
          </fieldset>
          <fieldset>
            <legend>Trackers for new torrents</legend>
            <div className="field">
              <label htmlFor={`${id}-trackers`}>One address a line</label>
              <textarea id={`${id}-trackers`} className="text-input mono" rows={4} spellCheck={false} value={form.trackers} onChange={set('trackers')} />
              <button type="button" className="link-button" onClick={() => setForm((f) => ({ ...f, trackers: trackersText(defaultTrackers(location, null)) }))}>
                Use the default trackers
              </button>
            </div>
          </fieldset>
          <fieldset>
            <legend>STUN and TURN servers</legend>
            <div className="field">
              <label htmlFor={`${id}-ice`}>One a line: stun:host:port, or turn:host:port username password</label>
              <textarea id={`${id}-ice`} className="text-input mono" rows={3} spellCheck={false} value={form.ice} onChange={set('ice')} />
              <p className="muted">Used from the next start of the app.</p>
            </div>
          </fieldset>
          <fieldset>
            <legend>Storage</legend>
            <p data-storage-kind={engine?.storage ?? ''}>{engine ? STORAGE_NAMES[engine.storage] : 'Asking the engine…'}</p>
            <StorageLine report={storage} />
          </fieldset>
          {error ? (
            <p className="field-error" role="alert">
              {error}
            </p>
          ) : null}
          {needsReload ? (
            <p className="notice-inline" role="status">
              Saved. The new STUN/TURN servers are used after a reload.{' '}
              <button type="button" className="button" onClick={() => location.reload()}>
                Reload now
              </button>
            </p>
          ) : null}
        </div>
        <footer className="dialog-actions">
          <button type="button" className="button" onClick={() => ref.current?.close()}>
            {needsReload ? 'Close' : 'Cancel'}
          </button>
          <button type="submit" className="button primary" disabled={!session}>
            Save
          </button>
        </footer>
      </form>
    </dialog>
  );
}
