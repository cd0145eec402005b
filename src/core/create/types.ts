import type { Hasher } from '../ports/hasher.js';

/** One file to put in a new torrent, in torrent order. */
export interface CreateFile {
  /** Path parts under the torrent's root folder; for a single-file torrent, just [name]. */
  readonly path: readonly string[];
  readonly length: number;
}

/** Where the creator reads file contents from (the sidecar reads the filesystem, the browser File objects). */
export interface CreateSource {
  /** Reads `length` bytes of file `fileIndex` from `offset`; may return a view into a reused buffer only until the next call. */
  read(fileIndex: number, offset: number, length: number): Promise<Uint8Array>;
  /**
   * Optional fast path: fills all of `target` with file `fileIndex`'s bytes from `offset`, so the
   * creator reads straight into its hashing buffers without a copy.
   */
  readInto?(fileIndex: number, offset: number, target: Uint8Array): Promise<void>;
}

/** How createTorrent schedules its work; every field has a default, and none changes the result. */
export interface CreateTuning {
  /**
   * Allocates the batch buffers. The sidecar's worker pool hands out shared memory so its workers
   * hash the bytes where they lie. Default: plain Uint8Array.
   */
  readonly allocate?: (byteLength: number) => Uint8Array;
  /** Bytes per hashing batch, rounded down to whole pieces (at least one). Default 4 MiB. */
  readonly batchBytes?: number;
  /** Batches being read or hashed at once (each holds one buffer). Default 4. */
  readonly inFlight?: number;
  /**
   * v1 only (ignored for hybrids): reads and hashes every piece itself, e.g. on threads that open the
   * files directly, instead of the read-and-hash pipeline. Gets the files in piece-space order
   * (`sourceIndex` as in CreateSource) and must resolve to the pieces' SHA-1s end to end, calling
   * `onBytes` as content is hashed.
   */
  readonly hashV1Pieces?: (plan: V1PiecePlan, onBytes: (bytes: number) => void) => Promise<Uint8Array>;
}

/** What a `hashV1Pieces` tuner hashes: the files laid end to end, cut into pieces (BEP 3). */
export interface V1PiecePlan {
  readonly pieceLength: number;
  readonly pieceCount: number;
  readonly files: readonly { readonly sourceIndex: number; readonly length: number }[];
}

export interface CreateOptions {
  readonly name: string;
  readonly files: readonly CreateFile[];
  /** A single-file torrent (v1 `length` key) rather than a folder; requires exactly one file. */
  readonly singleFile: boolean;
  /** Bytes; a power of two from 16 KiB to 16 MiB. Chosen automatically when absent. */
  readonly pieceLength?: number;
  readonly announce?: readonly (readonly string[])[];
  readonly urlList?: readonly string[];
  readonly private?: boolean;
  readonly comment?: string;
  /** Defaults to `Sluice/<version>`. */
  readonly createdBy?: string;
  /** Seconds since the epoch; the caller passes the clock (core has none). Omitted when absent. */
  readonly creationDate?: number;
  /** Make a hybrid v1+v2 (BEP 52) torrent instead of v1. */
  readonly hybrid?: boolean;
  readonly onProgress?: (hashedBytes: number, totalBytes: number) => void;
}

export interface CreatedTorrent {
  /** The .torrent file's bytes. */
  readonly torrent: Uint8Array;
  readonly infoHash: Uint8Array;
  readonly infoHashV2: Uint8Array | null;
  readonly magnet: string;
}

export type CreateTorrent = (
  options: CreateOptions,
  source: CreateSource,
  hasher: Hasher,
  tuning?: CreateTuning,
) => Promise<CreatedTorrent>;
