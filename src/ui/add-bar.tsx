import { useId, useState, type FormEvent } from 'react';
import type { EngineClient } from '../browser/client/index.js';
import { addTorrent, addTorrentFiles, seedFiles, type Feedback } from './commands.js';
import { Icon } from './icons.js';
import { torrentInputOf } from './torrent-input.js';

/**
 * The ways in: a field for a magnet, info hash or .torrent URL (Enter adds), "Open torrent file",
 * "Seed files" and "Seed a folder". A mistake in the field is said under it, in words.
 */
export function AddBar({ client, feedback }: { readonly client: EngineClient; readonly feedback: Feedback }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fieldId = useId();
  const errorId = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = torrentInputOf(text);
    if ('error' in parsed) return setError(parsed.error);
    setBusy(true);
    const local: Feedback = { ...feedback, error: (message) => setError(message) };
    void addTorrent(client, parsed.input, local).then((ok) => {
      setBusy(false);
      if (ok) {
        setText('');
        setError(null);
      }
    });
  };

  /** The chosen files, then the input emptied so choosing the same files again still counts. */
  const picked = (input: HTMLInputElement, run: (files: File[]) => void) => {
    const files = [...(input.files ?? [])];
    input.value = '';
    if (files.length > 0) run(files);
  };

  return (
    <section className="add panel" aria-labelledby={`${fieldId}-heading`}>
      <h2 id={`${fieldId}-heading`} className="visually-hidden">
        Add or seed
      </h2>
      <form className="add-form" onSubmit={submit} noValidate>
        <label htmlFor={fieldId} className="field-label">
          Magnet link, info hash or .torrent URL
        </label>
        <div className="add-row">
          <input
            id={fieldId}
            className="text-input"
            type="text"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            placeholder="magnet:?xt=urn:btih:…"
            value={text}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errorId : undefined}
            onChange={(e) => {
              setText(e.currentTarget.value);
              if (error) setError(null);
            }}
          />
          <button type="submit" className="button primary" disabled={busy}>
            Add
          </button>
        </div>
        {error ? (
          <p id={errorId} className="field-error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
      <div className="pickers">
        <label className="button picker">
          <Icon name="file" />
          <span>Open torrent file</span>
          <input type="file" accept=".torrent,application/x-bittorrent" multiple onChange={(e) => picked(e.currentTarget, (f) => void addTorrentFiles(client, f, feedback))} />
        </label>
        <label className="button picker">
          <Icon name="upload" />
          <span>Seed files</span>
          <input type="file" multiple onChange={(e) => picked(e.currentTarget, (f) => void seedFiles(client, f, feedback))} />
        </label>
        <label className="button picker">
          <Icon name="folder" />
          <span>Seed a folder</span>
          <input type="file" ref={(el) => el?.setAttribute('webkitdirectory', '')} onChange={(e) => picked(e.currentTarget, (f) => void seedFiles(client, f, feedback))} />
        </label>
        <p className="hint">or drop .torrent files, files or folders anywhere on the page</p>
      </div>
    </section>
  );
}
