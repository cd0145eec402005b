import { createDiffieHellman, createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dhKeyPair, dhSecret, isValidPublicKey, MSE_PRIME } from '../../../src/core/mse/dh.js';
import { Rc4 } from '../../../src/core/mse/rc4.js';
import { sha1 } from '../../../src/core/mse/sha1.js';
import { toHex } from '../../../src/core/util/hex.js';

const PRIME_HEX = MSE_PRIME.toString(16);

describe('sha1 (sync, for the MSE key hashes)', () => {
  it('matches Node for any split of any message, including the 55/56/64-byte padding edges', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(55, 56, 63, 64, 65, 119, 120).map((n) => new Uint8Array(n).fill(0x61))), fc.nat(), (msg, cut) => {
        const at = msg.length === 0 ? 0 : cut % msg.length;
        const want = createHash('sha1').update(msg).digest('hex');
        expect(toHex(sha1(msg.subarray(0, at), msg.subarray(at)))).toBe(want);
      }),
      { numRuns: 300 },
    );
  });

  it('hashes the empty message to the known digest', () => {
    expect(toHex(sha1())).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
  });
});

describe('rc4', () => {
  it('produces the published test vector (key "Key", no discard)', () => {
    const out = new Rc4(new TextEncoder().encode('Key'), 0).process(new TextEncoder().encode('Plaintext'));
    expect(toHex(out)).toBe('bbf316e8d940af0ad3');
  });

  it('drops the first 1024 keystream bytes, and runs on across calls whatever the chunking', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 20 }), fc.uint8Array({ maxLength: 2000 }), fc.nat(), (key, data, cut) => {
        const reference = new Rc4(key, 0).process(new Uint8Array(1024 + data.length)).subarray(1024);
        const expected = data.map((b, i) => b ^ reference[i]!);
        const rc4 = new Rc4(key);
        const at = data.length === 0 ? 0 : cut % data.length;
        const got = new Uint8Array([...rc4.process(data.subarray(0, at)), ...rc4.process(data.subarray(at))]);
        expect(got).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });

  it('leaves the caller\'s bytes untouched in process()', () => {
    const data = new Uint8Array([1, 2, 3]);
    new Rc4(new Uint8Array([9])).process(data);
    expect(data).toEqual(new Uint8Array([1, 2, 3]));
  });
});

describe('Diffie-Hellman over the MSE prime', () => {
  it('agrees with Node (OpenSSL) on public keys and the shared secret, zero-padded to 96 bytes', () => {
    for (let round = 0; round < 5; round++) {
      const fixed = createHash('sha1').update(`key ${round}`).digest();
      const ours = dhKeyPair({ bytes: () => new Uint8Array(fixed), float: () => 0 });
      const node = createDiffieHellman(PRIME_HEX, 'hex', 2);
      node.setPrivateKey(fixed);
      node.generateKeys();
      const nodePublic = new Uint8Array(96);
      const raw = node.getPublicKey();
      nodePublic.set(raw, 96 - raw.length);
      expect(toHex(ours.publicKey)).toBe(toHex(nodePublic));

      const other = createDiffieHellman(PRIME_HEX, 'hex', 2);
      other.generateKeys();
      const otherPublic = new Uint8Array(96);
      otherPublic.set(other.getPublicKey(), 96 - other.getPublicKey().length);
      const secret = dhSecret(ours.privateKey, otherPublic);
      expect(secret.length).toBe(96);
      const nodeSecret = new Uint8Array(96);
      const s = other.computeSecret(ours.publicKey);
      nodeSecret.set(s, 96 - s.length);
      expect(toHex(secret)).toBe(toHex(nodeSecret));
    }
  });

  it('rejects degenerate public keys (0, 1, P-1, P) and wrong lengths', () => {
    const key = (v: bigint) => {
      const hex = v.toString(16).padStart(192, '0');
      return Uint8Array.from({ length: 96 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
    };
    expect(isValidPublicKey(key(0n))).toBe(false);
    expect(isValidPublicKey(key(1n))).toBe(false);
    expect(isValidPublicKey(key(MSE_PRIME - 1n))).toBe(false);
    expect(isValidPublicKey(key(MSE_PRIME))).toBe(false);
    expect(isValidPublicKey(key(2n))).toBe(true);
    expect(isValidPublicKey(new Uint8Array(95).fill(5))).toBe(false);
  });
});
