import { SluiceError } from '../errors.js';

export type BitfieldErrorCode =
  | 'bitfield/invalid-size'
  | 'bitfield/wrong-length'
  | 'bitfield/spare-bits-set'
  | 'bitfield/index-out-of-range';

export class BitfieldError extends SluiceError<BitfieldErrorCode> {
  override readonly name: string = 'BitfieldError';
}

/** Larger than any sane torrent (2^31 pieces) and small enough that indices stay exact int32s. */
const MAX_BITS = 0x7fffffff;

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]!;

/**
 * A fixed-size set of piece indices in BitTorrent bit order: piece 0 is the high bit of byte 0.
 * The number of set bits is kept up to date so `count`, `hasAll` and `hasNone` are O(1).
 */
export class Bitfield {
  readonly length: number;
  private readonly bytes: Uint8Array;
  private ones = 0;

  constructor(length: number) {
    if (!Number.isInteger(length) || length < 0 || length > MAX_BITS) {
      throw new BitfieldError('bitfield/invalid-size', `bitfield size ${length} is not an integer between 0 and ${MAX_BITS}`);
    }
    this.length = length;
    this.bytes = new Uint8Array(Math.ceil(length / 8));
  }

  static full(length: number): Bitfield {
    const b = new Bitfield(length);
    b.bytes.fill(0xff);
    const spare = b.bytes.length * 8 - length;
    if (spare > 0) b.bytes[b.bytes.length - 1] = (0xff << spare) & 0xff;
    b.ones = length;
    return b;
  }

  static fromIndices(length: number, indices: Iterable<number>): Bitfield {
    const b = new Bitfield(length);
    for (const i of indices) b.set(i);
    return b;
  }

  /**
   * Parses the payload of a BITFIELD message for a torrent of `length` pieces. The payload must be
   * exactly ceil(length / 8) bytes and the spare bits after the last piece must be zero (BEP 3);
   * a peer that breaks either rule is misbehaving, so both are typed errors rather than repaired.
   */
  static fromWire(payload: Uint8Array, length: number): Bitfield {
    const b = new Bitfield(length);
    if (payload.length !== b.bytes.length) {
      throw new BitfieldError(
        'bitfield/wrong-length',
        `bitfield for ${length} pieces must be ${b.bytes.length} bytes, got ${payload.length}`,
      );
    }
    const spare = b.bytes.length * 8 - length;
    if (spare > 0 && (payload[payload.length - 1]! & ((1 << spare) - 1)) !== 0) {
      throw new BitfieldError('bitfield/spare-bits-set', `bitfield for ${length} pieces has spare bits set in its last byte`);
    }
    b.bytes.set(payload);
    let ones = 0;
    for (let i = 0; i < payload.length; i++) ones += POPCOUNT[payload[i]!]!;
    b.ones = ones;
    return b;
  }

  /** A copy of the wire form (spare bits zero), ready to be a BITFIELD payload. */
  toWire(): Uint8Array {
    return this.bytes.slice();
  }

  get(index: number): boolean {
    this.check(index);
    return (this.bytes[index >>> 3]! & (0x80 >>> (index & 7))) !== 0;
  }

  /** Sets the bit; returns true when it was clear before. */
  set(index: number): boolean {
    this.check(index);
    const i = index >>> 3;
    const mask = 0x80 >>> (index & 7);
    const byte = this.bytes[i]!;
    if ((byte & mask) !== 0) return false;
    this.bytes[i] = byte | mask;
    this.ones++;
    return true;
  }

  /** Clears the bit; returns true when it was set before. */
  clear(index: number): boolean {
    this.check(index);
    const i = index >>> 3;
    const mask = 0x80 >>> (index & 7);
    const byte = this.bytes[i]!;
    if ((byte & mask) === 0) return false;
    this.bytes[i] = byte & ~mask;
    this.ones--;
    return true;
  }

  count(): number {
    return this.ones;
  }

  hasAll(): boolean {
    return this.ones === this.length;
  }

  hasNone(): boolean {
    return this.ones === 0;
  }

  /** The first set index at or after `from`, or -1. Skips whole zero bytes. */
  nextSet(from: number): number {
    if (from < 0) from = 0;
    if (from >= this.length) return -1;
    let byteIndex = from >>> 3;
    let byte = this.bytes[byteIndex]! & (0xff >>> (from & 7));
    while (byte === 0) {
      byteIndex++;
      if (byteIndex >= this.bytes.length) return -1;
      byte = this.bytes[byteIndex]!;
    }
    // Math.clz32 counts from bit 31; the byte sits in bits 7..0.
    return byteIndex * 8 + Math.clz32(byte) - 24;
  }

  /** Set indices in ascending order. */
  *indices(): IterableIterator<number> {
    for (let i = this.nextSet(0); i !== -1; i = this.nextSet(i + 1)) yield i;
  }

  clone(): Bitfield {
    const b = new Bitfield(this.length);
    b.bytes.set(this.bytes);
    b.ones = this.ones;
    return b;
  }

  equals(other: Bitfield): boolean {
    if (other.length !== this.length || other.ones !== this.ones) return false;
    for (let i = 0; i < this.bytes.length; i++) if (this.bytes[i] !== other.bytes[i]) return false;
    return true;
  }

  private check(index: number): void {
    // `>>> 0` keeps integers in [0, 2^32) unchanged and mangles fractions, negatives and NaN.
    if (index >>> 0 !== index || index >= this.length) {
      throw new BitfieldError('bitfield/index-out-of-range', `bit index ${index} is outside a bitfield of ${this.length}`);
    }
  }
}
