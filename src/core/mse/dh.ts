import type { RandomSource } from '../ports/environment.js';

/** The 768-bit prime every MSE implementation uses (generator 2). */
export const MSE_PRIME = BigInt(
  '0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A63A36210000000000090563',
);
const GENERATOR = 2n;
/** Public keys and the shared secret travel as 96 big-endian bytes. */
export const DH_KEY_BYTES = 96;
/** Private keys are 160 bits, as the spec suggests: enough for this prime, and fast. */
const PRIVATE_KEY_BYTES = 20;

export interface DhKeyPair {
  readonly privateKey: bigint;
  readonly publicKey: Uint8Array;
}

export function dhKeyPair(random: RandomSource): DhKeyPair {
  let privateKey = bytesToBigInt(random.bytes(PRIVATE_KEY_BYTES));
  if (privateKey < 2n) privateKey += 2n;
  return { privateKey, publicKey: bigIntToBytes(modPow(GENERATOR, privateKey, MSE_PRIME), DH_KEY_BYTES) };
}

/** Whether a peer's public key is in [2, P-2]; 0, 1 and P-1 would force a guessable secret. */
export function isValidPublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== DH_KEY_BYTES) return false;
  const y = bytesToBigInt(publicKey);
  return y >= 2n && y <= MSE_PRIME - 2n;
}

/** S = Y^x mod P, as 96 bytes. */
export function dhSecret(privateKey: bigint, peerPublicKey: Uint8Array): Uint8Array {
  return bigIntToBytes(modPow(bytesToBigInt(peerPublicKey), privateKey, MSE_PRIME), DH_KEY_BYTES);
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex.length === 0 ? 0n : BigInt(`0x${hex}`);
}

function bigIntToBytes(value: bigint, length: number): Uint8Array {
  const hex = value.toString(16).padStart(length * 2, '0');
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
