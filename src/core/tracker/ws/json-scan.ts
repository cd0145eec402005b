// A fast reader for the JSON that WebTorrent clients send, straight from the frame's UTF-8 bytes: it
// skips the UTF-8 decode and JSON.parse's generality, which together were the largest cost of a tracker
// announce (docs/tracker-server.md). It is an accelerator, never a judge: it either returns exactly the
// value JSON.parse would make of the same text, or null for anything it does not handle (the caller then
// decodes and parses as before, so every refusal and its message stay JSON.parse's and the codec's).
//
// Handled: objects (keys other than `__proto__`, each once), arrays, strings (ASCII, the escapes of
// RFC 8259, and 2-byte UTF-8 sequences, i.e. U+0080-U+07FF, which covers binary-string ids), integers of
// at most 15 digits, true, false, null, nested at most MAX_DEPTH deep. Anything else, including any
// malformed input, is null. Bounded: one pass, no recursion deeper than MAX_DEPTH, strings at most
// MAX_STRING code units.

const MAX_DEPTH = 4;
const MAX_STRING = 16 * 1024;
/** Code units of the string being read; reused (one reader at a time: this is synchronous code). */
const scratch = new Uint16Array(MAX_STRING);
/** Arguments per String.fromCharCode.apply call (engines bound argument counts). */
const APPLY_CHUNK = 4096;
/**
 * Strings of at most SHORT raw bytes (keys, actions, ids) are remembered by their raw bytes in a fixed
 * table of TABLE_SIZE slots (a new string replaces whatever shared its slot): the same key or peer id in
 * the next message is then the same string, found by comparing bytes instead of building it again. The
 * table's size is fixed, so no input can grow it.
 */
const SHORT = 64;
const TABLE_BITS = 12;
const TABLE_SIZE = 1 << TABLE_BITS;
const tableRaw: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(TABLE_SIZE).fill(undefined);
const tableText: string[] = new Array<string>(TABLE_SIZE).fill('');
/** Code units of a short string, as a plain array (String.fromCharCode.apply is fastest with one). */
const shortCodes: number[] = [];

let bytes: Uint8Array = new Uint8Array(0);
let at = 0;
let failed = false;

/** The value of one JSON text in UTF-8 bytes, exactly as JSON.parse would give it, or null (not handled). */
export function scanJson(input: Uint8Array): unknown {
  bytes = input;
  at = 0;
  failed = false;
  skipSpace();
  const value = readValue(0);
  skipSpace();
  const ok = !failed && at === input.length;
  bytes = new Uint8Array(0);
  return ok ? value : null;
}

function fail(): null {
  failed = true;
  return null;
}

function skipSpace(): void {
  const b = bytes;
  while (at < b.length) {
    const c = b[at]!;
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) at++;
    else break;
  }
}

function readValue(depth: number): unknown {
  if (at >= bytes.length) return fail();
  const c = bytes[at]!;
  if (c === 0x22) return readString();
  if (c === 0x7b) return depth >= MAX_DEPTH ? fail() : readObject(depth + 1);
  if (c === 0x5b) return depth >= MAX_DEPTH ? fail() : readArray(depth + 1);
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return readInteger();
  if (c === 0x74) return literal('true', true);
  if (c === 0x66) return literal('false', false);
  if (c === 0x6e) return literal('null', null);
  return fail();
}

function literal(word: string, value: boolean | null): boolean | null {
  for (let k = 0; k < word.length; k++) if (bytes[at + k] !== word.charCodeAt(k)) return fail();
  at += word.length;
  return value;
}

function readObject(depth: number): Record<string, unknown> | null {
  at++; // {
  const out: Record<string, unknown> = {};
  skipSpace();
  if (bytes[at] === 0x7d) {
    at++;
    return out;
  }
  for (;;) {
    if (bytes[at] !== 0x22) return fail();
    const key = readString();
    if (key === null || key === '__proto__' || Object.prototype.hasOwnProperty.call(out, key)) return fail();
    skipSpace();
    if (bytes[at] !== 0x3a) return fail();
    at++;
    skipSpace();
    const value = readValue(depth);
    if (failed) return null;
    out[key] = value;
    skipSpace();
    const c = bytes[at];
    at++;
    if (c === 0x7d) return out;
    if (c !== 0x2c) return fail();
    skipSpace();
  }
}

function readArray(depth: number): unknown[] | null {
  at++; // [
  const out: unknown[] = [];
  skipSpace();
  if (bytes[at] === 0x5d) {
    at++;
    return out;
  }
  for (;;) {
    const value = readValue(depth);
    if (failed) return null;
    out.push(value);
    skipSpace();
    const c = bytes[at];
    at++;
    if (c === 0x5d) return out;
    if (c !== 0x2c) return fail();
    skipSpace();
  }
}

