/** A BEP 53 `so` item: file indices `first` to `last`, both included (a single index has first === last). */
export interface FileIndexRange {
  readonly first: number;
  readonly last: number;
}

/** An `x.pe` peer address; `host` is an IPv4 address, a host name, or an IPv6 address without brackets. */
export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * A parsed magnet link (BEP 9, BEP 53, BEP 52 `urn:btmh`). A hybrid magnet carries both hashes.
 * Values are decoded (no percent escapes). Absent single values are null, absent lists empty.
 */
export interface MagnetLink {
  /** v1 info hash (20 bytes) from `xt=urn:btih:`. */
  readonly infoHash: Uint8Array | null;
  /** v2 info hash (32 bytes, SHA-256) from `xt=urn:btmh:1220…`. */
  readonly infoHashV2: Uint8Array | null;
  /** `dn`. */
  readonly name: string | null;
  /** `tr`, in link order. */
  readonly trackers: readonly string[];
  /** `ws` (BEP 19 web seeds), in link order. */
  readonly webSeeds: readonly string[];
  /** `xs`. */
  readonly exactSources: readonly string[];
  /** `as`. */
  readonly acceptableSources: readonly string[];
  /** `so` (BEP 53): the files to download; empty when absent. */
  readonly selectOnly: readonly FileIndexRange[];
  /** `x.pe`, in link order. */
  readonly peers: readonly PeerAddress[];
  /**
   * Every other parameter (e.g. `kt`, `ix`, or an `xt` for another network), decoded, in link order,
   * so that formatting a parsed link loses nothing.
   */
  readonly extra: readonly (readonly [key: string, value: string])[];
}
