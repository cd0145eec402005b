import type { TorrentInput } from '../browser/client/index.js';

/**
 * What the person pasted into the add field: a magnet, an info hash (40 or 64 hex, 32 base32), or the
 * http(s) URL of a .torrent. Anything else is a message in words saying what the field takes.
 */
export function torrentInputOf(text: string): { readonly input: TorrentInput } | { readonly error: string } {
  const value = text.trim();
  if (value === '') return { error: 'Paste a magnet link, an info hash or the address of a .torrent file first.' };
  if (/^magnet:/i.test(value)) {
    if (!/[?&]xt=urn:bt(ih|mh):/i.test(value)) return { error: 'That magnet link names no BitTorrent info hash (its xt=urn:btih: part is missing).' };
    return { input: { magnet: value } };
  }
  if (/^[0-9a-f]{40}$/i.test(value) || /^[0-9a-f]{64}$/i.test(value) || /^[a-z2-7]{32}$/i.test(value)) return { input: { infoHash: value } };
  if (/^https?:\/\//i.test(value)) {
    try {
      return { input: { url: new URL(value).href } };
    } catch {
      return { error: 'That address is not a valid URL.' };
    }
  }
  return { error: 'That is not a magnet link, an info hash (40 hex digits) or the http(s) address of a .torrent file.' };
}

/** The link that opens the app with this torrent: `<origin>/#<magnet>`. */
export function shareLinkOf(magnet: string, origin: string = location.origin): string {
  return `${origin}/#${magnet}`;
}
