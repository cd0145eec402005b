import { formatMagnet } from './format.js';
import type { MagnetLink } from './types.js';

/** The parts of a torrent a magnet link carries (a Metainfo fits). */
export interface MagnetSourceInfo {
  readonly infoHash: Uint8Array | null;
  readonly infoHashV2: Uint8Array | null;
  readonly name: string;
  readonly announce: readonly (readonly string[])[];
  readonly urlList: readonly string[];
}

/** A magnet link for a torrent: both hashes when it has both, every tracker once in tier order, its web seeds. */
export function magnetLinkFor(info: MagnetSourceInfo): MagnetLink {
  const trackers = [...new Set(info.announce.flat())];
  return {
    infoHash: info.infoHash,
    infoHashV2: info.infoHashV2,
    name: info.name === '' ? null : info.name,
    trackers,
    webSeeds: [...info.urlList],
    exactSources: [],
    acceptableSources: [],
    selectOnly: [],
    peers: [],
    extra: [],
  };
}

export function magnetFromMetainfo(info: MagnetSourceInfo): string {
  return formatMagnet(magnetLinkFor(info));
}
