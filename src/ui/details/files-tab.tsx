import type { EngineClient, FileStatus, Outcome, Priority } from '../../browser/client/index.js';
import { formatBytes, formatPercent } from '../format.js';

/** The priorities a person picks from; the engine knows 0..7, these are the ones with names. */
const CHOICES: readonly { readonly value: Priority; readonly label: string }[] = [
  { value: 0, label: 'Skip' },
  { value: 1, label: 'Low' },
  { value: 4, label: 'Normal' },
  { value: 7, label: 'High' },
];

interface Props {
  readonly client: EngineClient;
  readonly infoHash: string;
  readonly files: readonly FileStatus[];
  readonly hasMetadata: boolean;
  readonly report: (outcome: Outcome<unknown>) => void;
  readonly onChanged: () => void;
}

/** Each file with its progress; a checkbox selects it (normal) or skips it, and a menu sets its priority. */
export function FilesTab({ client, infoHash, files, hasMetadata, report, onChanged }: Props) {
  if (!hasMetadata) return <p className="muted">The file list arrives with the torrent's metadata.</p>;
  const setPriority = (file: FileStatus, priority: Priority) =>
    void client.call('setFilePriority', { infoHash, fileIndex: file.index, priority }).then((outcome) => {
      report(outcome);
      onChanged();
    });
  return (
    <ul className="files-list">
      {files.map((f) => {
        const named = CHOICES.find((c) => c.value === f.priority);
        return (
          <li key={f.index} className="file" data-file-index={f.index} data-priority={f.priority}>
            <input type="checkbox" checked={f.priority > 0} aria-label={`Download ${f.path}`} onChange={(e) => setPriority(f, e.currentTarget.checked ? 4 : 0)} />
            <div className="file-main">
              <span className="file-path" title={f.path}>
                {f.path}
              </span>
              <div className="progress thin" aria-hidden="true">
                <div className={`progress-fill${f.progress >= 1 ? ' done' : ''}`} style={{ transform: `scaleX(${f.progress})` }} />
              </div>
            </div>
            <span className="file-figures num">
              {formatPercent(f.progress)} of {formatBytes(f.length)}
            </span>
            <select className="select" aria-label={`Priority of ${f.path}`} value={named ? f.priority : ''} onChange={(e) => setPriority(f, Number(e.currentTarget.value) as Priority)}>
              {named ? null : <option value="">Level {f.priority}</option>}
              {CHOICES.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          </li>
        );
      })}
    </ul>
  );
}
