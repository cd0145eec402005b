import { useEffect, useState } from 'react';
import { Icon, type IconName } from './icons.js';

/** How long "Copied" stays on the button. */
const CONFIRM_MS = 2000;

/**
 * A button that copies `text` and says so ("Copied", announced politely). Where the Clipboard API is
 * missing or refused, a selected hidden textarea and `execCommand('copy')` do it; if that fails too,
 * the button says "Copy failed" rather than nothing.
 */
export function CopyButton({ text, label, icon, className }: { readonly text: string; readonly label: string; readonly icon: IconName; readonly className?: string }) {
  const [result, setResult] = useState<'copied' | 'failed' | null>(null);
  useEffect(() => {
    if (!result) return;
    const timer = setTimeout(() => setResult(null), CONFIRM_MS);
    return () => clearTimeout(timer);
  }, [result]);
  const copy = () => {
    const viaApi = navigator.clipboard?.writeText(text) ?? Promise.reject(new Error('no clipboard'));
    void viaApi.then(
      () => setResult('copied'),
      () => setResult(copyBySelection(text) ? 'copied' : 'failed'),
    );
  };
  return (
    <button type="button" className={className ?? 'button'} onClick={copy} data-copied={result ?? undefined}>
      <Icon name={result === 'copied' ? 'check' : icon} />
      <span className="button-text">{label}</span>
      <span className="copy-result" aria-live="polite">
        {result === 'copied' ? 'Copied' : result === 'failed' ? 'Copy failed' : ''}
      </span>
    </button>
  );
}

function copyBySelection(text: string): boolean {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
  }
}
