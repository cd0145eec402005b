import type { TorrentInput } from '../browser/client/index.js';

/**
 * The torrent the app's address asks for: `/#<magnet>`, `/#<info hash>` (40 hex or 32 base32), or
 * `/?add=<URL-encoded magnet or .torrent URL>`. Null when it names none.
 */
export function torrentFromAddress(location: { readonly hash: string; readonly search: string }): TorrentInput | null {
  const add = new URLSearchParams(location.search).get('add');
  if (add) return add.startsWith('magnet:') ? { magnet: add } : { url: add };
  const raw = location.hash.slice(1);
  if (raw.startsWith('magnet:')) return { magnet: raw };
  const text = decoded(raw).trim();
  if (text.startsWith('magnet:')) return { magnet: text };
  if (/^[0-9a-fA-F]{40}$/.test(text) || /^[A-Za-z2-7]{32}$/.test(text)) return { infoHash: text };
  return null;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
