import type { TorrentView } from '../browser/client/index.js';
import { formatRate } from './format.js';
import { Icon } from './icons.js';

interface Props {
  readonly torrents: readonly TorrentView[];
  readonly dark: boolean;
  readonly onToggleTheme: () => void;
  readonly onSettings: () => void;
}

/** The app bar: the name, total rates, the theme toggle and Settings. */
export function Header({ torrents, dark, onToggleTheme, onSettings }: Props) {
  const down = torrents.reduce((n, t) => n + t.downloadRate, 0);
  const up = torrents.reduce((n, t) => n + t.uploadRate, 0);
  return (
    <header className="app-bar">
      <div className="brand">
        <svg className="logo" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
          <rect width="32" height="32" rx="8" fill="var(--accent)" />
          <path d="M8 11c4-4 12 4 16 0M8 17c4-4 12 4 16 0M8 23c4-4 12 4 16 0" fill="none" stroke="var(--on-accent)" strokeWidth="2.5" strokeLinecap="round" />
        </svg>
        <h1>Sluice</h1>
      </div>
      <p className="totals num" aria-label="Total rates">
        <span title="Download rate">
          <Icon name="down" />
          <span className="visually-hidden">Download </span>
          {formatRate(down)}
        </span>
        <span title="Upload rate">
          <Icon name="up" />
          <span className="visually-hidden">Upload </span>
          {formatRate(up)}
        </span>
      </p>
      <div className="bar-actions">
        <button type="button" className="icon-button theme-toggle" aria-label={dark ? 'Switch to the light theme' : 'Switch to the dark theme'} onClick={onToggleTheme}>
          <Icon name={dark ? 'sun' : 'moon'} />
        </button>
        <button type="button" className="icon-button" aria-label="Settings" onClick={onSettings}>
          <Icon name="gear" />
        </button>
      </div>
    </header>
  );
}
