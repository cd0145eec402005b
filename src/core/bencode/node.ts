/**
 * A decoded bencode value that remembers where it came from: `start`/`end` are byte offsets into the
 * decoded buffer, so `bytes.subarray(node.start, node.end)` is the value exactly as written (the
 * info hash is taken over those bytes, never over a re-encoding).
 */
export type BencodeNode = BencodeInteger | BencodeBytes | BencodeList | BencodeDictionary;

interface Span {
  readonly start: number;
  readonly end: number;
}

export interface BencodeInteger extends Span {
  readonly kind: 'integer';
  readonly value: number;
}

export interface BencodeBytes extends Span {
  readonly kind: 'bytes';
  /** A view into the decoded buffer (no copy). */
  readonly value: Uint8Array;
}

export interface BencodeList extends Span {
  readonly kind: 'list';
  readonly items: readonly BencodeNode[];
}

export interface BencodeEntry {
  /** The raw key bytes (a view into the decoded buffer). */
  readonly key: Uint8Array;
  readonly value: BencodeNode;
}

export interface BencodeDictionary extends Span {
  readonly kind: 'dictionary';
  /** Entries in the order they appear in the input. */
  readonly entries: readonly BencodeEntry[];
  /** Looks a key up by its UTF-8 text (keys are raw bytes; ASCII keys read naturally). */
  get(key: string): BencodeNode | undefined;
}

export type BencodeKind = BencodeNode['kind'];
