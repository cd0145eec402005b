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

/** Trackers a browser can announce to: WebSocket ones. */
export function isWebSocketUrl(url: string): boolean {
  return url.startsWith('ws://') || url.startsWith('wss://');
}

/** What the add needs to know of a source, from one parse of it. */
export interface SourceFacts {
  /** The key the session will file the torrent under (see Session.resolve). */
  readonly key: string;
  /**
   * Whether it names a tracker a browser can announce to. A link that does names its swarm; one that
   * does not (a bare hash, or a magnet or .torrent from a classic site, with udp:// and http://
   * trackers only) needs the trackers for new torrents, or it could never find a peer.
   */
  readonly namesWebSocketTracker: boolean;
}

export async function sourceFacts(source: TorrentSource, hasher: Hasher): Promise<SourceFacts> {
  if ('torrent' in source || 'metainfo' in source) {
    const m = 'metainfo' in source ? source.metainfo : await parseMetainfo(source.torrent, hasher);
    return { key: toHex(m.infoHash ?? m.infoHashV2!.subarray(0, 20)), namesWebSocketTracker: m.announce.flat().some(isWebSocketUrl) };
  }
  if ('magnet' in source) {
    const link = parseMagnet(source.magnet);
    return { key: toHex(link.infoHash ?? link.infoHashV2!.subarray(0, 20)), namesWebSocketTracker: link.trackers.some(isWebSocketUrl) };
  }
  const text = source.infoHash.trim();
  const bytes = text.length === 40 || text.length === 64 ? fromHex(text) : text.length === 32 ? fromBase32(text) : null;
  if (!bytes) throw new SessionError('session/bad-source', `'${text}' is not an info hash (40 or 64 hex digits, or 32 base32 characters)`);
  return { key: toHex(bytes.subarray(0, 20)), namesWebSocketTracker: false };
}
