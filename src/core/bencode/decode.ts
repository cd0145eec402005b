import { BencodeError } from './errors.js';
import type { BencodeDictionary, BencodeEntry, BencodeNode } from './node.js';

/** Bounds on untrusted input. Every value costs a small constant, so these bound memory too. */
export interface BencodeLimits {
  /** Largest number of bytes one value may span. */
  readonly maxBytes?: number;
  /** Deepest nesting of lists and dictionaries (the outermost container is depth 1). */
  readonly maxDepth?: number;
  /** Most values (integers, strings, lists, dictionaries, keys included) in one decode. */
  readonly maxValues?: number;
}

export const DEFAULT_BENCODE_LIMITS: Required<BencodeLimits> = {
  maxBytes: 64 * 1024 * 1024,
  maxDepth: 100,
  maxValues: 4_000_000,
};

const CH_0 = 0x30;
const CH_9 = 0x39;
const CH_COLON = 0x3a;
const CH_MINUS = 0x2d;
const CH_D = 0x64;
const CH_E = 0x65;
const CH_I = 0x69;
const CH_L = 0x6c;
// 2^53 has 16 digits: more digits can never be a safe integer nor fit in a buffer.
const MAX_DIGITS = 16;

const keyEncoder = new TextEncoder();

/** One byte per UTF-16 code unit: an exact, collision-free Map key for raw bytes. */
export function binaryString(bytes: Uint8Array): string {
  let out = '';
  // Chunked so a huge key cannot overflow the argument stack of fromCharCode.
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + 8192)));
  }
  return out;
}

class Dictionary implements BencodeDictionary {
  readonly kind = 'dictionary';
  constructor(
    readonly start: number,
    readonly end: number,
    readonly entries: readonly BencodeEntry[],
    private readonly byKey: ReadonlyMap<string, BencodeNode>,
  ) {}

  get(key: string): BencodeNode | undefined {
    return this.byKey.get(binaryString(keyEncoder.encode(key)));
  }
}

interface ListFrame {
  readonly kind: 'list';
  readonly start: number;
  readonly items: BencodeNode[];
}

interface DictFrame {
  readonly kind: 'dictionary';
  readonly start: number;
  readonly entries: BencodeEntry[];
  readonly byKey: Map<string, BencodeNode>;
  pendingKey: Uint8Array | null;
  pendingKeyText: string;
}

type Frame = ListFrame | DictFrame;

/** Decodes exactly one value that fills `bytes`; anything after it is an error. */
export function decodeBencode(bytes: Uint8Array, limits?: BencodeLimits): BencodeNode {
  const node = decodeBencodePrefix(bytes, 0, limits);
  if (node.end !== bytes.length) {
    throw new BencodeError('bencode/trailing-bytes', `${bytes.length - node.end} unexpected bytes after the value ending at offset ${node.end}`);
  }
  return node;
}

/**
 * Decodes one value starting at `start` and stops at its end (`node.end`); what follows is left to
 * the caller (ut_metadata messages carry raw bytes after a dictionary). Iterative, so nesting depth
 * is a typed error and never a stack overflow.
 */
