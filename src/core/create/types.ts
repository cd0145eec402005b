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

export type CreateTorrent = (options: CreateOptions, source: CreateSource, hasher: Hasher) => Promise<CreatedTorrent>;
