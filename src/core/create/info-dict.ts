import type { BencodeValue } from '../bencode/encode.js';
import type { TorrentLayout } from './layout.js';
import type { CreateOptions } from './types.js';

type Dict = { [key: string]: BencodeValue | undefined };

/** BEP 47 padding entry, named as libtorrent names them so hybrid info hashes match libtorrent's. */
function padEntry(length: number): Dict {
  return { attr: 'p', length, path: ['.pad', String(length)] };
}

function v1Files(layout: TorrentLayout): BencodeValue[] {
  const list: BencodeValue[] = [];
  for (const f of layout.files) {
    list.push({ length: f.length, path: [...f.path] });
    if (f.padAfter > 0) list.push(padEntry(f.padAfter));
  }
  return list;
}

/** BEP 52 `file tree`: folders are dicts keyed by name; a file is `{"": {length, pieces root}}`. */
function fileTree(layout: TorrentLayout, roots: readonly (Uint8Array | null)[]): Dict {
  // Null-prototype dicts: a file may be called "__proto__".
  const tree: Dict = Object.create(null) as Dict;
  layout.files.forEach((f, i) => {
    let node = tree;
    for (const part of f.path) {
      let next = node[part] as Dict | undefined;
      if (next === undefined) {
        next = Object.create(null) as Dict;
        node[part] = next;
      }
      node = next;
    }
    const root = roots[i];
    node[''] = root === null || root === undefined ? { length: f.length } : { length: f.length, 'pieces root': root };
  });
  return tree;
}

export interface InfoHashes {
  readonly pieces: Uint8Array;
  /** Per layout file (hybrid): its `pieces root`, null for an empty file. */
  readonly roots: readonly (Uint8Array | null)[];
}

export function buildInfo(layout: TorrentLayout, options: CreateOptions, hashes: InfoHashes): Dict {
  const info: Dict = {
    name: layout.name,
    'piece length': layout.pieceLength,
    pieces: hashes.pieces,
    private: options.private === true ? 1 : undefined,
  };
  if (layout.singleFile) info.length = layout.files[0]!.length;
  else info.files = v1Files(layout);
  if (layout.hybrid) {
    info['meta version'] = 2;
    info['file tree'] = fileTree(layout, hashes.roots);
  }
  return info;
}

/** The whole .torrent: `announce` is the first tracker; `announce-list` is written when there is more than one. */
export function buildTorrent(
  info: Dict,
  options: CreateOptions,
  createdBy: string,
  pieceLayers: ReadonlyMap<string, { root: Uint8Array; layer: Uint8Array }>,
): Dict {
  const tiers = (options.announce ?? []).map((t) => [...t]).filter((t) => t.length > 0);
  const urls = tiers.flat();
  const torrent: Dict = {
    announce: urls[0],
    'announce-list': urls.length > 1 ? tiers : undefined,
    comment: options.comment,
    'created by': createdBy,
    'creation date': options.creationDate,
    info,
    'url-list': options.urlList !== undefined && options.urlList.length > 0 ? [...options.urlList] : undefined,
  };
  if (pieceLayers.size > 0) {
    torrent['piece layers'] = pieceLayersDict(pieceLayers);
  }
  return torrent;
}

/** `piece layers` is keyed by raw 32-byte roots; the encoder orders raw keys by bytes. */
function pieceLayersDict(layers: ReadonlyMap<string, { root: Uint8Array; layer: Uint8Array }>): BencodeValue {
  const map = new Map<Uint8Array, Uint8Array>();
  for (const { root, layer } of layers.values()) map.set(root, layer);
  return map;
}
