/**
 * The storage plug point. The engine verifies each piece in memory and only then hands it to
 * `writePiece`, so a store only ever holds verified bytes: "unverified bytes never reach a reader or
 * another peer" holds by construction, whatever the store does. Implementations: the memory store
 * (src/core/storage/memory-store.ts, tests and browser fallback), the Node filesystem store
 * (sidecar/src/storage/fs-store.ts), OPFS and IndexedDB (src/browser/storage/, docs/browser-storage.md).
 * One contract suite (test/contracts/storage.contract.ts) runs against each of them.
 *
 * Piece space (see src/core/metainfo/model.ts): piece `i` holds the bytes of piece space from
 * `i * pieceLength`, `pieceLength` long except for the last piece and, in v2, a piece that ends a
 * file (its implicit alignment gap is not part of the piece). Padding files (BEP 47) are inside
 * pieces: their bytes are zeros, never stored, and read back as zeros.
 *
 * Back-pressure: every call returns a promise and a store does not queue on its own behalf. The
 * engine bounds how many writes it has in flight (and so how many verified pieces it holds in
 * memory) and requests no more blocks while that bound is reached.
 *
 * Failures reject with a `StorageError` (src/core/storage/errors.ts). A `writePiece` that rejects
 * leaves that piece not-had: the engine must not announce it and may download it again; pieces
 * written before are untouched (`storage/disk-full` included).
 */
import type { PieceLayout } from '../metainfo/layout.js';
import type { Metainfo } from '../metainfo/model.js';

/** What a store needs of a torrent: a `Metainfo` fits as is. */
export type StorageLayout = PieceLayout & Pick<Metainfo, 'name' | 'singleFile'>;

export interface StorageOpenOptions {
  /**
   * Lower-case hex of the torrent's info hash (v1, or v2 for a v2-only torrent). Names the store's
   * private files, such as the filesystem store's part file `.<id>.parts`.
   */
  readonly id: string;
  /** Whether each file (by index in `layout.files`) is wanted; absent means all of them. */
  readonly wanted?: readonly boolean[];
}

/**
 * What resume validation compares: a file's size in bytes and its modification time in whole
 * milliseconds since the epoch (a store without clocks may use any number that changes when the
 * file's bytes change). `null`: the file is not stored as a file (missing, unwanted and kept in the
 * part file, or a padding file).
 */
export interface FileState {
  readonly size: number;
  readonly mtime: number;
}

export interface TorrentStorage {
  /**
   * Where this torrent's data lives, as resume data records it: resume data saved for another
   * location is never trusted here. The filesystem store gives its absolute download folder; a
   * browser store gives its backend's id (an OPFS or IndexedDB database name). Stable across reopens
   * of the same data; different for data that could differ.
   */
  readonly location: string;
  /**
   * Stores a verified piece. `data.length` must be the piece's size (`pieceSize` in
   * src/core/metainfo/layout.ts). Padding bytes inside it are not stored. The store does not keep `data` after the
   * promise settles, so the caller may reuse it.
   */
  writePiece(index: number, data: Uint8Array): Promise<void>;
  /**
   * `length` bytes from `begin` inside piece `index`, to serve a peer or a reader. Only called for
   * pieces the engine has; bytes that turn out not to be there reject with `storage/missing`.
   */
  read(index: number, begin: number, length: number): Promise<Uint8Array>;
  /** The whole piece for a recheck, or null when its bytes are not (all) there. */
  readPiece(index: number): Promise<Uint8Array | null>;
  /**
   * Deselects or selects a file. An unwanted file is never created: bytes of stored pieces that fall
   * in it are kept aside (so boundary pieces stay readable and verifiable) and move into the file
   * when it becomes wanted. A file that already exists stays where it is when deselected.
   */
  setFileWanted(fileIndex: number, wanted: boolean): Promise<void>;
  /** One entry per file of the layout, for resume validation (see `FileState`). */
  fileStates(): Promise<readonly (FileState | null)[]>;
  /** Makes everything written so far durable (before resume data is saved). */
  flush(): Promise<void>;
  /** Flushes and releases resources. Idempotent; other calls then reject with `storage/closed`. */
  close(): Promise<void>;
  /** Closes the store and removes every file it created (and folders it left empty). */
  deleteData(): Promise<void>;
}

export interface StorageFactory {
  open(layout: StorageLayout, options: StorageOpenOptions): Promise<TorrentStorage>;
}