/** -?(0|[1-9][0-9]*) with at most 15 digits (exact in a double); fractions and exponents are not handled. */
function readInteger(): number | null {
  const b = bytes;
  let negative = false;
  if (b[at] === 0x2d) {
    negative = true;
    at++;
  }
  const start = at;
  let value = 0;
  while (at < b.length) {
    const c = b[at]!;
    if (c < 0x30 || c > 0x39) break;
    value = value * 10 + (c - 0x30);
    at++;
  }
  const digits = at - start;
  if (digits === 0 || digits > 15 || (digits > 1 && b[start] === 0x30)) return fail();
  const next = b[at];
  if (next === 0x2e || next === 0x65 || next === 0x45) return fail();
  return negative ? -value : value;
}

function readString(): string | null {
  const b = bytes;
  const start = at + 1;
  // Short strings: look the raw bytes up first.
  let hash = 0x811c9dc5;
  let end = start;
  const limit = Math.min(b.length, start + SHORT);
  for (; end < limit; end++) {
    const c = b[end]!;
    if (c === 0x22) break;
    hash = Math.imul(hash ^ c, 0x01000193);
    if (c === 0x5c) {
      // An escaped character is part of the string: hash it too and step over it.
      end++;
      if (end >= limit) break;
      hash = Math.imul(hash ^ b[end]!, 0x01000193);
    }
  }
  if (end < limit && b[end] === 0x22) {
    // The top bits of FNV-1a mix every byte (its low bits depend only on the low bits of each step).
    const slot = hash >>> (32 - TABLE_BITS);
    const raw = tableRaw[slot];
    const length = end - start;
    if (raw !== undefined && raw.length === length) {
      let same = true;
      for (let k = 0; k < length; k++) {
        if (raw[k] !== b[start + k]) {
          same = false;
          break;
        }
      }
      if (same) {
        at = end + 1;
        return tableText[slot]!;
      }
    }
    at = start - 1;
    const text = readStringSlow();
    if (text !== null) {
      const copy = new Uint8Array(length);
      for (let k = 0; k < length; k++) copy[k] = b[start + k]!;
      tableRaw[slot] = copy;
      tableText[slot] = text;
    }
    return text;
  }
  return readStringSlow();
}

function readStringSlow(): string | null {
  const b = bytes;
  at++; // "
  const start = at;
  // Plain ASCII with no escape: the common case (keys, actions, and many ids).
  while (at < b.length) {
    const c = b[at]!;
    if (c === 0x22) {
      at++;
      return fromCodes(b, start, at - 1);
    }
    if (c < 0x20 || c === 0x5c || c >= 0x80) break;
    at++;
  }
  if (at - start > MAX_STRING) return fail();
  let length = 0;
  for (let k = start; k < at; k++) scratch[length++] = b[k]!;
  while (at < b.length) {
    if (length >= MAX_STRING) return fail();
    const c = b[at]!;
    if (c === 0x22) {
      at++;
      return fromCodes(scratch, 0, length);
    }
    if (c < 0x20) return fail();
    if (c < 0x80 && c !== 0x5c) {
      scratch[length++] = c;
      at++;
    } else if (c === 0x5c) {
      const e = b[at + 1];
      let unit: number;
      if (e === 0x22 || e === 0x5c || e === 0x2f) unit = e;
      else if (e === 0x62) unit = 0x08;
      else if (e === 0x66) unit = 0x0c;
      else if (e === 0x6e) unit = 0x0a;
      else if (e === 0x72) unit = 0x0d;
      else if (e === 0x74) unit = 0x09;
      else if (e === 0x75) {
        unit = 0;
        for (let k = 2; k < 6; k++) {
          const h = hexValue(b[at + k]);
          if (h < 0) return fail();
          unit = (unit << 4) | h;
        }
        at += 4;
      } else return fail();
      scratch[length++] = unit;
      at += 2;
    } else {
      // Two-byte UTF-8 only (lead C2-DF, one continuation byte); longer sequences are not handled here.
      const next = b[at + 1];
      if (c < 0xc2 || c > 0xdf || next === undefined || (next & 0xc0) !== 0x80) return fail();
      scratch[length++] = ((c & 0x1f) << 6) | (next & 0x3f);
      at += 2;
    }
  }
  return fail();
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

function fromCodes(units: Uint8Array | Uint16Array, start: number, end: number): string {
  if (end - start <= SHORT) {
    shortCodes.length = 0;
    for (let k = start; k < end; k++) shortCodes.push(units[k]!);
    return String.fromCharCode.apply(null, shortCodes);
  }
  if (end - start <= APPLY_CHUNK) return String.fromCharCode.apply(null, units.subarray(start, end) as unknown as number[]);
  let out = '';
  for (let k = start; k < end; k += APPLY_CHUNK) out += String.fromCharCode.apply(null, units.subarray(k, Math.min(end, k + APPLY_CHUNK)) as unknown as number[]);
  return out;
}
