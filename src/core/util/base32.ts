// RFC 4648 base32 without padding, as used by btih magnet links (32 characters for 20 bytes).
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function toBase32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31]!;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31]!;
  return out;
}

/** Returns null unless `text` is unpadded base32 (either case) whose bit count decodes cleanly. */
export function fromBase32(text: string): Uint8Array | null {
  const upper = text.toUpperCase();
  if (!/^[A-Z2-7]*$/.test(upper)) return null;
  const out = new Uint8Array(Math.floor((upper.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const ch of upper) {
    buffer = (buffer << 5) | ALPHABET.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (buffer >> bits) & 255;
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}
