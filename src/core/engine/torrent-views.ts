import type { FileStatus, PeerStatus, Priority, TorrentState, TorrentStatus } from '../api/types.js';
import type { SluiceError } from '../errors.js';
import { filePieces, pieceSize } from '../metainfo/layout.js';
import type { Metainfo } from '../metainfo/model.js';
import type { Bitfield } from '../util/bitfield.js';
import { toHex } from '../util/hex.js';
import type { PeerLink } from './peer-link.js';

/** What the status views read: pure functions of the torrent's metadata, verified pieces and priorities. */
const DEFAULT_PRIORITY = 4;

/** Bytes of the files a person wants (padding never counts). */
export function wantedBytes(meta: Metainfo, priorities: readonly number[]): number {
  let n = 0;
  meta.files.forEach((f, i) => {
    if (!f.padding && (priorities[i] ?? DEFAULT_PRIORITY) > 0) n += f.length;
  });
  return n;
}

/** Verified bytes of one file, counted from the pieces that hold it. */
export function fileVerifiedBytes(meta: Metainfo, have: Bitfield | null, fileIndex: number): number {
  const f = meta.files[fileIndex]!;
  if (!have || f.length === 0) return 0;
  const { start, end } = filePieces(meta, fileIndex);
  let n = 0;
  for (let p = have.nextSet(start); p !== -1 && p < end; p = have.nextSet(p + 1)) {
    const from = Math.max(p * meta.pieceLength, f.offset);
    const to = Math.min(p * meta.pieceLength + pieceSize(meta, p), f.offset + f.length);
    if (to > from) n += to - from;
  }
  return n;
}

/** Verified bytes of the wanted files. */
export function verifiedWantedBytes(meta: Metainfo, have: Bitfield | null, priorities: readonly number[]): number {
  let n = 0;
  meta.files.forEach((f, i) => {
    if (f.padding || f.length === 0 || (priorities[i] ?? DEFAULT_PRIORITY) === 0) return;
    n += fileVerifiedBytes(meta, have, i);
  });
  return n;
}

export function fileStatuses(meta: Metainfo, have: Bitfield | null, priorities: readonly number[]): FileStatus[] {
  return meta.files.flatMap((f, i) =>
    f.padding
      ? []
      : [
          {
            index: i,
            path: f.path.join('/'),
            length: f.length,
            offset: f.offset,
            progress: f.length === 0 ? 1 : fileVerifiedBytes(meta, have, i) / f.length,
            priority: (priorities[i] ?? DEFAULT_PRIORITY) as Priority,
          },
        ],
  );
}

export function peerStatus(link: PeerLink, pieceCount: number, now: number): PeerStatus {
  return {
    address: link.address,
    client: link.clientName,
    transport: link.transport.kind,
    outgoing: link.transport.outgoing,
    downloadRate: link.downloadMeter.rate(now),
    uploadRate: link.uploadMeter.rate(now),
    progress: link.seed ? 1 : pieceCount > 0 ? (link.conn.peerBitfield?.count() ?? 0) / pieceCount : 0,
    flags: {
      amChoking: link.conn.amChoking,
      amInterested: link.conn.amInterested,
      peerChoking: link.conn.peerChoking,
      peerInterested: link.conn.peerInterested,
      snubbed: link.pipeline.snubbed,
      seed: link.seed,
    },
  };
}

/** What `status()` reads of a torrent: its identity, metadata and verified pieces, counters and meters, links. */
export interface TorrentFigures {
  readonly infoHashHex: string;
  readonly infoHashV2: Uint8Array | null;
  readonly name: string;
  readonly meta: Metainfo | null;
  readonly have: Bitfield | null;
  readonly filePriorities: readonly number[];
  readonly state: TorrentState;
  readonly sequential: boolean;
  readonly error: SluiceError | null;
  readonly verifiedBytes: number;
  readonly downloaded: number;
  readonly uploaded: number;
  readonly downloadRate: number;
  readonly uploadRate: number;
  readonly links: Iterable<PeerLink>;
}

export function torrentStatus(f: TorrentFigures): TorrentStatus {
  const { meta } = f;
  const wanted = meta ? wantedBytes(meta, f.filePriorities) : 0;
  const verifiedWanted = meta && f.have ? verifiedWantedBytes(meta, f.have, f.filePriorities) : 0;
  let peers = 0;
  let seeds = 0;
  let requestedBytes = 0;
  for (const l of f.links) {
    requestedBytes += l.pipeline.outstandingBytes;
    if (!l.conn.ready) continue;
    peers++;
    if (l.seed) seeds++;
  }
  const remaining = Math.max(0, wanted - verifiedWanted);
  return {
    // Known by a v2 hash only until the metadata arrived: then the v1 hash, as other tools show it.
    infoHash: meta?.infoHash ? toHex(meta.infoHash) : f.infoHashHex,
    infoHashV2: meta?.infoHashV2 ? toHex(meta.infoHashV2) : f.infoHashV2 ? toHex(f.infoHashV2) : null,
    name: f.name,
    state: f.state,
    progress: wanted > 0 ? Math.min(1, verifiedWanted / wanted) : meta ? 1 : 0,
    verifiedBytes: Math.min(f.verifiedBytes, meta?.pieceSpaceLength ?? 0),
    wantedBytes: wanted,
    totalBytes: meta?.length ?? 0,
    downloadRate: f.downloadRate,
    uploadRate: f.uploadRate,
    downloaded: f.downloaded,
    uploaded: f.uploaded,
    requestedBytes,
    peers,
    seeds,
    // Only a download under way has a time left: paused or stopped by an error, its last rate says nothing.
    eta: !meta ? null : remaining === 0 ? 0 : f.state === 'downloading' && f.downloadRate > 0 ? remaining / f.downloadRate : null,
    ratio: f.downloaded > 0 ? f.uploaded / f.downloaded : 0,
    sequential: f.sequential,
    error: f.error ? { code: f.error.code, message: f.error.message } : null,
  };
}
