// Test-only: the seeded byte pattern of test/browser/firefox.test.ts (which imports this module in Node too), and
// SHA-256 in hex, for the page and its worker alike.

/** `length` bytes of the xorshift32 stream from `seed`. */
export function pattern(seed, length) {
  const out = new Uint8Array(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export async function sha256(bytes) {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
