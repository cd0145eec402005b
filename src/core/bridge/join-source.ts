import { SessionError, type TorrentSource } from '../engine/session.js';
import type { Torrent } from '../engine/torrent.js';
import { parseMagnet } from '../magnet/index.js';
import { parseMetainfo } from '../metainfo/index.js';
import type { Hasher } from '../ports/hasher.js';
import { fromBase32 } from '../util/base32.js';
import { utf8 } from '../util/bytes.js';
import { fromHex, toHex } from '../util/hex.js';
import { fromBase64, toBase64 } from './base64.js';
import type { JoinSource } from './control.js';

/** The Session source a join names. An info dictionary becomes a .torrent: `d13:announce-list…4:info<info>e`. */
export function torrentSourceOf(source: JoinSource): TorrentSource {
  if ('magnet' in source) return { magnet: source.magnet };
  if ('infoHash' in source) return { infoHash: source.infoHash };
  const info = fromBase64(source.info);
  const parts: Uint8Array[] = [utf8('d')];
  if (source.trackers.length > 0) {
    parts.push(utf8('13:announce-listl'));
    for (const url of source.trackers) {
      const bytes = utf8(url);
      parts.push(utf8(`l${bytes.length}:`), bytes, utf8('e'));
    }
    parts.push(utf8('e'));
  }
  parts.push(utf8('4:info'), info, utf8('e'));
  let length = 0;
  for (const p of parts) length += p.length;
  const torrent = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    torrent.set(p, at);
    at += p.length;
  }
  return { torrent };
}

/** The source parsed (a bad one throws its SluiceError) and the key the Session files it under. */
export async function resolveJoin(join: JoinSource, hasher: Hasher): Promise<{ readonly source: TorrentSource; readonly key: string }> {
  const source = torrentSourceOf(join);
  if ('torrent' in source) {
    const metainfo = await parseMetainfo(source.torrent, hasher);
    return { source: { metainfo }, key: toHex(metainfo.infoHash ?? metainfo.infoHashV2!.subarray(0, 20)) };
  }
  if ('magnet' in source) {
    const link = parseMagnet(source.magnet);
    return { source, key: toHex(link.infoHash ?? link.infoHashV2!.subarray(0, 20)) };
  }
  const text = 'infoHash' in source ? source.infoHash.trim() : '';
  const bytes = text.length === 40 || text.length === 64 ? fromHex(text) : text.length === 32 ? fromBase32(text) : null;
  if (!bytes) throw new SessionError('session/bad-source', `'${text}' is not an info hash`);
  return { source, key: toHex(bytes.subarray(0, 20)) };
}

/** What the browser can tell the sidecar about a torrent it has: the info dictionary once known, else its hash. */
export function joinSourceOfTorrent(torrent: Torrent): JoinSource {
  const meta = torrent.metainfo;
  const trackers = torrent.trackers().map((t) => t.url);
  if (meta) return { info: toBase64(meta.infoBytes), trackers };
  return { infoHash: torrent.infoHashHex };
}
