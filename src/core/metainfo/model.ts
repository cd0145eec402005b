/**
 * The parsed, validated form of a torrent's metainfo (BEP 3, 12, 19, 27, 47, 52).
 *
 * Piece space: every torrent is modelled as one byte range of `pieceSpaceLength` bytes cut into
 * `pieceCount` pieces of `pieceLength` (the last piece of the space, and for v2 the last piece of
 * each file, may be shorter). Each file sits at `offset` in that space:
 * - v1: files follow each other; BEP 47 padding files are real (zero) entries in the list.
 * - v2 and hybrid: every non-empty file starts on a piece boundary. Hybrid torrents say so with
 *   explicit padding files; v2-only torrents leave the gap implicit (`offset` still aligned).
 * So a piece never spans two v2 files, and transfer code can treat v1, v2 and hybrid alike.
 */
export type MetainfoVersion = 'v1' | 'v2' | 'hybrid';

export interface TorrentFile {
  /** Validated path parts under the torrent's root folder (for single-file torrents: [name]). */
  readonly path: readonly string[];
  readonly length: number;
  /** Byte offset of the file's first byte in piece space. */
  readonly offset: number;
  /** BEP 47 padding file (attribute `p`): never written to disk, never shown to people. */
  readonly padding: boolean;
  /** BEP 47 attribute letters as given (`p` padding, `x` executable, `h` hidden, `l` symlink). */
  readonly attributes: string;
  /** BEP 47 symlink target path parts, when attribute `l` is set. */
  readonly symlinkPath?: readonly string[];
  /** BEP 52 `pieces root` (32 bytes) of a non-empty file in a v2 or hybrid torrent. */
  readonly piecesRoot?: Uint8Array;
}

export interface Metainfo {
  readonly version: MetainfoVersion;
  /** SHA-1 of the exact `info` bytes (v1 and hybrid), or null for a v2-only torrent. */
  readonly infoHash: Uint8Array | null;
  /** SHA-256 of the exact `info` bytes (v2 and hybrid), or null for a v1 torrent. */
  readonly infoHashV2: Uint8Array | null;
  /** The exact bytes of the `info` dictionary as they appear in the file (served by ut_metadata). */
  readonly infoBytes: Uint8Array;
  readonly name: string;
  /** Sum of the lengths of all non-padding files. */
  readonly length: number;
  readonly pieceLength: number;
  readonly pieceCount: number;
  /** Total length of piece space (includes padding, and for v2-only the implicit alignment gaps). */
  readonly pieceSpaceLength: number;
  /** v1 piece hashes: `pieceCount` x 20 bytes concatenated, or null for a v2-only torrent. */
  readonly pieceHashes: Uint8Array | null;
  /**
   * BEP 52 piece layers keyed by the lower-case hex of a file's `pieces root`: the concatenated
   * 32-byte hashes of that file's pieces. Files no larger than one piece have no entry.
   */
  readonly pieceLayers: ReadonlyMap<string, Uint8Array>;
  /** Every file in torrent order, padding files included (filter on `padding` to show them). */
  readonly files: readonly TorrentFile[];
  /** Whether the torrent has a single file and no folder (v1 `length` key, or a v2 tree of one file). */
  readonly singleFile: boolean;
  /** Tracker tiers (BEP 12); a lone `announce` becomes one tier of one URL. */
  readonly announce: readonly (readonly string[])[];
  /** BEP 19 web seeds. */
  readonly urlList: readonly string[];
  /** BEP 27. */
  readonly private: boolean;
  readonly creationDate?: number;
  readonly comment?: string;
  readonly createdBy?: string;
}