export function decodeBencodePrefix(bytes: Uint8Array, start = 0, limits?: BencodeLimits): BencodeNode {
  const maxBytes = limits?.maxBytes ?? DEFAULT_BENCODE_LIMITS.maxBytes;
  const maxDepth = limits?.maxDepth ?? DEFAULT_BENCODE_LIMITS.maxDepth;
  const maxValues = limits?.maxValues ?? DEFAULT_BENCODE_LIMITS.maxValues;
  const limit = Math.min(bytes.length, start + maxBytes);
  const stack: Frame[] = [];
  let values = 0;
  let pos = start;

  const ranOut = (what: string): BencodeError =>
    limit < bytes.length
      ? new BencodeError('bencode/too-large', `value starting at offset ${start} is larger than the ${maxBytes}-byte limit`)
      : new BencodeError('bencode/truncated', `input ends inside ${what} at offset ${pos}`);

  const count = (): void => {
    if (++values > maxValues) {
      throw new BencodeError('bencode/too-many-values', `more than ${maxValues} values at offset ${pos}`);
    }
  };

  // Reads "<length>:<bytes>" at pos; checks the length against what remains before taking a view.
  const readBytes = (): { value: Uint8Array; start: number } => {
    const at = pos;
    let length = 0;
    let digits = 0;
    for (;;) {
      if (pos >= limit) throw ranOut('a byte string length');
      const c = bytes[pos]!;
      if (c === CH_COLON) break;
      if (c < CH_0 || c > CH_9) {
        throw new BencodeError('bencode/bad-string-length', `byte string length at offset ${at} has a non-digit byte 0x${c.toString(16).padStart(2, '0')}`);
      }
      if (digits === 1 && length === 0) {
        throw new BencodeError('bencode/bad-string-length', `byte string length at offset ${at} has a leading zero`);
      }
      if (++digits > MAX_DIGITS) {
        throw new BencodeError('bencode/bad-string-length', `byte string length at offset ${at} has more than ${MAX_DIGITS} digits`);
      }
      length = length * 10 + (c - CH_0);
      pos++;
    }
    if (digits === 0) throw new BencodeError('bencode/bad-string-length', `byte string at offset ${at} has an empty length`);
    pos++; // ':'
    const remaining = limit - pos;
    if (length > remaining) {
      if (limit < bytes.length) throw ranOut('a byte string');
      throw new BencodeError('bencode/truncated', `byte string at offset ${at} declares ${length} bytes but only ${remaining} remain`);
    }
    const value = bytes.subarray(pos, pos + length);
    pos += length;
    return { value, start: at };
  };

  const readInteger = (): number => {
    const at = pos;
    pos++; // 'i'
    let negative = false;
    if (pos < limit && bytes[pos] === CH_MINUS) {
      negative = true;
      pos++;
    }
    const first = pos;
    let value = 0;
    for (;;) {
      if (pos >= limit) throw ranOut('an integer');
      const c = bytes[pos]!;
      if (c === CH_E) break;
      if (c < CH_0 || c > CH_9) {
        throw new BencodeError('bencode/bad-integer', `integer at offset ${at} has a non-digit byte 0x${c.toString(16).padStart(2, '0')}`);
      }
      if (pos - first >= MAX_DIGITS) throw new BencodeError('bencode/bad-integer', `integer at offset ${at} is outside the safe integer range`);
      value = value * 10 + (c - CH_0);
      pos++;
    }
    const digits = pos - first;
    pos++; // 'e'
    if (digits === 0) throw new BencodeError('bencode/bad-integer', `integer at offset ${at} has no digits`);
    if (digits > 1 && bytes[first] === CH_0) throw new BencodeError('bencode/bad-integer', `integer at offset ${at} has a leading zero`);
    if (negative && value === 0) throw new BencodeError('bencode/bad-integer', `integer at offset ${at} is negative zero`);
    if (!Number.isSafeInteger(value)) throw new BencodeError('bencode/bad-integer', `integer at offset ${at} is outside the safe integer range`);
    return negative ? -value : value;
  };

  for (;;) {
    if (pos >= limit) throw ranOut(stack.length === 0 ? 'a value' : `a ${stack[stack.length - 1]!.kind}`);
    const c = bytes[pos]!;
    const top = stack[stack.length - 1];
    let node: BencodeNode;

    if (c === CH_E && top !== undefined) {
      if (top.kind === 'dictionary' && top.pendingKey !== null) {
        throw new BencodeError('bencode/unexpected-byte', `dictionary key at offset ${pos} has no value`);
      }
      pos++;
      stack.pop();
      node = top.kind === 'list'
        ? { kind: 'list', start: top.start, end: pos, items: top.items }
        : new Dictionary(top.start, pos, top.entries, top.byKey);
    } else if (top?.kind === 'dictionary' && top.pendingKey === null) {
      if (c < CH_0 || c > CH_9) {
        throw new BencodeError('bencode/bad-key', `dictionary key at offset ${pos} is not a byte string`);
      }
      count();
      const key = readBytes().value;
      const text = binaryString(key);
      if (top.byKey.has(text)) {
        throw new BencodeError('bencode/duplicate-key', `dictionary key ending at offset ${pos} appears twice`);
      }
      top.pendingKey = key;
      top.pendingKeyText = text;
      continue;
    } else if (c === CH_I) {
      count();
      const at = pos;
      const value = readInteger();
      node = { kind: 'integer', start: at, end: pos, value };
    } else if (c >= CH_0 && c <= CH_9) {
      count();
      const { value, start: at } = readBytes();
      node = { kind: 'bytes', start: at, end: pos, value };
    } else if (c === CH_L || c === CH_D) {
      if (stack.length >= maxDepth) {
        throw new BencodeError('bencode/too-deep', `nesting deeper than ${maxDepth} at offset ${pos}`);
      }
      count();
      stack.push(c === CH_L
        ? { kind: 'list', start: pos, items: [] }
        : { kind: 'dictionary', start: pos, entries: [], byKey: new Map(), pendingKey: null, pendingKeyText: '' });
      pos++;
      continue;
    } else {
      throw new BencodeError('bencode/unexpected-byte', `unexpected byte 0x${c.toString(16).padStart(2, '0')} at offset ${pos}`);
    }

    const parent = stack[stack.length - 1];
    if (parent === undefined) return node;
    if (parent.kind === 'list') {
      parent.items.push(node);
    } else {
      parent.entries.push({ key: parent.pendingKey!, value: node });
      parent.byKey.set(parent.pendingKeyText, node);
      parent.pendingKey = null;
    }
  }
}
