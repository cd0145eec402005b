import { SessionError, type TorrentSource } from '../../core/engine/session.js';
import { SluiceError } from '../../core/errors.js';
import { parseMagnet } from '../../core/magnet/index.js';
import { parseMetainfo } from '../../core/metainfo/index.js';
import type { Hasher } from '../../core/ports/hasher.js';
import { fromBase32 } from '../../core/util/base32.js';
import { fromHex, toHex } from '../../core/util/hex.js';
import type { TorrentInput } from '../client/protocol.js';
import { explainedFetch } from './explained-fetch.js';

/** What the page asked to add, as the session takes it: the URL of a .torrent is fetched here. */
export async function sourceOf(input: TorrentInput): Promise<TorrentSource> {
  if ('url' in input) {
    if (input.url.startsWith('magnet:')) return { magnet: input.url };
    let bytes: Uint8Array;
    try {
      const response = await explainedFetch(input.url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (err) {
      throw new SluiceError('engine/fetch-failed', `could not fetch ${input.url}: ${err instanceof Error ? err.message : String(err)}`);
    }
    return { torrent: bytes };
  }
  return input;
}

/** The key the session will file the torrent under (see Session.resolve). */
export async function keyOf(source: TorrentSource, hasher: Hasher): Promise<string> {
  if ('torrent' in source || 'metainfo' in source) {
    const m = 'metainfo' in source ? source.metainfo : await parseMetainfo(source.torrent, hasher);
    return toHex(m.infoHash ?? m.infoHashV2!.subarray(0, 20));
  }
  if ('magnet' in source) {
    const link = parseMagnet(source.magnet);
    return toHex(link.infoHash ?? link.infoHashV2!.subarray(0, 20));
  }
  const text = source.infoHash.trim();
  const bytes = text.length === 40 || text.length === 64 ? fromHex(text) : text.length === 32 ? fromBase32(text) : null;
  if (!bytes) throw new SessionError('session/bad-source', `'${text}' is not an info hash (40 or 64 hex digits, or 32 base32 characters)`);
  return toHex(bytes.subarray(0, 20));
}

/**
 * Whether the source names a tracker a browser can announce to (a WebSocket one). A link that does
 * names its swarm; one that does not (a bare hash, or a magnet or .torrent from a classic site, with
 * udp:// and http:// trackers only) needs the trackers for new torrents, or it could never find a peer.
 */
export async function namesWebSocketTracker(source: TorrentSource, hasher: Hasher): Promise<boolean> {
  let named: readonly string[] = [];
  if ('magnet' in source) named = parseMagnet(source.magnet).trackers;
  else if ('metainfo' in source) named = source.metainfo.announce.flat();
  else if ('torrent' in source) named = (await parseMetainfo(source.torrent, hasher)).announce.flat();
  return named.some((url) => url.startsWith('ws://') || url.startsWith('wss://'));
}
