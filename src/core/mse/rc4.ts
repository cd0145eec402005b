/**
 * RC4 as MSE uses it: keyed with a 20-byte SHA-1, the first 1024 bytes of keystream thrown away
 * (the spec's answer to RC4's biased start). One instance per direction; the state runs on across calls.
 */
export class Rc4 {
  private readonly s = new Uint8Array(256);
  private i = 0;
  private j = 0;

  constructor(key: Uint8Array, discard = 1024) {
    const s = this.s;
    for (let n = 0; n < 256; n++) s[n] = n;
    let j = 0;
    for (let n = 0; n < 256; n++) {
      j = (j + s[n]! + key[n % key.length]!) & 0xff;
      const t = s[n]!;
      s[n] = s[j]!;
      s[j] = t;
    }
    this.apply(new Uint8Array(discard));
  }

  /** Returns `data` xor the next keystream bytes in a new array; `data` is left as it was (callers may share it). */
  process(data: Uint8Array): Uint8Array {
    const out = data.slice();
    this.apply(out);
    return out;
  }

  /** Encrypts or decrypts `data` where it lies. */
  apply(data: Uint8Array): void {
    const s = this.s;
    let i = this.i;
    let j = this.j;
    for (let n = 0; n < data.length; n++) {
      i = (i + 1) & 0xff;
      const si = s[i]!;
      j = (j + si) & 0xff;
      const sj = s[j]!;
      s[i] = sj;
      s[j] = si;
      data[n] = data[n]! ^ s[(si + sj) & 0xff]!;
    }
    this.i = i;
    this.j = j;
  }
}
