import type { Torrent } from '../engine/torrent.js';
import { formatMagnet, magnetFromMetainfo } from '../magnet/index.js';

/** A torrent's magnet with every tracker it announces to (and its name and web seeds once known). */
export function torrentMagnet(torrent: Torrent): string {
  const trackers = torrent.trackers().map((t) => [t.url]);
  const meta = torrent.metainfo;
  if (meta) return magnetFromMetainfo({ ...meta, announce: trackers });
  return formatMagnet({
    infoHash: torrent.infoHash,
    infoHashV2: null,
    name: torrent.name || null,
    trackers: trackers.flat(),
    webSeeds: [],
    exactSources: [],
    acceptableSources: [],
    selectOnly: [],
    peers: [],
    extra: [],
  });
}
