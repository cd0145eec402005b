import bencode from 'bencode';

/** A bencodable value: byte strings are Uint8Array (or string, encoded as UTF-8), integers are numbers. */
export type BencodeValue =
  | number
  | Uint8Array
  | string
  | BencodeValue[]
  | { [key: string]: BencodeValue | undefined };

/** Canonical bencoding (dictionary keys sorted as raw byte strings, undefined values omitted). */
export function encodeBencode(value: BencodeValue): Uint8Array {
  return bencode.encode(value) as Uint8Array;
}
