import { compareBytes } from '../util/bytes.js';
import { BencodeError } from './errors.js';

/**
 * A bencodable value: integers are numbers (safe integers), byte strings are Uint8Array or string
 * (written as UTF-8), lists are arrays, dictionaries are plain objects (UTF-8 keys) or Maps (keys as
 * raw bytes or strings). `undefined` dictionary values are left out.
 */
export type BencodeValue =
  | number
  | Uint8Array
  | string
  | BencodeValue[]
  | ReadonlyMap<Uint8Array | string, BencodeValue | undefined>
  | { [key: string]: BencodeValue | undefined };

const utf8 = new TextEncoder();

/**
 * Canonical bencoding: dictionary keys sorted as raw byte strings (BEP 3). Our own encoder rather
 * than the `bencode` package's, which sorts keys by UTF-16 code units: for a folder holding names
 * with characters U+E000–U+FFFF beside names outside the BMP, that order differs from the byte
 * order, and the info hash would not match libtorrent's (test/core/bencode/encode.test.ts).
 */
export function encodeBencode(value: BencodeValue): Uint8Array {
  const writer = new Writer();
  writeValue(writer, value, 0);
  return writer.finish();
}

const MAX_DEPTH = 100;

function writeValue(w: Writer, value: BencodeValue, depth: number): void {
  if (depth > MAX_DEPTH) throw new BencodeError('bencode/too-deep', `cannot encode values nested deeper than ${MAX_DEPTH}`);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new BencodeError('bencode/bad-integer', `cannot encode ${value}: bencode integers must be safe integers`);
    w.ascii(`i${value}e`);
  } else if (typeof value === 'string') {
    w.bytes(utf8.encode(value));
  } else if (value instanceof Uint8Array) {
    w.bytes(value);
  } else if (Array.isArray(value)) {
    w.byte(0x6c);
    for (const item of value) writeValue(w, item, depth + 1);
    w.byte(0x65);
  } else {
    const entries: [Uint8Array, BencodeValue][] = [];
    const source = value instanceof Map ? value.entries() : Object.entries(value);
    for (const [key, item] of source as Iterable<[Uint8Array | string, BencodeValue | undefined]>) {
      if (item === undefined) continue;
      entries.push([typeof key === 'string' ? utf8.encode(key) : key, item]);
    }
    entries.sort((a, b) => compareBytes(a[0], b[0]));
    w.byte(0x64);
    for (let i = 0; i < entries.length; i++) {
      const [key, item] = entries[i]!;
      if (i > 0 && compareBytes(entries[i - 1]![0], key) === 0) throw new BencodeError('bencode/duplicate-key', 'cannot encode a dictionary with two equal keys');
      w.bytes(key);
      writeValue(w, item, depth + 1);
    }
    w.byte(0x65);
  }
}

/** A growable output buffer: one allocation per doubling, one copy at the end. */
class Writer {
  private buf = new Uint8Array(256);
  private len = 0;

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  ascii(text: string): void {
    this.reserve(text.length);
    for (let i = 0; i < text.length; i++) this.buf[this.len++] = text.charCodeAt(i);
  }

  /** A byte string: `<length>:<bytes>`. */
  bytes(data: Uint8Array): void {
    this.ascii(String(data.length));
    this.byte(0x3a);
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}

