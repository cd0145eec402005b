import { useEffect, useState } from 'react';

/** `system` follows prefers-color-scheme; the others pin a theme. Kept in localStorage. */
export type ThemeChoice = 'system' | 'light' | 'dark';

const THEME_KEY = 'sluice:theme';

export function savedTheme(): ThemeChoice {
  const saved = localStorage.getItem(THEME_KEY);
  return saved === 'light' || saved === 'dark' ? saved : 'system';
}

/** Sets `data-theme` on <html>, which app.css reads; `system` removes it. Call before the first render to avoid a flash. */
export function applyTheme(choice: ThemeChoice): void {
  if (choice === 'system') document.documentElement.removeAttribute('data-theme');
  else document.documentElement.setAttribute('data-theme', choice);
}

function systemIsDark(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
}

/** The theme choice, the theme actually shown, and a setter that saves and applies it. */
export function useTheme(): { readonly choice: ThemeChoice; readonly dark: boolean; readonly choose: (choice: ThemeChoice) => void } {
  const [choice, setChoice] = useState<ThemeChoice>(savedTheme);
  const [systemDark, setSystemDark] = useState(systemIsDark);
  useEffect(() => {
    if (typeof matchMedia !== 'function') return;
    const query = matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => setSystemDark(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  const choose = (next: ThemeChoice) => {
    if (next === 'system') localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, next);
    applyTheme(next);
    setChoice(next);
  };
  return { choice, dark: choice === 'dark' || (choice === 'system' && systemDark), choose };
}
